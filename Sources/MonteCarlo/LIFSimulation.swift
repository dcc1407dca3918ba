// Threshold-reset LIF simulators (THEORY §9.1, §9.2), eight neurons per SIMD block.
//
// Statistics are taken in a window [burn-in, burn-in + T] (THEORY §9.0, method ii): the rate is the
// spike count / T; mean potentials and the density are time averages over the window; the CV uses
// every ISI that *starts* in the window — its length is independent of when it starts, so this sample
// is not length-biased, unlike "ISIs completed inside the window". Those ISIs are followed past the
// window end (for at most one more window); any still open then are counted as censored and reported.
import CMonteCarloKernels
import Foundation

public enum ThresholdScheme: String, Sendable, CaseIterable {
    case bridge, naive
}

public struct LIFModelParameters: Sendable {
    public var mu, sigma, theta, vReset, tauM, tauRef: Double
    /// Synaptic (noise) time constant of lif-colored; 0 = white noise.
    public var tauS: Double
    public init(mu: Double, sigma: Double, theta: Double = 20, vReset: Double = 10, tauM: Double = 20,
                tauRef: Double = 2, tauS: Double = 0) {
        self.mu = mu; self.sigma = sigma; self.theta = theta; self.vReset = vReset; self.tauM = tauM
        self.tauRef = tauRef; self.tauS = tauS
    }
}

public struct DensityGrid: Sendable {
    public let vMin, vMax: Double
    public let bins: Int
    public var width: Double { (vMax - vMin) / Double(bins) }
    public init(vMin: Double, vMax: Double, bins: Int) { self.vMin = vMin; self.vMax = vMax; self.bins = bins }
    public func center(_ b: Int) -> Double { vMin + (Double(b) + 0.5) * width }
    /// The bin holding v, or nil outside the grid. Compared as a double before the conversion: V far outside
    /// the grid (v_reset = -1e300) would trap Int().
    @inline(__always) public func bin(_ v: Double) -> Int? {
        let x = ((v - vMin) / width).rounded(.down)
        return x >= 0 && x < Double(bins) ? Int(x) : nil
    }
}

public struct SimulationOptions: Sendable {
    public var neurons = 4000
    public var time = 2000.0          // window T [ms]
    public var dt = 0.1               // [ms]
    public var burnIn = 500.0         // [ms]
    public var scheme = ThresholdScheme.bridge
    public var seed: UInt64 = 1
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var density: DensityGrid? = nil
    public var recordSpikes = false
    /// A sinusoidal modulation of μ or σ² (ModulatedLIF.swift); nil: stationary input.
    public var modulation: Modulation? = nil
    /// Frequencies [Hz] at which the spike trains' power spectrum is estimated.
    public var spectrumFrequencies: [Double] = []
    public init() {}
}

/// What one block of ≤ 8 neurons saw.
public struct BlockResult: Sendable {
    public var neurons = 0
    public var spikes = 0
    public var isiCount = 0, censored = 0
    public var isiSum = 0.0, isiSumSquares = 0.0
    public var nonRefractorySteps = 0.0, vSumNonRefractory = 0.0, vSumAll = 0.0, steps = 0.0
    public var histogram: [Double] = []
    /// Per neuron: spike times in the window [ms from the window start].
    public var spikeTimes: [[Double]] = []
    /// Σ cos ωt_k and Σ sin ωt_k over the spikes of the response projection (ModulatedLIF.swift).
    public var fourierCos = 0.0, fourierSin = 0.0
    /// Per spectrum frequency: Σ over neurons of the periodogram [1/ms].
    public var periodogram: [Double] = []
}

public struct SimulationResult: Sendable {
    public let model: String
    public let parameters: LIFModelParameters
    public let options: SimulationOptions
    public let blocks: [BlockResult]
    public let neuronSteps: Double
    public let seconds: Double

    /// Contiguous groups of blocks used as batches for standard errors (≥ 20 when possible).
    var batches: [[BlockResult]] {
        BatchMeans.batches(blocks).map(Array.init)
    }

    func summed(_ g: [BlockResult]) -> BlockResult {
        var s = BlockResult()
        s.histogram = [Double](repeating: 0, count: options.density?.bins ?? 0)
        s.periodogram = [Double](repeating: 0, count: options.spectrumFrequencies.count)
        for b in g {
            s.fourierCos += b.fourierCos; s.fourierSin += b.fourierSin
            for k in s.periodogram.indices { s.periodogram[k] += b.periodogram[k] }
            s.neurons += b.neurons; s.spikes += b.spikes; s.isiCount += b.isiCount; s.censored += b.censored
            s.isiSum += b.isiSum; s.isiSumSquares += b.isiSumSquares
            s.nonRefractorySteps += b.nonRefractorySteps; s.vSumNonRefractory += b.vSumNonRefractory
            s.vSumAll += b.vSumAll; s.steps += b.steps
            for k in s.histogram.indices { s.histogram[k] += b.histogram[k] }
        }
        return s
    }

