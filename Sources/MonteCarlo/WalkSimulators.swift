// Exact simulators of the discrete-time models of THEORY §4 / §9.4: the Gaussian walk itself
// (`gaussian-walk`) and the leaky discrete neuron (`leaky-discrete`). No discretisation: the simulator
// error is 0. Eight walks per SIMD vector; a lane that finishes its walk starts the block's next one, so
// lanes never idle while a slow walk finishes. Blocks are the batch-means units (grouped into ≤ 64 batches).
import Foundation

/// Groups per-block results into ≤ 64 contiguous batches and forms a batch-means estimate.
func walkEstimate<B>(_ blocks: [B], _ sum: ([B]) -> B, _ f: (B) -> Double) -> Estimate {
    let batches = BatchMeans.batches(blocks).map { sum(Array($0)) }
    return BatchMeans.estimate(pooled: f(sum(blocks)), batchValues: batches.map(f))
}

/// Walks or neurons per block: `preferred`, or fewer (a multiple of 8) so that a small run still has ≥ 20
/// blocks, the least a batch-means error needs (with 512 per block, 1000 walks made 2 blocks and an SE of 5e-5
/// for a proportion near 0.998). Depends on the sample count only, so a run stays a function of its inputs.
func unitsPerBlock(samples: Int, preferred: Int) -> Int {
    samples >= 20 * preferred ? preferred : max(8, samples / 160 * 8)
}

/// A run's cost (walk- or neuron-steps) is bounded before it starts: beyond this, minutes to hours.
let walkWorkLimit = 2e11

public struct GaussianWalkSimulator: ModelSimulator {
    public let name = "gaussian-walk"
    public let summary = "Gaussian random walk x0 + sum of N(m, s^2) steps until it reaches a (exact; THEORY §9.4)"
    public let parameters: [SimulatorParameter] = [
        SimulatorParameter(name: "x0", unit: "mV", summary: "start of the walk (< a)", defaultValue: 0),
        SimulatorParameter(name: "a", unit: "mV", summary: "barrier", defaultValue: nil),
        SimulatorParameter(name: "m", unit: "mV/step", summary: "mean step", defaultValue: nil),
        SimulatorParameter(name: "s", unit: "mV/step", summary: "standard deviation of a step", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "n", unit: "steps", summary: "horizon for P(N <= n)", defaultValue: nil, min: 1, integer: true),
    ]
    public let observables = [
        ObservableSpec("p_cross_by_n", unit: "1", summary: "fraction of walks with N <= n"),
        ObservableSpec("mean_n", unit: "steps", summary: "mean of N, every walk run until it crosses (m > 0)"),
        ObservableSpec("p_cross_ever", unit: "1", summary: "fraction of walks that ever cross (m < 0: walks 30/gamma below a are dropped, bias < e^-30)"),
    ]
    public let options: Set<String> = []
    public let defaultSamples = 200_000
    /// Walks per block (the batch-means unit).
    static let walksPerBlock = 512
    public init() {}

