// `lif-current` (THEORY §9.6): the free current-based LIF with exponential synapses driven by n Poisson
// inputs, weights drawn once per neuron — the model of `fluctuation-init`. Continuous time: exact and
// event-driven (between inputs I and U are sums of two exponentials, and ∫U, ∫U² have closed forms).
// With `time_step`: stork's discrete recursion I ← d2 I + input, U ← d1 U + (1 − d1) I, Poisson counts.
import Foundation

public struct CurrentLIFSimulator: ModelSimulator {
    public let name = "lif-current"
    public let summary = "free current-based LIF, exponential synapses, Poisson inputs, weights drawn per neuron (THEORY §9.6)"
    public let parameters = [
        SimulatorParameter(name: "n", unit: "1", summary: "fan-in", defaultValue: nil, min: 1, max: 1_000_000, integer: true),
        SimulatorParameter(name: "nu", unit: "Hz", summary: "Poisson rate of every input", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_m", unit: "ms", summary: "membrane time constant", defaultValue: 20, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_syn", unit: "ms", summary: "synaptic time constant", defaultValue: 5, min: 0, minExclusive: true),
        SimulatorParameter(name: "time_step", unit: "ms", summary: "discrete-time SNN step (stork recursion)", defaultValue: nil, min: 0, minExclusive: true, optional: true),
        SimulatorParameter(name: "mu_w", unit: "1", summary: "weight mean", defaultValue: 0),
        SimulatorParameter(name: "sigma_w", unit: "1", summary: "weight std", defaultValue: 0, min: 0),
        SimulatorParameter(name: "n_rec", unit: "1", summary: "second (recurrent) group of inputs at rate nu", defaultValue: nil, min: 1, optional: true, integer: true),
        SimulatorParameter(name: "sigma_w_rec", unit: "1", summary: "weight std of the second group (mean mu_w)", defaultValue: nil, min: 0, optional: true),
        SimulatorParameter(name: "n_inh", unit: "1", summary: "Dale variant (not simulated)", defaultValue: nil, min: 1, optional: true, integer: true),
    ]
    public let observables = [
        ObservableSpec("mean_u", unit: "1", summary: "time average of U, mean over neurons"),
        ObservableSpec("std_u", unit: "1", summary: "sqrt of the per-neuron temporal variance, averaged over neurons"),
        ObservableSpec("std_u_across", unit: "1", summary: "std of U over neurons and time (temporal + quenched)"),
    ]
    public let options: Set<String> = ["time", "burn_in"]
    public let defaultSamples = 400
    public init() {}

