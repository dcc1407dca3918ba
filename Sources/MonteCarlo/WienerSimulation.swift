// The `wiener` model (THEORY §3, §9.3): Brownian motion with drift dX = m dt + s dW from X(0) = 0,
// eight paths per SIMD block. One path yields every observable at once: the first passage to a, the
// exit from (−b, a), and the running maximum over [0, t].
//
// Scheme "bridge" (default) is exact in distribution for any step h:
// * X_{n+1} = X_n + m h + s √h Z is the exact Gaussian transition.
// * The maximum of the Brownian bridge between X_n and X_{n+1} is sampled exactly,
//   M = (X_n + X_{n+1} + √((X_{n+1} − X_n)² − 2 s² h ln U)) / 2 (the drift drops out of a bridge), and the
//   path first reaches a inside the step iff M ≥ a (P = exp(−2(a − X_n)(a − X_{n+1})/(s² h)) below a).
// * The crossing time inside the step is sampled from its exact conditional law: with d0 = a − X_n and
//   d1 = a − X_{n+1}, the time τ of the first passage of the bridge satisfies τ/(h − τ) ~ IG(mean d0/|d1|,
//   shape d0²/(s² h)) (the bridge first-passage density u^{-3/2}(h−u)^{-1/2} e^{−d0²/(2s²u) − d1²/(2s²(h−u))}
//   becomes v^{-3/2} e^{−(d0²/v + d1² v)/(2 s² h)} under v = u/(h − u)), drawn by Michael–Schucany–Haas.
//   So E[T] carries no +h/2 bias (THEORY §9.3 assumed step-end times).
// * The lower barrier −b uses its own bridge probability and crossing-time draw. The two barrier events of
//   one step are drawn independently, which is exact except when the bridge touches both barriers in one
//   step; that has probability ≤ exp(−(a+b)²/(s² h)) per step, and h ≤ (a+b)²/(40 s²) keeps it below 4e-18.
// Scheme "naive": grid check X_{n+1} ≥ a, crossing time = step end, maximum over grid points — the
// discretely monitored process, biased by ≈ ρ s √h (THEORY §9.3); its simulator error says how much.
//
// Horizons: first passages are followed until a time H with Q(z1(H)) ≤ Q(7.5) = 3.2e-14 (z1 = (|m|H − a)/(s√H)),
// an upper bound on P(H < T < ∞); a path not crossed by then counts as T = H (a relative bias of E[T] below
// 1e-12) and is reported as censored. Exits from (−b, a) are followed until the eigenvalue bound
// P(T_exit > H2) ≤ e^{|m| max(a,b)/s²} (4/π) e^{−λ1 H2} ≤ 1e-14, λ1 = π² s²/(2(a+b)²) + m²/(2 s²).
import Foundation

