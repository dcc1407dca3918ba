// `lif-shot`: the LIF driven by Poisson shot noise with exponential jumps (THEORY §5.1), simulated
// event by event and exactly between input events (§9.5): the next input arrives after Δt ~ Exp(R_e + R_i),
// V decays by e^{−Δt/τ_m}, then jumps by +a_e·Exp(1) (probability R_e/(R_e + R_i)) or −a_i·Exp(1); a jump
// to V ≥ θ is a spike, V ← V_r and the lane's clock advances by τ_ref (input during it is lost; the
// next input after it is again Exp-distributed by memorylessness). No time step: no discretisation error.
//
// Eight neurons per SIMD block, each lane with its own event clock; a block runs until every lane's
// clock has passed the end of the window [burn-in, burn-in + T]. Statistics over the window:
// * rate_hz: spikes in the window / (neurons · T);
// * mean_v_mv: ∫ V dt over non-refractory time / non-refractory time, with the exact integral of the
//   decay between events, ∫ V0 e^{−s/τ} ds = τ (V_start − V_end);
// * mean_free_v_mv, var_free_v_mv2 and the free density: a second process per lane without threshold
//   (its own clock, the same input statistics), checking THEORY §5.2;
// * density_per_mv: exact non-refractory time spent in each bin / all time / bin width (DESIGN.md §5):
//   between events ln|V| falls linearly at rate 1/τ, so the time in a bin is τ × the overlap of
//   [ln|V_end|, ln|V_start|] with the bin's log-edges — no sampling, no snapshot times.
import Foundation

public struct ShotNoiseModelParameters: Sendable {
    public var rE, rI, aE, aI, theta, vReset, tauM, tauRef: Double      // rates in 1/ms
    public init(rE: Double, aE: Double, rI: Double = 0, aI: Double = 0, theta: Double = 20, vReset: Double = 10,
                tauM: Double = 20, tauRef: Double = 2) {
        self.rE = rE; self.aE = aE; self.rI = rI; self.aI = rI > 0 ? aI : 0; self.theta = theta
        self.vReset = vReset; self.tauM = tauM; self.tauRef = tauRef
    }
}

/// What one block of ≤ 8 neurons saw in the window.
public struct ShotNoiseBlockResult: Sendable {
    public var neurons = 0
    public var spikes = 0.0
    public var events = 0.0                     // input events processed (both processes, all lanes, whole run)
    public var nonRefractoryTime = 0.0, vIntegral = 0.0
    public var histogram: [Double] = []         // non-refractory time per bin [ms]
    /// The free membrane (no threshold, THEORY §5.2), driven by the same kind of input in the same lanes:
    /// time in the window, ∫V dt, ∫V² dt, and time per bin.
    public var freeTime = 0.0, freeIntegral = 0.0, freeIntegral2 = 0.0
    public var freeHistogram: [Double] = []
}