    public func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        if v["n_inh"] != nil { throw SimulatorInputError("the Dale variant (n_inh, exponential weights with two synaptic time constants) has no simulator yet") }
        if v["n_rec"] != nil && v["sigma_w_rec"] == nil { throw SimulatorInputError("n_rec needs sigma_w_rec (the recurrent group's weight std)") }
        let tm = v["tau_m"]!, ts = v["tau_syn"]!
        if v["time_step"] == nil && abs(tm - ts) < 1e-3 * tm {
            throw SimulatorInputError("the continuous-time simulator needs tau_syn != tau_m (|difference| >= 1e-3 tau_m); use time_step for equal time constants")
        }
        var o = options
        o.time = o.time ?? 10_000
        o.burnIn = o.burnIn ?? 20 * max(tm, ts)
        // Found by checkSimulator: a negative window ran and gave NaN statistics.
        guard o.time! > 0, o.time!.isFinite else {
            throw SimulatorInputError("option 'time' = \(plainNumber(o.time!)) ms is out of range (valid: > 0 ms)")
        }
        guard o.burnIn! >= 0, o.burnIn!.isFinite else {
            throw SimulatorInputError("option 'burn_in' = \(plainNumber(o.burnIn!)) ms is out of range (valid: >= 0 ms)")
        }
        if let dt = v["time_step"] { guard o.time! >= 100 * dt else { throw SimulatorInputError("option 'time' must cover >= 100 time steps") } }
        let events = o.time! * Double(o.samples) * (v["n"]! + (v["n_rec"] ?? 0)) * v["nu"]! / 1000
        guard events <= 1e11 else { throw SimulatorInputError("about \(events) input events is too large a run (limit 1e11)") }
        return o
    }

    struct Block { var m: [Double] = [], s: [Double] = [], within: [Double] = [], events = 0.0 }

    public func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let nBlocks = (o.samples + 7) / 8
        let blocks = BlockRunner.run(blocks: nBlocks, threads: o.threads, progress: progress) { b -> Block in
            v["time_step"] == nil ? continuousBlock(b, v, o) : discreteBlock(b, v, o)
        }
        // Observables of a group of neurons; batch means over contiguous groups of blocks.
        func observables(_ g: ArraySlice<Block>) -> (mean: Double, std: Double, across: Double) {
            let m = g.flatMap(\.m), s = g.flatMap(\.s), w = g.flatMap(\.within)
            let count = Double(m.count)
            let mean = m.reduce(0, +) / count
            let between = m.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, count - 1)
            let withinAll = zip(s, m).reduce(0) { $0 + $1.0 - $1.1 * $1.1 } / count
            return (mean, (w.reduce(0, +) / count).squareRoot(), (withinAll + between).squareRoot())
        }
        let batches = BatchMeans.batches(blocks).map(observables)
        let all = observables(blocks[...])
        var run = ModelRun(observables: [
            ("mean_u", BatchMeans.estimate(pooled: all.mean, batchValues: batches.map(\.mean))),
            ("std_u", BatchMeans.estimate(pooled: all.std, batchValues: batches.map(\.std))),
            ("std_u_across", BatchMeans.estimate(pooled: all.across, batchValues: batches.map(\.across))),
        ], work: blocks.reduce(0) { $0 + $1.events }, workUnit: "input events", seconds: Date().timeIntervalSince(start))
        run.details = [("kernel", v["time_step"] == nil ? "continuous (exact, event-driven)" : "discrete (stork recursion)")]
        return run
    }

    /// Weights of 8 neurons (lane-major per input), and each lane's sum (its exact mean is ν ε̄ Σw).
    func weights(_ b: Int, _ v: [String: Double], _ o: RunOptions) -> (w: [V8], sum: V8) {
        let n = Int(v["n"]!), nRec = Int(v["n_rec"] ?? 0)
        var normals = NormalBuffer(LaneRNG(seed: o.seed, stream: 2 * UInt64(b)))
        defer { normals.release() }
        var w = [V8](repeating: .zero, count: n + nRec), sum = V8.zero
        for j in 0..<(n + nRec) {
            w[j] = v["mu_w"]! + (j < n ? v["sigma_w"]! : v["sigma_w_rec"]!) * normals.next()
            sum += w[j]
        }
        return (w, sum)
    }

    func continuousBlock(_ b: Int, _ v: [String: Double], _ o: RunOptions) -> Block {
        let lanes = min(8, o.samples - 8 * b)
        let (w, wSum) = weights(b, v, o)
        var rng = LaneRNG(seed: o.seed, stream: 2 * UInt64(b) + 1)
        let tm = v["tau_m"]!, ts = v["tau_syn"]!
        let a = 1 / tm, bb = 1 / ts, k = ts / (ts - tm)
        let inputs = w.count, rate = Double(inputs) * v["nu"]! / 1000
        let windowStart = o.burnIn!, windowEnd = o.burnIn! + o.time!
        let exactMean = v["nu"]! / 1000 * ts * wSum          // ν ε̄ Σ_j w_j per lane
        // Evolution over Δ from (U, I): U = A e^{−aΔ} + B e^{−bΔ}, A = U − kI, B = kI, I' = I e^{−bΔ}; and the
        // integrals of U and U² over [0, Δ] (zero where Δ = 0).
        @inline(__always) func integrate(_ u: V8, _ i: V8, _ d: V8) -> (u: V8, i: V8, iu: V8, iu2: V8) {
            let ea = VectorMath.exp(-a * d), eb = VectorMath.exp(-bb * d)
            let bCoef = k * i, aCoef = u - bCoef
            let iu = aCoef * (1 - ea) / a + bCoef * (1 - eb) / bb
            let termA: V8 = aCoef * aCoef * (1 - ea * ea) / (2 * a)
            let termAB: V8 = 2 * aCoef * bCoef * (1 - ea * eb) / (a + bb)
            let termB: V8 = bCoef * bCoef * (1 - eb * eb) / (2 * bb)
            let iu2 = termA + termAB + termB
            return (aCoef * ea + bCoef * eb, i * eb, iu, iu2)
        }
        var u = V8.zero, cur = V8.zero, t = V8.zero
        var sumU = V8.zero, sumU2 = V8.zero, sumC = V8.zero      // ∫U, ∫U², ∫(U − μ_i)² over the window
        var events = 0.0
        while true {
            let running = t .< windowEnd
            if !any(running) { break }
            let gap = -VectorMath.log(rng.uniform()) / rate
            let next = t + gap
            // Burn-in part (no statistics), then the part of [t, next] inside the window.
            let lo = V8(repeating: windowStart).clamped(lowerBound: t, upperBound: next)
            let hi = next.clamped(lowerBound: t, upperBound: V8(repeating: windowEnd))
            let first = integrate(u, cur, lo - t)
            let inside = integrate(first.u, first.i, (hi - lo).replacing(with: 0, where: hi .< lo))
            let rest = integrate(inside.u, inside.i, next - hi)
            let keep = running
            sumU += blend(keep, inside.iu, .zero)
            sumU2 += blend(keep, inside.iu2, .zero)
            sumC += blend(keep, inside.iu2 - 2 * exactMean * inside.iu + exactMean * exactMean * (hi - lo).replacing(with: 0, where: hi .< lo), .zero)
            let pick = rng.uniform() * Double(inputs)
            var jump = V8.zero
            for lane in 0..<8 { jump[lane] = w[min(inputs - 1, Int(pick[lane]))][lane] }
            u = blend(keep, rest.u, u)
            cur = blend(keep, rest.i + jump, cur)
            t = blend(keep, next, t)
            events += Double(lanes)
        }
        var r = Block(events: events)
        let T = o.time!
        for lane in 0..<lanes { r.m.append(sumU[lane] / T); r.s.append(sumU2[lane] / T); r.within.append(sumC[lane] / T) }
        return r
    }

    func discreteBlock(_ b: Int, _ v: [String: Double], _ o: RunOptions) -> Block {
        let lanes = min(8, o.samples - 8 * b)
        let (w, wSum) = weights(b, v, o)
        var rng = LaneRNG(seed: o.seed, stream: 2 * UInt64(b) + 1)
        let dt = v["time_step"]!, tm = v["tau_m"]!, ts = v["tau_syn"]!
        let d1 = exp(-dt / tm), d2 = exp(-dt / ts)
        let inputs = w.count, lambda = Double(inputs) * v["nu"]! / 1000 * dt
        let expMinusLambda = exp(-lambda)
        let exactMean = v["nu"]! / 1000 * (dt / -expm1(-dt / ts)) * wSum       // ν ε̄_Δt Σ w
        let burn = Int((o.burnIn! / dt).rounded()), steps = Int((o.time! / dt).rounded())
        var u = V8.zero, cur = V8.zero, sumU = V8.zero, sumU2 = V8.zero, sumC = V8.zero
        var events = 0.0
        for step in 0..<(burn + steps) {
            // Poisson(λ) input events per lane by inversion (λ = n ν Δt is small in an SNN), uniform sources.
            var input = V8.zero
            var uniforms = rng.uniform()
            for lane in 0..<lanes {
                var p = expMinusLambda, cdf = p, count = 0
                var x = uniforms[lane]
                while x > cdf && count < 10_000 { count += 1; p *= lambda / Double(count); cdf += p }
                for _ in 0..<count {
                    uniforms = rng.uniform()
                    x = uniforms[lane]
                    input[lane] += w[min(inputs - 1, Int(x * Double(inputs)))][lane]
                }
                events += Double(count)
            }
            cur = d2 * cur + input
            u = d1 * u + (1 - d1) * cur
            if step >= burn {
                sumU += u; sumU2 += u * u
                let c = u - exactMean
                sumC += c * c
            }
        }
        var r = Block(events: events)
        let count = Double(steps)
        for lane in 0..<lanes { r.m.append(sumU[lane] / count); r.s.append(sumU2[lane] / count); r.within.append(sumC[lane] / count) }
        return r
    }
}