    public var total: BlockResult { summed(blocks) }

    func estimate(_ f: (BlockResult) -> Double) -> Estimate {
        BatchMeans.estimate(pooled: f(total), batchValues: batches.map { f(summed($0)) })
    }

    static func rate(_ s: BlockResult, _ T: Double) -> Double { 1000 * Double(s.spikes) / (Double(s.neurons) * T) }
    static func cv(_ s: BlockResult) -> Double {
        guard s.isiCount >= 2 else { return .nan }
        let n = Double(s.isiCount), m = s.isiSum / n
        return (max(0, s.isiSumSquares / n - m * m) * n / (n - 1)).squareRoot() / m
    }

    /// Observables under the canonical names of estimator outputs.
    public var observables: [(name: String, estimate: Estimate)] {
        let T = options.time
        var out: [(String, Estimate)] = [
            ("rate_hz", estimate { Self.rate($0, T) }),
            ("cv", estimate { Self.cv($0) }),
            ("mean_v_mv", estimate { $0.vSumNonRefractory / $0.nonRefractorySteps }),
            ("mean_v_all_mv", estimate { $0.vSumAll / $0.steps }),
        ]
        if let m = options.modulation {
            // ν1 = (2/(ε N T_p)) Σ e^{-iωt_k} [1/ms per unit ε] → Hz.
            let tp = wholePeriods(m.frequency, window: T)
            let re = { (s: BlockResult) in 2000 * s.fourierCos / (m.amplitude * Double(s.neurons) * tp) }
            let im = { (s: BlockResult) in -2000 * s.fourierSin / (m.amplitude * Double(s.neurons) * tp) }
            // The phase of a batch is taken relative to the pooled phase, so batches never straddle ±π.
            let pooled = atan2(im(total), re(total))
            let relativePhase = { (s: BlockResult) -> Double in
                let a = atan2(im(s), re(s)) - pooled
                return pooled + a - 2 * Double.pi * (a / (2 * Double.pi)).rounded()
            }
            out += [
                (m.stem + "_abs" + m.unitSuffix, estimate { hypot(re($0), im($0)) }),
                (m.stem + "_phase_rad", BatchMeans.estimate(pooled: pooled, batchValues: batches.map { relativePhase(summed($0)) })),
                (m.stem + "_re" + m.unitSuffix, estimate(re)),
                (m.stem + "_im" + m.unitSuffix, estimate(im)),
            ]
        }
        let fs = options.spectrumFrequencies
        for (k, f) in fs.enumerated() {
            let name = fs.count == 1 ? "spectrum_hz" : "spectrum_hz@" + plainNumber(f)
            out.append((name, estimate { 1000 * $0.periodogram[k] / Double($0.neurons) }))
        }
        if let g = options.density {
            for b in 0..<g.bins {
                out.append(("density_per_mv[\(b)]", estimate { $0.histogram[b] / ($0.steps * g.width) }))
            }
        }
        return out
    }

    public func observable(_ name: String) -> Estimate? { observables.first { $0.name == name }?.estimate }
    public func density(bin b: Int) -> Estimate? { observable("density_per_mv[\(b)]") }
}

/// One membrane-model step for eight lanes: the potential after dt and whether it crossed θ inside the step.
protocol MembraneStep {
    /// `normals` drives the model's noise; `uniforms` serves the threshold test.
    mutating func step(_ v: V8, _ normals: inout NormalBuffer, _ uniforms: inout LaneRNG) -> (V8, Mask8)
}