public enum ShotNoiseKernel {
    /// Simulates `lanes` neurons of one block with the RNG stream of block `block`.
    public static func simulateBlock(_ p: ShotNoiseModelParameters, lanes: Int, seed: UInt64, block: Int,
                                     burnIn: Double, time: Double, density: DensityGrid?) -> ShotNoiseBlockResult {
        var rng = ExponentialBuffer(LaneRNG(seed: seed, stream: UInt64(block)))
        defer { rng.release() }
        let rTotal = p.rE + p.rI
        let invR = 1 / rTotal, pE = p.rE / rTotal, invTau = 1 / p.tauM, tau = p.tauM
        let w0 = burnIn, w1 = burnIn + time
        let active = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(lanes)
        var r = ShotNoiseBlockResult()
        r.neurons = lanes
        // Density: log-edges on each side of 0 (see addTime).
        let bins = density?.bins ?? 0
        var lnPos = [Double](), lnNeg = [Double]()
        var hist = [Double](repeating: 0, count: bins), histFree = [Double](repeating: 0, count: bins)
        if let g = density {
            for k in 0...bins {
                let e = g.vMin + Double(k) * g.width
                lnPos.append(e > 0 ? Foundation.log(e) : -.infinity)
                lnNeg.append(e < 0 ? Foundation.log(-e) : -.infinity)
            }
        }

        var v = V8(repeating: p.vReset)
        var t = V8.zero
        var spikes = V8.zero, events = V8.zero, nonRef = V8.zero, vInt = V8.zero
        // The free process: its own clock (it never pauses), the same decay factor and jump per event.
        var u = V8(repeating: p.tauM * (p.rE * p.aE - p.rI * p.aI)), tf = V8.zero      // starts at the Campbell mean
        var fTime = V8.zero, fInt = V8.zero, fInt2 = V8.zero
        let halfTau = 0.5 * tau
        let one = V8(repeating: 1), zero = V8.zero
        let vW0 = V8(repeating: w0), vW1 = V8(repeating: w1)
        let excitatoryOnly = p.rI == 0, allTrue = V8(repeating: 0) .== 0
        while true {
            let live = active .& (t .< w1), liveFree = active .& (tf .< w1)
            if !any(live .| liveFree) { break }
            let dt = rng.next() * invR
            let tNew = t + dt
            let decay = VectorMath.exp(-dt * invTau)
            let vEnd = v * decay                                             // just before the jump
            // Non-refractory decay segment [t, tNew] ∩ window.
            let inside = (t .>= w0) .& (tNew .<= w1)
            if all((tNew .<= w0) .| .!live) {
                // Burn-in: nothing to record.
            } else if all(inside .| .!live) {
                nonRef += blend(live, dt, zero)
                vInt += blend(live, tau * (v - vEnd), zero)
                if bins > 0 { addTime(v, vEnd, dt, live, &hist, lnPos, lnNeg, density!, tau) }
            } else {
                let lo = pointwiseMin(pointwiseMax(t, vW0), vW1), hi = pointwiseMin(pointwiseMax(tNew, vW0), vW1)
                let va = v * VectorMath.exp(-(lo - t) * invTau), vb = v * VectorMath.exp(-(hi - t) * invTau)
                let seg = blend(live, hi - lo, zero)
                nonRef += seg
                vInt += blend(live, tau * (va - vb), zero)
                if bins > 0 { addTime(va, vb, seg, live .& (seg .> 0), &hist, lnPos, lnNeg, density!, tau) }
            }
            // The free process over [tf, tf + dt] ∩ window: ∫u = τ(u_a − u_b), ∫u² = (τ/2)(u_a² − u_b²).
            let tfNew = tf + dt, uEnd = u * decay
            if all((tfNew .<= w0) .| .!liveFree) {
            } else if all(((tf .>= w0) .& (tfNew .<= w1)) .| .!liveFree) {
                fTime += blend(liveFree, dt, zero)
                fInt += blend(liveFree, tau * (u - uEnd), zero)
                fInt2 += blend(liveFree, halfTau * (u * u - uEnd * uEnd), zero)
                if bins > 0 { addTime(u, uEnd, dt, liveFree, &histFree, lnPos, lnNeg, density!, tau) }
            } else {
                let lo = pointwiseMin(pointwiseMax(tf, vW0), vW1), hi = pointwiseMin(pointwiseMax(tfNew, vW0), vW1)
                let ua = u * VectorMath.exp(-(lo - tf) * invTau), ub = u * VectorMath.exp(-(hi - tf) * invTau)
                let seg = blend(liveFree, hi - lo, zero)
                fTime += seg
                fInt += blend(liveFree, tau * (ua - ub), zero)
                fInt2 += blend(liveFree, halfTau * (ua * ua - ub * ub), zero)
                if bins > 0 { addTime(ua, ub, seg, liveFree .& (seg .> 0), &histFree, lnPos, lnNeg, density!, tau) }
            }
            // The jump (shared by both processes).
            let isE = excitatoryOnly ? allTrue : rng.uniform() .< pE       // no draw without inhibition
            let amplitude = rng.next()
            let jump = blend(isE, p.aE * amplitude, -p.aI * amplitude)
            u = uEnd + jump
            tf = tfNew
            let vNew = vEnd + jump
            let spike = live .& isE .& (vNew .>= p.theta)
            spikes += blend(spike .& (tNew .>= w0) .& (tNew .< w1), one, zero)
            events += blend(live, one, zero) + blend(liveFree, one, zero)       // both processes' input events
            v = blend(spike, V8(repeating: p.vReset), vNew)
            t = blend(spike, tNew + p.tauRef, tNew)
        }
        r.spikes = spikes.sum(); r.events = events.sum(); r.nonRefractoryTime = nonRef.sum(); r.vIntegral = vInt.sum()
        r.histogram = hist
        r.freeTime = fTime.sum(); r.freeIntegral = fInt.sum(); r.freeIntegral2 = fInt2.sum()
        r.freeHistogram = histFree
        return r
    }