public struct WienerSimulator: ModelSimulator {
    public init() {}
    public let name = "wiener"
    public let summary = "perfect IF / Brownian motion with drift: exact steps, exact bridge maximum and crossing-time draws (THEORY §9.3)"
    public let parameters: [SimulatorParameter] = [
        SimulatorParameter(name: "m", unit: "mV/ms", summary: "drift", defaultValue: nil),
        SimulatorParameter(name: "s", unit: "mV/sqrt(ms)", summary: "noise intensity", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "a", unit: "mV", summary: "distance to the upper barrier", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_ref", unit: "ms", summary: "refractory period (ISI = tau_ref + T)", defaultValue: 0, min: 0),
        SimulatorParameter(name: "t", unit: "ms", summary: "time of the FPT CDF; horizon of the running maximum", defaultValue: nil,
                           min: 0, minExclusive: true, optional: true),
        SimulatorParameter(name: "b", unit: "mV", summary: "distance to the lower barrier", defaultValue: nil, min: 0, minExclusive: true,
                           optional: true),
        SimulatorParameter(name: "y", unit: "mV", summary: "level of the running maximum (needs t)", defaultValue: nil, min: 0,
                           minExclusive: true, optional: true),
    ]
    public let observables: [ObservableSpec] = [
        ObservableSpec("fpt_cdf", unit: "1", summary: "fraction of paths that reached a by t"),
        ObservableSpec("mean_fpt_ms", unit: "ms", summary: "mean first-passage time (m > 0)"),
        ObservableSpec("cv_fpt", unit: "1", summary: "CV of the first-passage time (m > 0)"),
        ObservableSpec("rate_hz", unit: "Hz", summary: "1000/(tau_ref + mean FPT): each path is one complete ISI (m > 0)"),
        ObservableSpec("cv", unit: "1", summary: "CV of the ISI tau_ref + T (m > 0)"),
        ObservableSpec("p_hit_ever", unit: "1", summary: "fraction that ever reach a (m < 0; horizon bound above)"),
        ObservableSpec("p_up", unit: "1", summary: "fraction leaving (-b, a) at a"),
        ObservableSpec("p_down", unit: "1", summary: "fraction leaving (-b, a) at -b"),
        ObservableSpec("mean_exit_ms", unit: "ms", summary: "mean exit time from (-b, a)"),
        ObservableSpec("max_cdf", unit: "1", summary: "fraction with max over [0, t] below y"),
        ObservableSpec("mean_max_mv", unit: "mV", summary: "mean of the maximum over [0, t]"),
    ]
    public let options: Set<String> = ["dt", "time", "scheme"]
    public let defaultSamples = 200_000
    static let schemes = ["bridge", "naive"]
    /// Upper bound on path steps of one block (a run that needs more gets a coarser bridge step).
    static let maxStepsPerPath = 400_000.0

    struct Setup {
        var m, s, a, tauRef: Double
        var t, b, y: Double?
        var dt: Double
        var naive: Bool
        var fptHorizon: Double      // follow first passages until then
        var exitHorizon: Double     // follow two-barrier exits until then
        var end: Double { max(fptHorizon, exitHorizon, t ?? 0) }
    }

    /// Time H with Q((|m|H − a)/(s√H)) = Q(7.5) (0 for m = 0).
    static func passageHorizon(m: Double, s: Double, a: Double) -> Double {
        let am = abs(m)
        guard am > 0 else { return 0 }
        let z = 7.5
        let root = (z * s + (z * z * s * s + 4 * am * a).squareRoot()) / (2 * am)
        return root * root
    }

    static func exitHorizon(m: Double, s: Double, a: Double, b: Double) -> Double {
        let l = a + b
        let lambda1 = Double.pi * Double.pi * s * s / (2 * l * l) + m * m / (2 * s * s)
        return (log(1e14 * 4 / Double.pi) + abs(m) * max(a, b) / (s * s)) / lambda1
    }

    func setup(_ v: [String: Double], _ o: RunOptions) -> Setup {
        let m = v["m"]!, s = v["s"]!, a = v["a"]!
        let t = v["t"].flatMap { $0.isNaN ? nil : $0 }
        let b = v["b"].flatMap { $0.isNaN ? nil : $0 }
        let y = v["y"].flatMap { $0.isNaN ? nil : $0 }
        var fpt = Self.passageHorizon(m: m, s: s, a: a)
        var exit = b.map { Self.exitHorizon(m: m, s: s, a: a, b: $0) } ?? 0
        if let h = o.time { fpt = min(fpt, h); exit = min(exit, h) }
        return Setup(m: m, s: s, a: a, tauRef: v["tau_ref"] ?? 0, t: t, b: b, y: y, dt: o.dt ?? 0.1,
                     naive: o.scheme == "naive", fptHorizon: fpt, exitHorizon: exit)
    }

    public func resolve(_ options: RunOptions, _ values: [String: Double]) throws -> RunOptions {
        var o = options
        let scheme = o.scheme ?? "bridge"
        guard Self.schemes.contains(scheme) else {
            throw SimulatorInputError("option 'scheme' = \(scheme) is not one of: \(Self.schemes.joined(separator: ", "))")
        }
        o.scheme = scheme
        if let y = values["y"], !y.isNaN, values["t"].map({ $0.isNaN }) ?? true {
            throw SimulatorInputError("parameter 'y' = \(y) mV needs the horizon 't' (the running maximum is over [0, t])")
        }
        if let h = o.time, !(h > 0) { throw SimulatorInputError("option 'time' = \(h) ms is out of range (valid: > 0 ms)") }
        let s = setup(values, o)
        let bound = s.b.map { (s.a + $0) * (s.a + $0) / (40 * s.s * s.s) }
        if let dt = o.dt {
            guard dt > 0 && dt.isFinite else { throw SimulatorInputError("option 'dt' = \(dt) ms is out of range (valid: > 0 ms)") }
            if let bound, dt > bound, scheme == "bridge" {
                throw SimulatorInputError("option 'dt' = \(dt) ms is out of range (valid: <= (a+b)^2/(40 s^2) = \(bound) ms, where a bridge step touching both barriers is negligible)")
            }
            if s.end / dt > Self.maxStepsPerPath {
                throw SimulatorInputError("option 'dt' = \(dt) ms needs \(Int(s.end / dt)) steps per path to the horizon \(s.end) ms (valid: >= \(s.end / Self.maxStepsPerPath) ms)")
            }
        } else {
            // Bridge steps are exact at any size: about 2000 steps to the horizon.
            var dt = s.end / 2000
            if let bound { dt = min(dt, bound) }
            if s.end / dt > Self.maxStepsPerPath { dt = s.end / Self.maxStepsPerPath }
            o.dt = dt > 0 ? dt : 0.1
        }
        return o
    }

    /// Per-block sums.
    struct Block {
        var n = 0.0
        var crossedByT = 0.0
        var sumT = 0.0, sumT2 = 0.0, censored = 0.0, hits = 0.0
        var up = 0.0, down = 0.0, sumExit = 0.0, exitCensored = 0.0
        var belowY = 0.0, sumMax = 0.0
        var steps = 0.0
        static func + (l: Block, r: Block) -> Block {
            var s = l
            s.n += r.n; s.crossedByT += r.crossedByT; s.sumT += r.sumT; s.sumT2 += r.sumT2; s.censored += r.censored
            s.hits += r.hits; s.up += r.up; s.down += r.down; s.sumExit += r.sumExit; s.exitCensored += r.exitCensored
            s.belowY += r.belowY; s.sumMax += r.sumMax; s.steps += r.steps
            return s
        }
    }

    /// Time of the first passage to the level at distance d0 > 0 above X_n inside a step of length h whose
    /// end point sits d1 below it (d1 < 0: beyond), given that the bridge crosses: h/(1 + 1/v) with
    /// v ~ IG(d0/|d1|, d0²/(s² h)) by Michael, Schucany & Haas (1976), written without cancellation:
    /// x = μ/(1 + q + √(q(2 + q))), q = μ ν²/(2λ).
    @inline(__always)
    static func crossingTime(d0: V8, d1: V8, s2h: Double, h: Double, normal: V8, uniform: V8) -> V8 {
        let ad1 = blend(d1 .< 0, -d1, d1)
        let mu = d0 / blend(ad1 .< d0 * 1e-100, d0 * 1e-100, ad1)
        let lambda = d0 * d0 / s2h
        let q = mu * (normal * normal) / (2 * lambda)
        let x = mu / (1 + q + q.squareRoot() * (2 + q).squareRoot())
        let v = blend(uniform .<= mu / (mu + x), x, mu * (mu / x))
        return h / (1 + 1 / v)
    }

    func simulateBlock(_ p: Setup, lanes: Int, seed: UInt64, block b: Int) -> Block {
        var normals = NormalBuffer(LaneRNG(seed: seed, stream: 2 * UInt64(b)))
        var uniforms = LaneRNG(seed: seed, stream: 2 * UInt64(b) + 1)
        defer { normals.release() }
        let active = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(lanes)
        let inf = V8(repeating: .infinity)
        let a = p.a, s2 = p.s * p.s
        let lower = p.b.map { -$0 }
        let tEnd = p.t ?? 0
        let fptEnd = max(p.fptHorizon, tEnd)

        var x = V8.zero
        var tA = inf                 // first passage to a
        var tExit = inf, upExit = V8.zero
        var mx = V8.zero
        var now = 0.0
        var steps = 0.0
        // Lanes that are not simulated count as finished.
        let done0 = .!active
        var exited = done0 .| Mask8(repeating: lower == nil)
        while true {
            let followMax = now < tEnd
            let followFPT = now < fptEnd && any((tA .== inf) .& active)
            let followExit = lower != nil && now < p.exitHorizon && !all(exited)
            if !(followMax || followFPT || followExit) { break }
            var h = p.dt
            if followMax && now + h > tEnd { h = tEnd - now }       // the grid passes through t exactly
            let sqrtH = h.squareRoot(), s2h = s2 * h
            let x1 = x + p.m * h + p.s * sqrtH * normals.next()

            // Upper level a and the running maximum.
            let open = tA .== inf
            var crossA: Mask8
            if p.naive {
                if followMax { mx = blend(x1 .> mx, x1, mx) }
                crossA = open .& (x1 .>= a)
                tA = blend(crossA, V8(repeating: now + h), tA)
            } else {
                // The exact bridge maximum is needed while the maximum is followed, or where a crossing is
                // possible (below e^{-37} < 2^-53 it never happens: no draw needed then).
                let near = open .& ((x1 .>= a) .| (-2 * (a - x) * (a - x1) .> -37 * s2h))
                if followMax || any(near) {
                    let d = x1 - x
                    let top = 0.5 * (x + x1 + (d * d - 2 * s2h * VectorMath.log(uniforms.uniform())).squareRoot())
                    if followMax { mx = blend(top .> mx, top, mx) }
                    crossA = open .& (top .>= a)
                    if any(crossA) {
                        let tau = Self.crossingTime(d0: a - x, d1: a - x1, s2h: s2h, h: h,
                                                    normal: normals.next(), uniform: uniforms.uniform())
                        tA = blend(crossA, now + tau, tA)
                    }
                } else {
                    crossA = Mask8(repeating: false)
                }
            }

            // Lower barrier −b and the exit from (−b, a).
            if let lo = lower, followExit {
                let pending = .!exited
                var crossB: Mask8
                var tB = inf
                if p.naive {
                    crossB = pending .& (x1 .<= lo)
                    tB = V8(repeating: now + h)
                } else {
                    let e0 = x - lo, e1 = x1 - lo
                    let exponent = -2 * e0 * e1 / s2h
                    let certain = e1 .<= 0
                    if any(pending .& (certain .| (exponent .> -37))) {
                        let prob = blend(certain, V8(repeating: 1), VectorMath.exp(exponent))
                        crossB = pending .& (uniforms.uniform() .< prob)
                        if any(crossB) {
                            tB = now + Self.crossingTime(d0: e0, d1: e1, s2h: s2h, h: h,
                                                         normal: normals.next(), uniform: uniforms.uniform())
                        }
                    } else {
                        crossB = Mask8(repeating: false)
                    }
                }
                let upNow = pending .& crossA .& (.!crossB .| (tA .< tB))
                let downNow = pending .& crossB .& .!upNow
                tExit = blend(upNow, tA, blend(downNow, tB, tExit))
                upExit = blend(upNow, V8(repeating: 1), upExit)
                exited = exited .| upNow .| downNow
            }
            x = x1
            now += h
            steps += 1
        }

        var r = Block()
        r.n = Double(lanes)
        r.steps = steps * Double(lanes)
        for lane in 0..<lanes {
            let T = tA[lane]
            if let t = p.t, T <= t { r.crossedByT += 1 }
            if T.isFinite { r.hits += 1 }
            if p.m > 0 {
                let tt = T.isFinite ? T : p.fptHorizon
                if !T.isFinite { r.censored += 1 }
                r.sumT += tt; r.sumT2 += tt * tt
            }
            if p.b != nil {
                if tExit[lane].isFinite {
                    r.sumExit += tExit[lane]
                    if upExit[lane] == 1 { r.up += 1 } else { r.down += 1 }
                } else {
                    r.exitCensored += 1; r.sumExit += p.exitHorizon
                }
            }
            if p.t != nil {
                r.sumMax += mx[lane]
                if let y = p.y, mx[lane] < y { r.belowY += 1 }
            }
        }
        return r
    }

    public func run(_ values: [String: Double], _ options: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let p = setup(values, options)
        let nBlocks = (options.samples + 7) / 8
        let blocks = BlockRunner.run(blocks: nBlocks, threads: options.threads, progress: progress) { b in
            simulateBlock(p, lanes: min(8, options.samples - 8 * b), seed: options.seed, block: b)
        }
        let batches = BatchMeans.batches(blocks).map { $0.reduce(Block(), +) }
        let total = batches.reduce(Block(), +)
        func est(_ f: (Block) -> Double) -> Estimate { BatchMeans.estimate(pooled: f(total), batchValues: batches.map(f)) }

        var obs: [(name: String, estimate: Estimate)] = []
        if p.t != nil { obs.append(("fpt_cdf", est { $0.crossedByT / $0.n })) }
        if p.m > 0 {
            func mean(_ k: Block) -> Double { k.sumT / k.n }
            func sd(_ k: Block) -> Double {
                let mu = mean(k)
                return (max(0, k.sumT2 / k.n - mu * mu) * k.n / (k.n - 1)).squareRoot()
            }
            obs.append(("mean_fpt_ms", est(mean)))
            obs.append(("cv_fpt", est { sd($0) / mean($0) }))
            obs.append(("rate_hz", est { 1000 / (p.tauRef + mean($0)) }))
            obs.append(("cv", est { sd($0) / (p.tauRef + mean($0)) }))
        }
        if p.m < 0 { obs.append(("p_hit_ever", est { $0.hits / $0.n })) }
        if p.b != nil {
            obs.append(("p_up", est { $0.up / $0.n }))
            obs.append(("p_down", est { $0.down / $0.n }))
            obs.append(("mean_exit_ms", est { $0.sumExit / $0.n }))
        }
        if p.t != nil {
            if p.y != nil { obs.append(("max_cdf", est { $0.belowY / $0.n })) }
            obs.append(("mean_max_mv", est { $0.sumMax / $0.n }))
        }
        var run = ModelRun(observables: obs, work: total.steps, workUnit: "path-steps",
                           seconds: Date().timeIntervalSince(start))
        func ms(_ x: Double) -> String { String(format: "%.4g ms", x) }
        run.details = [("fpt_horizon", ms(p.fptHorizon))]
        if p.b != nil { run.details.append(("exit_horizon", ms(p.exitHorizon))) }
        if total.censored > 0 {
            run.notes.append("\(Int(total.censored)) paths had not reached a by the horizon \(p.fptHorizon) ms (counted as T = horizon)")
        }
        if total.exitCensored > 0 {
            run.notes.append("\(Int(total.exitCensored)) paths had not left (-b, a) by \(p.exitHorizon) ms (counted as exit time = horizon)")
        }
        return run
    }

    /// THEORY §9.3. Bridge: 0 (exact in distribution). Naive: the grid-monitored path behaves like the continuous
    /// one with every barrier moved outward by ρ s √h (and the grid maximum lowered by as much); the declared
    /// error is the relative change of each observable under a shift of 1.3 ρ s √h (THEORY: ρ s √h/m · (1 ± 0.3)
    /// for E[T]), evaluated with the closed forms of §3.
    public func simulatorError(observable: String, values: [String: Double], options: RunOptions) -> Double {
        guard options.scheme == "naive" else { return 0 }
        let p = setup(values, options)
        let shift = 1.3 * 0.582597157939011 * p.s * p.dt.squareRoot()
        let m = p.m, s = p.s, a = p.a
        func rel(_ x: Double, _ y: Double) -> Double { y == 0 ? 1 : abs(x - y) / abs(y) }
        switch observable {
        case "mean_fpt_ms", "rate_hz": return shift / a
        case "cv_fpt", "cv": return shift / a
        case "fpt_cdf":
            guard let t = p.t else { return 0 }
            return rel(NaiveShift.cdf(t: t, a: a + shift, m: m, s: s), NaiveShift.cdf(t: t, a: a, m: m, s: s))
        case "p_hit_ever": return rel(NaiveShift.hit(a: a + shift, m: m, s: s), NaiveShift.hit(a: a, m: m, s: s))
        case "p_up", "p_down", "mean_exit_ms":
            guard let b = p.b else { return 0 }
            let e0 = NaiveShift.exit(a: a, b: b, m: m, s: s), e1 = NaiveShift.exit(a: a + shift, b: b + shift, m: m, s: s)
            switch observable {
            case "p_up": return rel(e1.up, e0.up)
            case "p_down": return rel(1 - e1.up, 1 - e0.up)
            default: return rel(e1.mean, e0.mean)
            }
        case "max_cdf":
            guard let t = p.t, let y = p.y else { return 0 }
            return rel(1 - NaiveShift.cdf(t: t, a: y + shift, m: m, s: s), 1 - NaiveShift.cdf(t: t, a: y, m: m, s: s))
        case "mean_max_mv":
            guard let t = p.t else { return 0 }
            return shift / NaiveShift.meanMax(t: t, m: m, s: s)
        default: return 0
        }
    }

    public func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                                  precision: Double) -> RunOptions {
        // Relative variance per path of each predicted observable; size for the worst one.
        var relVar = 1.0
        for (name, v) in predictions where v.isFinite && v > 0 {
            switch name {
            case "fpt_cdf", "p_hit_ever", "p_up", "p_down", "max_cdf": relVar = max(relVar, min((1 - v) / v, 1e4))
            case "mean_fpt_ms": relVar = max(relVar, pow(predictions["cv_fpt"] ?? 1, 2))
            default: break
            }
        }
        var o = options
        o.samples = Int(min(1e6, max(2e4, relVar / (precision * precision))).rounded(.up))
        return o
    }
}