/// Coloured-noise LIF (§9.2): η by its exact OU step, V by Euler; V is C¹, so a grid check suffices.
struct ColoredStep: MembraneStep {
    let mu, theta, a, b, etaDecay, etaNoise, dt: Double
    let modulation: Modulation?
    let sigma2: Double
    var n = 0
    var eta: V8
    init(_ p: LIFModelParameters, dt: Double, modulation: Modulation? = nil, normals: inout NormalBuffer) {
        mu = p.mu; theta = p.theta; self.dt = dt; self.modulation = modulation; sigma2 = p.sigma * p.sigma
        a = dt / p.tauM
        b = p.sigma * dt / p.tauM.squareRoot()
        etaDecay = Foundation.exp(-dt / p.tauS)
        etaNoise = ((1 - Foundation.exp(-2 * dt / p.tauS)) / (2 * p.tauS)).squareRoot()
        eta = normals.next() * (1 / (2 * p.tauS)).squareRoot()       // stationary start
    }
    @inline(__always) mutating func step(_ v: V8, _ normals: inout NormalBuffer, _ uniforms: inout LaneRNG) -> (V8, Mask8) {
        var mu = self.mu, b = self.b
        if let m = modulation {
            // μ or σ at the middle of the step (ModulatedLIF.swift).
            let c = cos(phase(m.frequency, (Double(n) + 0.5) * dt))
            n += 1
            if m.target == .mu { mu += m.amplitude * c } else { b *= ((sigma2 + m.amplitude * c) / sigma2).squareRoot() }
        }
        let vn = v + a * (mu - v) + b * eta
        eta = eta * etaDecay + etaNoise * normals.next()
        return (vn, vn .>= theta)
    }
}

public enum LIFSimulator {
    public static let models = ["lif-white", "lif-colored"]

    public static func simulate(model: String, _ p: LIFModelParameters, _ o: SimulationOptions,
                                progress: (@Sendable (Int, Int) -> Void)? = nil) -> SimulationResult {
        let start = Date()
        let nBlocks = (o.neurons + 7) / 8
        let blocks: [BlockResult]
        if model == "lif-colored" && p.tauS > 0 {
            blocks = BlockRunner.run(blocks: nBlocks, threads: o.threads, progress: progress) { b -> BlockResult in
                // Two streams per block: the noise, and the uniforms of the threshold test.
                var normals = NormalBuffer(LaneRNG(seed: o.seed, stream: 2 * UInt64(b)))
                var uniforms = LaneRNG(seed: o.seed, stream: 2 * UInt64(b) + 1)
                defer { normals.release() }
                var step = ColoredStep(p, dt: o.dt, modulation: o.modulation, normals: &normals)
                return simulateBlock(&step, &normals, &uniforms, lanes: min(8, o.neurons - 8 * b), p, o)
            }
        } else {
            // Two blocks per kernel loop (a block's result does not depend on its partner; measured: two
            // overlap their dependency chains best, more spill registers), one when there are too few
            // blocks to keep every thread busy.
            let perUnit = max(1, min(Int(WB_MAX_GROUPS), nBlocks / (8 * max(1, o.threads))))
            let unitProgress = progress.map { report in
                { @Sendable (done: Int, _: Int) in report(min(done * perUnit, nBlocks), nBlocks) }
            }
            let units = BlockRunner.run(blocks: (nBlocks + perUnit - 1) / perUnit, threads: o.threads, progress: unitProgress) { u in
                simulateWhiteBlocks(Array((perUnit * u)..<min(perUnit * (u + 1), nBlocks)), p, o)
            }
            blocks = units.flatMap { $0 }
        }
        let steps = Double(o.neurons) * ((o.burnIn + o.time) / o.dt).rounded()
        return SimulationResult(model: model, parameters: p, options: o, blocks: blocks, neuronSteps: steps,
                                seconds: Date().timeIntervalSince(start))
    }