    /// Adds, for each lane in `mask`, the time the decay from va to vb (same sign, |vb| ≤ |va|, duration
    /// `seg`) spends in each bin: τ·|[ln|vb|, ln|va|] ∩ [ln L_k, ln H_k]| with |V| ∈ [L_k, H_k] in bin k.
    @inline(__always)
    static func addTime(_ va: V8, _ vb: V8, _ seg: V8, _ mask: Mask8, _ hist: inout [Double], _ lnPos: [Double],
                        _ lnNeg: [Double], _ g: DensityGrid, _ tau: Double) {
        let bins = g.bins, w = g.width
        for lane in 0..<8 where mask[lane] {
            let a = va[lane], b = vb[lane]
            if a == 0 {                                  // V sits at 0 (reset to 0, no input yet)
                if let k = g.bin(0) { hist[k] += seg[lane] }
                continue
            }
            // Bins between the two end points (clamped to the grid).
            let kA = Int(max(-1, min(Double(bins), ((a - g.vMin) / w).rounded(.down))))
            let kB = Int(max(-1, min(Double(bins), ((b - g.vMin) / w).rounded(.down))))
            let kLo = max(0, min(kA, kB)), kHi = min(bins - 1, max(kA, kB))
            if kLo > kHi { continue }
            let lnA = Foundation.log(abs(a))
            let lnB = lnA - seg[lane] / tau
            if a > 0 {
                for k in kLo...kHi {
                    let upper = min(lnA, lnPos[k + 1]), lower = max(lnB, lnPos[k])
                    if upper > lower { hist[k] += tau * (upper - lower) }
                }
            } else {
                for k in kLo...kHi {
                    let upper = min(lnA, lnNeg[k]), lower = max(lnB, lnNeg[k + 1])
                    if upper > lower { hist[k] += tau * (upper - lower) }
                }
            }
        }
    }
}

/// Exp(1) variates, −ln U, generated 64 vectors at a time so that the log polynomials of consecutive
/// draws pipeline instead of sitting on the event loop's dependency chain (as NormalBuffer does).
struct ExponentialBuffer {
    var rng: LaneRNG
    let storage: UnsafeMutablePointer<V8>
    var index = 64
    static let capacity = 64

    init(_ rng: LaneRNG) {
        self.rng = rng
        storage = .allocate(capacity: Self.capacity)
    }
    func release() { storage.deallocate() }

    @inline(__always) mutating func next() -> V8 {
        if index == Self.capacity { refill() }
        defer { index += 1 }
        return storage[index]
    }
    /// A uniform on (0, 1) from the same stream (the excitatory/inhibitory choice).
    @inline(__always) mutating func uniform() -> V8 { rng.uniform() }

    @inline(never) mutating func refill() {
        for i in 0..<Self.capacity { storage[i] = -VectorMath.log(rng.uniform()) }
        index = 0
    }
}