    public func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        guard let x0 = v["x0"], let a = v["a"], x0 < a else {
            throw SimulatorInputError("parameter 'x0' = \(v["x0"] ?? .nan) mV is out of range (valid: < a = \(v["a"] ?? .nan) mV)")
        }
        guard let n = v["n"], n >= 1, n == n.rounded(), n <= 1e7 else {
            throw SimulatorInputError("parameter 'n' = \(v["n"] ?? .nan) is out of range (valid: an integer in [1, 1e7])")
        }
        guard let s = v["s"], s > 0, s.isFinite else { throw SimulatorInputError("parameter 's' = \(v["s"] ?? .nan) mV/step is out of range (valid: > 0)") }
        guard options.samples >= 160 else {
            throw SimulatorInputError("samples = \(options.samples) is out of range (valid: >= 160; >= 20 blocks of 8 for batch-means errors)")
        }
        // Expected steps per walk: to the barrier (m > 0), to the drop level (m < 0) or n (m = 0), at most the cap.
        let m = v["m"] ?? 0, gap = a - x0
        guard gap.isFinite, m.isFinite else {
            throw SimulatorInputError("parameters 'a' - 'x0' = \(gap) mV and 'm' = \(m) mV/step must be finite numbers")
        }
        let expected: Double
        if m == 0 { expected = n } else {
            let dropDepth = 30 / (2 * abs(m) / (s * s))
            expected = m > 0 ? gap / m + 1 : max(dropDepth - gap, 0) / abs(m) + 1
        }
        let work = Double(options.samples) * expected
        guard work <= walkWorkLimit else {
            throw SimulatorInputError("run too large: about \(String(format: "%.2g", work)) walk-steps (\(options.samples) walks × " +
                                      "\(String(format: "%.2g", expected)) expected steps each; limit \(String(format: "%.0e", walkWorkLimit))): " +
                                      "reduce 'samples', or the barrier distance relative to the drift")
        }
        return options
    }

    struct Block {
        var walks = 0, byN = 0, crossed = 0, capped = 0
        var sumN = 0.0, steps = 0.0
        static func sum(_ b: [Block]) -> Block {
            var s = Block()
            for x in b { s.walks += x.walks; s.byN += x.byN; s.crossed += x.crossed; s.capped += x.capped; s.sumN += x.sumN; s.steps += x.steps }
            return s
        }
    }

    /// For m > 0 the walks run until they cross; the cap is where a walk is still below the barrier with
    /// probability < Q(12) (it is reported if ever reached). For m < 0 a walk that falls D = 30/γ below a
    /// (γ = 2|m|/s²) is dropped: it would still cross with probability ≤ e^{−γD} = e^{−30} (Lundberg).
    /// For m = 0 walks stop at n (E[N] = ∞ and P(N < ∞) = 1 are not simulated).
    static func limits(x0: Double, a: Double, m: Double, s: Double, n: Int) -> (cap: Int, drop: Double) {
        if m == 0 { return (n, -.infinity) }
        var k = 1.0
        while Double(k) * abs(m) - (a - x0 + 10 * s) < 12 * s * k.squareRoot() { k *= 1.25 }
        let cap = max(n, Int(k.rounded(.up)) + (m < 0 ? 8 * Int((30 / (2 * abs(m) / (s * s))) / abs(m)) : 0))
        return (cap, m < 0 ? a - 30 / (2 * abs(m) / (s * s)) : -.infinity)
    }

    public func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let x0 = v["x0"]!, a = v["a"]!, m = v["m"]!, s = v["s"]!, n = Int(v["n"]!)
        let (cap, drop) = Self.limits(x0: x0, a: a, m: m, s: s, n: n)
        let per = unitsPerBlock(samples: o.samples, preferred: Self.walksPerBlock)
        let nBlocks = (o.samples + per - 1) / per
        let blocks = BlockRunner.run(blocks: nBlocks, threads: o.threads, progress: progress) { b -> Block in
            var normals = NormalBuffer(LaneRNG(seed: o.seed, stream: UInt64(b)))
            defer { normals.release() }
            let walks = min(per, o.samples - b * per)
            var r = Block()
            r.walks = walks
            var started = min(8, walks)
            var active = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(started)
            var x = V8(repeating: x0), k = V8.zero
            let capV = V8(repeating: Double(cap))
            var laneSteps = 0.0
            while any(active) {
                k += 1
                x += m + s * normals.next()
                laneSteps += 8
                let crossed = active .& (x .>= a)
                let dropped = active .& .!crossed .& (x .<= drop)
                let done = crossed .| dropped .| (active .& (k .>= capV))
                if any(done) {
                    for lane in 0..<8 where done[lane] {
                        if crossed[lane] {
                            r.crossed += 1
                            r.sumN += k[lane]
                            if k[lane] <= Double(n) { r.byN += 1 }
                        } else if !dropped[lane] && m != 0 {
                            r.capped += 1               // m = 0: stopping at n is the plan, not a cap
                            r.sumN += k[lane]
                        }
                        if started < walks {
                            started += 1
                            x[lane] = x0; k[lane] = 0
                        } else {
                            active[lane] = false
                        }
                    }
                }
            }
            r.steps = laneSteps
            return r
        }
        var obs: [(name: String, estimate: Estimate)] = [
            ("p_cross_by_n", walkEstimate(blocks, Block.sum) { Double($0.byN) / Double($0.walks) }),
        ]
        if m > 0 { obs.append(("mean_n", walkEstimate(blocks, Block.sum) { $0.sumN / Double($0.walks) })) }
        if m != 0 { obs.append(("p_cross_ever", walkEstimate(blocks, Block.sum) { Double($0.crossed) / Double($0.walks) })) }
        let total = Block.sum(blocks)
        var run = ModelRun(observables: obs, work: total.steps, workUnit: "walk-steps", seconds: Date().timeIntervalSince(start))
        if total.capped > 0 {
            run.notes.append("\(total.capped) walks had neither crossed nor been dropped after \(cap) steps (counted with N = \(cap), not crossed): mean_n and p_cross_ever are biased low")
        }
        run.details = [("walks", "\(o.samples)"), ("step_cap", "\(cap)")] + (m < 0 ? [("drop_below_mv", "\(drop)")] : [])
        return run
    }

    public func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                                  precision: Double) -> RunOptions {
        var o = options
        // Binomial SE of p: sqrt(p(1-p)/N) = precision·p.
        var need = 10_000.0
        for key in ["p_cross_by_n", "p_cross_ever"] {
            if let p = predictions[key], p > 0, p < 1 { need = max(need, (1 - p) / (p * precision * precision)) }
        }
        if let mean = predictions["mean_n"], let m = values["m"], let s = values["s"], let a = values["a"], m > 0 {
            let variance = max(1, (a - (values["x0"] ?? 0) + s) * s * s / (m * m * m))
            need = max(need, variance / (mean * mean * precision * precision))
        }
        o.samples = Int(min(need, 4e6).rounded(.up))
        return o
    }
}