    /// White-noise LIF (§9.1) through the C kernel: exact OU step, crossing by grid check or Brownian-bridge
    /// probability. One or two blocks of eight neurons; block b draws its noise from stream 2b and the
    /// uniforms of the bridge test from stream 2b + 1. The kernel reports the steps with spikes; the
    /// bookkeeping below matches simulateBlock.
    static func simulateWhiteBlocks(_ blockIndices: [Int], _ p: LIFModelParameters, _ o: SimulationOptions) -> [BlockResult] {
        let dt = o.dt, groups = blockIndices.count
        precondition(groups >= 1 && groups <= Int(WB_MAX_GROUPS))
        let burnSteps = Int((o.burnIn / dt).rounded()), windowSteps = Int((o.time / dt).rounded())
        let windowEnd = burnSteps + windowSteps
        let bins = o.density?.bins ?? 0
        let lanes = blockIndices.map { min(8, o.neurons - 8 * $0) }
        var results = lanes.map { n -> BlockResult in
            var r = BlockResult()
            r.neurons = n
            if o.recordSpikes { r.spikeTimes = Array(repeating: [], count: n) }
            return r
        }
        let normals = blockIndices.map { NormalBuffer(LaneRNG(seed: o.seed, stream: 2 * UInt64($0))) }
        let uniforms = UnsafeMutablePointer<wb_bridge_uniform_stream>.allocate(capacity: groups)
        defer { uniforms.deallocate(); normals.forEach { $0.release() } }
        var state = [wb_lif_lanes](repeating: wb_lif_lanes(), count: groups)
        for (g, b) in blockIndices.enumerated() {
            uniforms[g].rng = LaneRNG(seed: o.seed, stream: 2 * UInt64(b) + 1).c
            uniforms[g].next = WB_BRIDGE_VECTORS
            withUnsafeMutableBytes(of: &state[g]) { raw in
                for l in 0..<8 {
                    raw.storeBytes(of: p.theta - p.vReset, toByteOffset: MemoryLayout<wb_lif_lanes>.offset(of: \.w)! + 8 * l,
                                   as: Double.self)
                    raw.storeBytes(of: l < lanes[g] ? 0 : Double.infinity,     // padding lanes: refractory for ever
                                   toByteOffset: MemoryLayout<wb_lif_lanes>.offset(of: \.refractory)! + 8 * l, as: Double.self)
                }
            }
        }
        let normalStreams: [UnsafeMutablePointer<wb_normal_stream>?] = normals.map { $0.stream }
        let uniformStreams: [UnsafeMutablePointer<wb_bridge_uniform_stream>?] = (0..<groups).map { uniforms + $0 }
        var hist = [Double](repeating: 0, count: groups * bins)
        var isiStart = [Double](repeating: -1, count: 8 * groups)     // start of an open ISI that began in the window
        var events = [wb_spike_event](repeating: wb_spike_event(), count: 256)
        var taps = lanes.map { SpectralTaps(o, lanes: $0) }
        hist.withUnsafeMutableBufferPointer { h in
            var params = wb_lif_white_params(
                theta: p.theta, v_reset: p.vReset, decay: Foundation.exp(-dt / p.tauM),
                w_drift: -(p.theta - p.mu) * Foundation.expm1(-dt / p.tauM),
                noise: p.sigma * ((1 - Foundation.exp(-2 * dt / p.tauM)) / 2).squareRoot(),
                bridge_exponent: -2 * p.tauM / (p.sigma * p.sigma * dt), refractory_steps: (p.tauRef / dt).rounded(),
                bridge: o.scheme == .bridge ? 1 : 0, histogram: bins > 0 ? h.baseAddress : nil, bins: Int32(bins),
                v_min: o.density?.vMin ?? 0, bin_width: o.density?.width ?? 1,
                w_drift_steps: nil, noise_steps: nil, exponent_steps: nil)
            let table = o.modulation.map { ModulationTable(p, o, $0) }
            defer { table?.release() }
            if let table { params.w_drift_steps = UnsafePointer(table.wDrift); params.noise_steps = UnsafePointer(table.noise)
                           params.exponent_steps = UnsafePointer(table.exponent) }
            var n = 0
            while true {
                // Phases: burn-in, the window (statistics), then ISIs that started in it, for at most one more window.
                let end: Int, accumulate: Bool
                var untilSpiked: UInt32 = 0                         // in the last phase: the lanes with open ISIs
                if n < burnSteps { end = burnSteps; accumulate = false }
                else if n < windowEnd { end = windowEnd; accumulate = true }
                else {
                    for bit in isiStart.indices where isiStart[bit] >= 0 { untilSpiked |= 1 << bit }
                    if untilSpiked == 0 || n >= windowEnd + windowSteps { break }
                    end = windowEnd + windowSteps; accumulate = false
                }
                var count: Int32 = 0
                var length = end - n
                if let table {
                    length = min(length, ModulationTable.chunk)
                    table.fill(from: n, count: length)
                }
                let taken = events.withUnsafeMutableBufferPointer { e in
                    Int(wb_lif_white_run(&params, &state, normalStreams, uniformStreams, Int32(groups), Int64(length),
                                         accumulate ? 1 : 0, untilSpiked, e.baseAddress, Int32(e.count), &count))
                }
                for event in events[0..<Int(count)] {
                    let t = Double(n + Int(event.step)) * dt - o.burnIn        // spike time from the window start
                    var spiked = event.lanes
                    while spiked != 0 {
                        let bit = spiked.trailingZeroBitCount
                        spiked &= spiked - 1
                        let g = bit / 8, lane = bit % 8
                        if isiStart[bit] >= 0 {
                            let isi = t - isiStart[bit]
                            results[g].isiCount += 1; results[g].isiSum += isi; results[g].isiSumSquares += isi * isi
                        }
                        if accumulate {
                            results[g].spikes += 1
                            isiStart[bit] = t
                            if o.recordSpikes { results[g].spikeTimes[lane].append(t) }
                            if taps[g].isActive { taps[g].spike(lane: lane, at: t) }
                        } else {
                            isiStart[bit] = -1
                        }
                    }
                }
                n += taken
            }
        }
        for g in 0..<groups {
            results[g].censored = isiStart[(8 * g)..<(8 * g + 8)].filter { $0 >= 0 }.count
            withUnsafeBytes(of: state[g]) { raw in
                func sum(_ key: KeyPath<wb_lif_lanes, (Double, Double, Double, Double, Double, Double, Double, Double)>) -> Double {
                    raw.load(fromByteOffset: MemoryLayout<wb_lif_lanes>.offset(of: key)!, as: V8.self).sum()
                }
                results[g].nonRefractorySteps = sum(\.free_steps)
                results[g].vSumNonRefractory = p.theta * results[g].nonRefractorySteps - sum(\.w_sum)
            }
            results[g].steps = Double(lanes[g] * windowSteps)
            // Refractory steps hold V at v_reset, so the sum over all steps needs no counter of its own.
            results[g].vSumAll = results[g].vSumNonRefractory + p.vReset * (results[g].steps - results[g].nonRefractorySteps)
            results[g].histogram = Array(hist[(g * bins)..<((g + 1) * bins)])
            taps[g].finish(&results[g], lanes: lanes[g])
        }
        return results
    }