/// Closed forms of THEORY §3 in plain Foundation double precision, only for sizing the naive scheme's
/// declared error (a ~1 % quantity; the estimator's stable forms live in the `wiener` plugin).
enum NaiveShift {
    static func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    static func cdf(t: Double, a: Double, m: Double, s: Double) -> Double {
        let st = s * t.squareRoot()
        let z1 = (m * t - a) / st, z2 = (m * t + a) / st
        // e^{κa} Φ(−z2) = ½ e^{−z1²/2} erfcx(z2/√2); erfcx by exp·erfc is fine for z2/√2 < 26.
        let w2 = z2 / 2.0.squareRoot()
        let term2 = w2 >= 0 && w2 < 26 ? 0.5 * exp(-0.5 * z1 * z1 + w2 * w2) * erfc(w2)
                  : (w2 >= 26 ? 0.5 * exp(-0.5 * z1 * z1) / (w2 * 1.7724538509055160) : exp(2 * m * a / (s * s)) * phi(-z2))
        return phi(z1) + term2
    }
    static func hit(a: Double, m: Double, s: Double) -> Double { m >= 0 ? 1 : exp(2 * m * a / (s * s)) }
    static func exit(a: Double, b: Double, m: Double, s: Double) -> (up: Double, mean: Double) {
        let k = 2 * m / (s * s), l = a + b
        if abs(k * l) < 1e-6 { return (b / l, a * b / (s * s)) }
        let up = k > 0 ? expm1(-k * b) / expm1(-k * l) : exp(k * a) * expm1(k * b) / expm1(k * l)
        return (up, (up * l - b) / m)
    }
    static func meanMax(t: Double, m: Double, s: Double) -> Double {
        if m == 0 { return s * (2 * t / Double.pi).squareRoot() }
        let z = m * t.squareRoot() / s
        return m * t * phi(z) + s * t.squareRoot() * exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            + s * s / (2 * m) * erf(z / 2.0.squareRoot())
    }
}