public struct LeakyDiscreteSimulator: ModelSimulator {
    public let name = "leaky-discrete"
    public let summary = "Leaky discrete-time neuron V' = beta U + N(m, s^2), spike and reset/subtract within the step (exact; THEORY §9.4)"
    public let parameters: [SimulatorParameter] = [
        SimulatorParameter(name: "beta", unit: "1", summary: "leak factor per step", defaultValue: nil, min: 0, max: 1, maxExclusive: true),
        SimulatorParameter(name: "m", unit: "mV", summary: "mean input per step", defaultValue: nil),
        SimulatorParameter(name: "s", unit: "mV", summary: "input standard deviation per step", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "theta", unit: "mV", summary: "threshold", defaultValue: 1),
        SimulatorParameter(name: "v_reset", unit: "mV", summary: "reset potential (< theta)", defaultValue: 0),
        SimulatorParameter(name: "mode", unit: "1", summary: "reset or subtract", defaultValue: 0, choices: ["reset", "subtract"]),
        SimulatorParameter(name: "time_step", unit: "ms", summary: "length of a step (for rate_hz)", defaultValue: nil, min: 0,
                           minExclusive: true, optional: true),
    ]
    public let observables = [
        ObservableSpec("spike_prob", unit: "1", summary: "spikes per neuron and step in the window"),
        ObservableSpec("rate_hz", unit: "Hz", summary: "1000 spike_prob / time_step (with time_step)"),
    ]
    /// time and burn_in in ms of model time (steps × time_step), or in steps when time_step is absent.
    public let options: Set<String> = ["time", "burn_in"]
    public let defaultSamples = 100_000
    static let neuronsPerBlock = 256
    public init() {}

    /// Default window 350 steps (THEORY §9.4); burn-in max(150, 16/(−ln β)) steps, so that β^burn-in ≤ e^{-16}.
    static func steps(_ v: [String: Double], _ o: RunOptions) -> (window: Double, burnIn: Double) {
        let unit = v["time_step"].flatMap { $0.isNaN ? nil : $0 } ?? 1
        let beta = v["beta"]!
        let defaultBurn = max(150, (16 / -log(max(beta, 1e-300))).rounded(.up))
        return (o.time.map { ($0 / unit).rounded() } ?? 350, o.burnIn.map { ($0 / unit).rounded() } ?? defaultBurn)
    }