public struct ShotNoiseSimulator: ModelSimulator {
    public init() {}
    public let name = "lif-shot"
    public let summary = "LIF driven by Poisson shot noise with exponential jumps: event-driven, exact between input events (THEORY §9.5)"
    public let parameters: [SimulatorParameter] = [
        SimulatorParameter(name: "r_e", unit: "Hz", summary: "excitatory input rate", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "r_i", unit: "Hz", summary: "inhibitory input rate", defaultValue: 0, min: 0),
        SimulatorParameter(name: "a_e", unit: "mV", summary: "mean excitatory jump (exponential)", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "a_i", unit: "mV", summary: "mean inhibitory jump (exponential; required when r_i > 0)", defaultValue: nil,
                           min: 0, minExclusive: true, optional: true),
        SimulatorParameter(name: "theta", unit: "mV", summary: "threshold (> 0 = rest)", defaultValue: 20, min: 0, minExclusive: true),
        SimulatorParameter(name: "v_reset", unit: "mV", summary: "reset potential (< theta)", defaultValue: 10),
        SimulatorParameter(name: "tau_m", unit: "ms", summary: "membrane time constant", defaultValue: 20, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_ref", unit: "ms", summary: "refractory period", defaultValue: 2, min: 0),
    ]
    public let observables: [ObservableSpec] = [
        ObservableSpec("rate_hz", unit: "Hz", summary: "spikes in the window / (neurons x T)"),
        ObservableSpec("mean_v_mv", unit: "mV", summary: "time average of V over non-refractory time (exact integral between events)"),
        ObservableSpec("density_per_mv", unit: "1/mV", summary: "exact non-refractory time in a bin / all time / bin width"),
        ObservableSpec("mean_free_v_mv", unit: "mV", summary: "time average of the free potential (same input, no threshold)"),
        ObservableSpec("var_free_v_mv2", unit: "mV^2", summary: "time variance of the free potential (exact integrals of V and V^2)"),
    ]
    public let options: Set<String> = ["time", "burn_in", "density"]
    public let defaultSamples = 4000

    public static func parameters(_ values: [String: Double]) -> ShotNoiseModelParameters {
        ShotNoiseModelParameters(rE: values["r_e"]! / 1000, aE: values["a_e"]!, rI: (values["r_i"] ?? 0) / 1000,
                                 aI: values["a_i"] ?? 0, theta: values["theta"] ?? 20, vReset: values["v_reset"] ?? 10,
                                 tauM: values["tau_m"] ?? 20, tauRef: values["tau_ref"] ?? 2)
    }

    public func resolve(_ options: RunOptions, _ values: [String: Double]) throws -> RunOptions {
        var o = options
        guard let rE = values["r_e"], let aE = values["a_e"] else { throw SimulatorInputError("model lif-shot needs 'r_e' and 'a_e'") }
        guard rE > 0 else { throw SimulatorInputError("parameter 'r_e' = \(plainNumber(rE)) Hz is out of range (valid: > 0 Hz)") }
        guard aE > 0 else { throw SimulatorInputError("parameter 'a_e' = \(plainNumber(aE)) mV is out of range (valid: > 0 mV)") }
        let rI = values["r_i"] ?? 0
        guard rI >= 0 else { throw SimulatorInputError("parameter 'r_i' = \(plainNumber(rI)) Hz is out of range (valid: >= 0 Hz)") }
        if rI > 0 {
            guard let aI = values["a_i"] else { throw SimulatorInputError("parameter 'a_i' is missing: it is required when r_i = \(plainNumber(rI)) Hz > 0") }
            guard aI > 0 else { throw SimulatorInputError("parameter 'a_i' = \(plainNumber(aI)) mV is out of range (valid: > 0 mV)") }
        }
        let theta = values["theta"] ?? 20, vReset = values["v_reset"] ?? 10
        guard theta > 0 else { throw SimulatorInputError("parameter 'theta' = \(plainNumber(theta)) mV is out of range (valid: > 0 mV, rest = 0)") }
        guard vReset < theta else { throw SimulatorInputError("parameter 'v_reset' = \(plainNumber(vReset)) mV is out of range (valid: < theta = \(plainNumber(theta)) mV)") }
        let tauM = values["tau_m"] ?? 20
        guard tauM > 0 else { throw SimulatorInputError("parameter 'tau_m' = \(plainNumber(tauM)) ms is out of range (valid: > 0 ms)") }
        guard (values["tau_ref"] ?? 2) >= 0 else { throw SimulatorInputError("parameter 'tau_ref' = \(plainNumber(values["tau_ref"]!)) ms is out of range (valid: >= 0 ms)") }
        guard o.samples >= 160 else { throw SimulatorInputError("option 'neurons' = \(o.samples) is out of range (valid: >= 160; >= 20 blocks of 8 for batch-means errors)") }
        if o.time == nil { o.time = 2000 }
        if o.burnIn == nil { o.burnIn = max(500, 10 * tauM) }
        guard let t = o.time, t > 0 else { throw SimulatorInputError("option 'time' = \(plainNumber(o.time ?? .nan)) ms is out of range (valid: > 0 ms)") }
        guard let b = o.burnIn, b >= 0 else { throw SimulatorInputError("option 'burn_in' = \(plainNumber(o.burnIn ?? .nan)) ms is out of range (valid: >= 0 ms)") }
        // Input events per neuron: bounded so that a typo (r_e in 1/ms read as Hz...) cannot run for hours.
        let perNeuron = (rE + rI) / 1000 * (t + b)
        guard perNeuron * Double(o.samples) <= 1e12 else {
            throw SimulatorInputError("run too large: \(plainNumber(perNeuron * Double(o.samples))) input events (limit 1e12): reduce 'neurons', 'time' or the input rates")
        }
        return o
    }

    /// The run, and on `options.density` the density of the free membrane potential (no threshold),
    /// sampled by the same exact time-in-bin rule (THEORY §9.5: the check of the §5.2 free density).
    public func runWithFreeDensity(_ values: [String: Double], _ options: RunOptions,
                                   progress: (@Sendable (Int, Int) -> Void)?) -> (run: ModelRun, freeDensity: [Estimate]?) {
        let p = Self.parameters(values)
        let start = Date()
        let n = options.samples, T = options.time ?? 2000, burn = options.burnIn ?? max(500, 10 * p.tauM)
        let nBlocks = (n + 7) / 8
        let blocks = BlockRunner.run(blocks: nBlocks, threads: options.threads, progress: progress) { b in
            ShotNoiseKernel.simulateBlock(p, lanes: min(8, n - 8 * b), seed: options.seed, block: b, burnIn: burn, time: T,
                                          density: options.density)
        }
        // Batches: contiguous groups of blocks (≥ 20 when possible), pooled in block order.
        let batches = BatchMeans.batches(blocks).map(Array.init)
        func sum(_ g: [ShotNoiseBlockResult]) -> ShotNoiseBlockResult {
            var s = ShotNoiseBlockResult()
            s.histogram = [Double](repeating: 0, count: options.density?.bins ?? 0)
            s.freeHistogram = s.histogram
            for b in g {
                s.neurons += b.neurons; s.spikes += b.spikes; s.events += b.events
                s.nonRefractoryTime += b.nonRefractoryTime; s.vIntegral += b.vIntegral
                s.freeTime += b.freeTime; s.freeIntegral += b.freeIntegral; s.freeIntegral2 += b.freeIntegral2
                for k in s.histogram.indices { s.histogram[k] += b.histogram[k]; s.freeHistogram[k] += b.freeHistogram[k] }
            }
            return s
        }
        let total = sum(blocks), batchSums = batches.map(sum)
        func estimate(_ f: (ShotNoiseBlockResult) -> Double) -> Estimate {
            BatchMeans.estimate(pooled: f(total), batchValues: batchSums.map(f))
        }
        var run = ModelRun(observables: [
            ("rate_hz", estimate { 1000 * $0.spikes / (Double($0.neurons) * T) }),
            ("mean_v_mv", estimate { $0.vIntegral / $0.nonRefractoryTime }),
            ("mean_free_v_mv", estimate { $0.freeIntegral / $0.freeTime }),
            ("var_free_v_mv2", estimate { $0.freeIntegral2 / $0.freeTime - ($0.freeIntegral / $0.freeTime) * ($0.freeIntegral / $0.freeTime) }),
        ], work: total.events, workUnit: "input events", seconds: Date().timeIntervalSince(start))
        var free: [Estimate]?
        if let g = options.density {
            run.density = (0..<g.bins).map { k in estimate { $0.histogram[k] / (Double($0.neurons) * T * g.width) } }
            free = (0..<g.bins).map { k in estimate { $0.freeHistogram[k] / (Double($0.neurons) * T * g.width) } }
        }
        run.details = [("spikes", String(Int(total.spikes))), ("input_events", String(format: "%.4g", total.events))]
        run.notes.append("event-driven and exact between input events (THEORY §9.5): no time step, simulator error 0")
        return (run, free)
    }

    public func run(_ values: [String: Double], _ options: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        runWithFreeDensity(values, options, progress: progress).run
    }

    public func simulatorError(observable: String, values: [String: Double], options: RunOptions) -> Double { 0 }

    /// Window sized for SE(rate)/rate ≈ precision (Poisson-like spike counts: #spikes ≈ 1/precision²),
    /// and, for excitatory input, a density grid on (0, θ) when none is given.
    public func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                                  precision: Double) -> RunOptions {
        var o = options
        let p = Self.parameters(values)
        if let rate = predictions["rate_hz"], rate.isFinite, rate > 0 {
            let spikes = 1 / (precision * precision)
            let t = spikes / (rate * Double(o.samples)) * 1000
            o.time = min(max((t / 100).rounded(.up) * 100, 1000), 300_000)
            o.burnIn = min(max(10 * p.tauM, (5000 / rate / 10).rounded(.up) * 10), 30_000)
        }
        // The thresholded density is known analytically for excitatory input only (THEORY §5.6).
        if o.density == nil && p.rI == 0 && p.vReset >= 0 {
            o.density = DensityGrid(vMin: 0, vMax: p.theta, bins: 40)
        }
        return o
    }
}