    static func simulateBlock<M: MembraneStep>(_ model: inout M, _ normals: inout NormalBuffer, _ uniforms: inout LaneRNG, lanes: Int,
                                               _ p: LIFModelParameters, _ o: SimulationOptions) -> BlockResult {
        let dt = o.dt
        let burnSteps = Int((o.burnIn / dt).rounded()), windowSteps = Int((o.time / dt).rounded())
        let refSteps = (p.tauRef / dt).rounded()
        // Counters and masks live in Double lanes: integer SIMD comparisons compile to per-lane code.
        let active = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(lanes)
        var r = BlockResult()
        r.neurons = lanes
        if o.recordSpikes { r.spikeTimes = Array(repeating: [], count: lanes) }
        var hist = [Double](repeating: 0, count: o.density?.bins ?? 0)
        var taps = SpectralTaps(o, lanes: lanes)

        var v = V8(repeating: p.vReset)
        var ref = V8.zero                              // refractory steps left
        var isiStart = V8(repeating: -1)            // start of an open ISI that began in the window
        var vSum = V8.zero, vAll = V8.zero, nonRef = V8.zero
        let vReset = V8(repeating: p.vReset)
        let windowEnd = burnSteps + windowSteps
        var n = 0
        while true {
            let inWindow = n >= burnSteps && n < windowEnd
            if n >= windowEnd {
                // Past the window: only follow ISIs that started inside it, for at most one more window.
                if !any(isiStart .>= 0) || n >= windowEnd + windowSteps { break }
            }
            let refractory = ref .> 0
            var (vn, crossed) = model.step(v, &normals, &uniforms)
            vn = blend(refractory, vReset, vn)
            ref = blend(refractory, ref - 1, ref)
            let spike = crossed .& .!refractory .& active
            if any(spike) {
                let t = Double(n + 1) * dt - o.burnIn          // spike time from the window start
                for lane in 0..<8 where spike[lane] {
                    if isiStart[lane] >= 0 {
                        let isi = t - isiStart[lane]
                        r.isiCount += 1; r.isiSum += isi; r.isiSumSquares += isi * isi
                    }
                    if inWindow {
                        r.spikes += 1
                        isiStart[lane] = t
                        if o.recordSpikes { r.spikeTimes[lane].append(t) }
                        if taps.isActive { taps.spike(lane: lane, at: t) }
                    } else {
                        isiStart[lane] = -1
                    }
                }
                vn = blend(spike, vReset, vn)
                ref = blend(spike, V8(repeating: refSteps), ref)
            }
            if inWindow {
                let free = (ref .<= 0) .& active
                vSum += blend(free, vn, .zero)
                nonRef += blend(free, V8(repeating: 1), .zero)
                vAll += blend(active, vn, .zero)
                if let g = o.density {
                    for lane in 0..<lanes where free[lane] {
                        if let k = g.bin(vn[lane]) { hist[k] += 1 }
                    }
                }
            }
            v = vn
            n += 1
        }
        for lane in 0..<lanes where isiStart[lane] >= 0 { r.censored += 1 }
        r.vSumNonRefractory = vSum.sum(); r.nonRefractorySteps = nonRef.sum(); r.vSumAll = vAll.sum()
        r.steps = Double(lanes * windowSteps)
        r.histogram = hist
        taps.finish(&r, lanes: lanes)
        return r
    }
}