    public func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        guard let th = v["theta"], let vr = v["v_reset"], vr < th else {
            throw SimulatorInputError("parameter 'v_reset' = \(v["v_reset"] ?? .nan) mV is out of range (valid: < theta = \(v["theta"] ?? .nan) mV)")
        }
        guard let beta = v["beta"], beta >= 0, beta < 1 else { throw SimulatorInputError("parameter 'beta' = \(v["beta"] ?? .nan) is out of range (valid: [0, 1))") }
        let (w, b) = Self.steps(v, options)
        guard w >= 1, b >= 0 else {
            throw SimulatorInputError("time = \(options.time ?? .nan) gives \(plainNumber(w)) steps (valid: >= 1 step, burn_in >= 0)")
        }
        guard options.samples >= 160 else {
            throw SimulatorInputError("samples = \(options.samples) is out of range (valid: >= 160; >= 20 blocks of 8 for batch-means errors)")
        }
        let work = Double(options.samples) * (w + b)
        guard work <= walkWorkLimit else {
            throw SimulatorInputError("run too large: \(String(format: "%.2g", work)) neuron-steps (\(options.samples) neurons × " +
                                      "\(plainNumber(w + b)) steps of window and burn-in; limit \(String(format: "%.0e", walkWorkLimit))): " +
                                      "reduce 'samples', 'time' or 'burn_in', or lengthen 'time_step'")
        }
        return options
    }

    struct Block {
        var neurons = 0, spikes = 0.0
        static func sum(_ b: [Block]) -> Block {
            var s = Block()
            for x in b { s.neurons += x.neurons; s.spikes += x.spikes }
            return s
        }
    }

    public func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let beta = v["beta"]!, m = v["m"]!, s = v["s"]!, theta = v["theta"]!, vr = v["v_reset"]!
        let subtract = Int(v["mode"]!) == 1
        let timeStep = v["time_step"].flatMap { $0.isNaN ? nil : $0 }
        let (windowSteps, burnSteps) = Self.steps(v, o)
        let window = Int(windowSteps), burn = Int(burnSteps)  // ≤ 2e11 (resolve)
        let per = unitsPerBlock(samples: o.samples, preferred: Self.neuronsPerBlock)
        let nBlocks = (o.samples + per - 1) / per
        let blocks = BlockRunner.run(blocks: nBlocks, threads: o.threads, progress: progress) { b -> Block in
            var normals = NormalBuffer(LaneRNG(seed: o.seed, stream: UInt64(b)))
            defer { normals.release() }
            let neurons = min(per, o.samples - b * per)
            var r = Block()
            r.neurons = neurons
            var vec = 0
            while vec * 8 < neurons {
                let live = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(neurons - vec * 8)
                var u = V8(repeating: subtract ? 0 : vr)
                var count = V8.zero
                let one = V8(repeating: 1), vrV = V8(repeating: vr)
                for t in 0..<(burn + window) {
                    let vp = beta * u + m + s * normals.next()
                    let spike = vp .>= theta
                    u = blend(spike, subtract ? vp - theta : vrV, vp)
                    if t >= burn { count += blend(spike .& live, one, .zero) }
                }
                r.spikes += count.sum()
                vec += 1
            }
            return r
        }
        let w = Double(window)
        var obs: [(name: String, estimate: Estimate)] = [
            ("spike_prob", walkEstimate(blocks, Block.sum) { $0.spikes / (Double($0.neurons) * w) }),
        ]
        if let dt = timeStep {
            obs.append(("rate_hz", walkEstimate(blocks, Block.sum) { 1000 * $0.spikes / (Double($0.neurons) * w * dt) }))
        }
        var run = ModelRun(observables: obs, work: Double(o.samples) * Double(burn + window), workUnit: "neuron-steps",
                           seconds: Date().timeIntervalSince(start))
        run.details = [("window_steps", "\(window)"), ("burn_in_steps", "\(burn)"), ("mode", subtract ? "subtract" : "reset")]
        return run
    }

    public func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                                  precision: Double) -> RunOptions {
        var o = options
        let (window, _) = Self.steps(values, options)
        if let r = predictions["spike_prob"], r > 0 {
            // Per-neuron counts over the window: Var ≲ r·window (Fano factor ≤ 1 for a refractory-free
            // threshold unit is not guaranteed: a factor 2 margin).
            o.samples = Int(min(4e6, max(10_000, 2 / (r * Double(window) * precision * precision))).rounded(.up))
        }
        return o
    }
}
