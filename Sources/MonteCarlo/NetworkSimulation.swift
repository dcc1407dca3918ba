// The recurrent-network simulator: LIF populations with delta or exponential synapses, fixed in-degree random
// connectivity, one delay per projection, external Poisson drive (the C loops: CMonteCarloKernels/network.c).
//
// Dynamics per step h (exact between steps; NEST's iaf_psc_delta and iaf_psc_exp):
//   delta:        V <- dc + (V - dc) e^{-h/tau_m} + sum of the weights J arriving in the step
//   exponential:  V <- dc + (V - dc) e^{-h/tau_m} + P_VI I;  I <- I e^{-h/tau_s} + (tau_m/tau_s) sum J
// with P_VI = (h/tau_m) e^{-h/tau_m} expm1(x)/x, x = h (tau_s - tau_m)/(tau_m tau_s) (stable at tau_s = tau_m).
// J is the PSP jump of a delta synapse and the area-equivalent weight w tau_s/C of an exponential one, so the mean
// input is tau_m sum K J nu in both (NetworkModel.input). V >= theta: a spike, V = v_reset for tau_ref (input to a
// delta synapse is lost meanwhile; an exponential current keeps integrating). The external drive is a Poisson count
// of mean K_ext nu_ext h per neuron and step, each event of weight J_ext. A fractional in-degree K (the
// microcircuit's) becomes floor(K) or floor(K) + 1 per neuron with mean K.
//
// Observables per population, in the window after the burn-in (standard errors by batch means, BatchMeans):
//   rate_hz    spikes / (N T); SE over `segments` consecutive time segments.
//   cv         of the ISIs that start in the window, pooled; SE over 20 interleaved neuron groups. An ISI is seen
//              only if it also ends in the window, which favours short ones; each seen ISI of length L is weighted
//              by T/(T - L), the inverse of its chance to be seen (Horvitz-Thompson), which removes that bias.
//   mean_v_mv  V averaged over non-refractory steps; SE over the neuron groups.
//   spectrum   of the population rate r(t) = spikes per step / (N h) [Hz], two-sided, Welch: each time segment
//              Hann-windowed, S(f) = |sum_k w_k (r_k - mean) h e^{-2 pi i f t_k}|^2 / (h sum_k w_k^2) with the
//              window's mean rate; the value is the mean over segments, the SE their spread / sqrt(segments). At
//              high f it tends to rate / N; below ~2/T_segment the window's main lobe smooths it.
import CMonteCarloKernels
import Foundation

public struct NetworkSimulationSpec: Sendable {
    public struct Population: Sendable {
        public var name: String
        public var size: Int
        /// mV and ms; tauS = 0: delta synapses.
        public var tauM = 20.0, theta = 20.0, vReset = 10.0, tauRef = 2.0, tauS = 0.0
        public var dc = 0.0
        /// External Poisson drive: rate per synapse [Hz], in-degree, weight [mV].
        public var externalRate = 0.0, externalIndegree = 0.0, externalWeight = 0.0
        public init(name: String, size: Int) { self.name = name; self.size = size }
    }
    public var populations: [Population]
    /// [target][source]: in-degree, weight [mV], delay [ms].
    public var indegree: [[Double]], weight: [[Double]], delay: [[Double]]
    public init(populations: [Population], indegree: [[Double]], weight: [[Double]], delay: [[Double]]) {
        self.populations = populations; self.indegree = indegree; self.weight = weight; self.delay = delay
    }
    public var neurons: Int { populations.reduce(0) { $0 + $1.size } }
}

public struct NetworkSimulationOptions: Sendable {
    public var time = 2000.0        // window [ms]
    public var dt = 0.1             // [ms]
    public var burnIn = 300.0       // [ms]
    public var seed: UInt64 = 1
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Frequencies [Hz] of the population-rate spectra.
    public var spectrumFrequencies: [Double] = []
    /// Time segments of the rate's SE and of the spectra (Welch).
    public var segments = 20
    public init() {}
}

public struct NetworkSimulationResult: Sendable {
    public struct Population: Sendable {
        public var name: String
        public var size: Int
        public var rate: Estimate, cv: Estimate, meanV: Estimate
        /// At the options' spectrumFrequencies [Hz].
        public var spectrum: [Estimate]
        public var spikes: Int, isis: Int
    }
    public var populations: [Population]
    public var options: NetworkSimulationOptions
    public var synapses: Int
    /// Threads used (the option, at most the neurons).
    public var threads: Int
    /// Whole run (burn-in included): neuron updates and synaptic events delivered.
    public var neuronSteps: Double, synapticEvents: Double
    /// Connectivity and state set-up; the time-step loop.
    public var setupSeconds: Double, runSeconds: Double
    /// Spikes per window step, [population][step]: the population activity.
    public var counts: [[Int32]]

    /// The Welch spectrum of population a's rate at `frequencies` (see the file comment).
    public func spectrum(_ a: Int, at frequencies: [Double]) -> [Estimate] {
        PopulationSpectrum.welch(counts[a], neurons: populations[a].size, dt: options.dt,
                                 segments: options.segments, frequencies: frequencies)
    }
}

public enum NetworkSimulator {
    public enum Failure: Error, CustomStringConvertible {
        case badInput(String)
        public var description: String { if case .badInput(let s) = self { return s }; return "" }
    }

    static let neuronGroups = 20

    public static func run(_ spec: NetworkSimulationSpec, _ options: NetworkSimulationOptions) throws
        -> NetworkSimulationResult
    {
        let setupStart = Date()
        let plan = try Plan(spec, options)
        let P = spec.populations.count, N = plan.neurons, T = plan.threads

        // Every buffer the C side reads or writes, owned here and freed on return.
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { $0.deallocate() } }
        func buffer<E>(_ count: Int, _ value: E) -> UnsafeMutablePointer<E> {
            let p = UnsafeMutablePointer<E>.allocate(capacity: max(count, 1))
            p.initialize(repeating: value, count: max(count, 1))
            allocations.append(UnsafeMutableRawPointer(p))
            return p
        }

        // Populations, with their Poisson tables.
        let pops = buffer(P, wb_net_population())
        let populationOf = buffer(N, Int32(0))
        var first = 0
        for (a, p) in spec.populations.enumerated() {
            let h = options.dt
            var c = wb_net_population()
            c.first = Int64(first); c.count = Int64(p.size)
            c.decay = exp(-h / p.tauM)
            c.v_inf = p.dc; c.theta = p.theta; c.v_reset = p.vReset
            c.refractory_steps = Int32((p.tauRef / h).rounded())
            c.exponential = p.tauS > 0 ? 1 : 0
            if p.tauS > 0 {
                c.decay_s = exp(-h / p.tauS)
                // e^{-h/tau_m} expm1(x) = -e^{-h/tau_s} expm1(-x): the form whose factors stay finite for either sign.
                let x = h * (p.tauS - p.tauM) / (p.tauM * p.tauS)
                c.p_vi = x == 0 ? h / p.tauM * exp(-h / p.tauM)
                    : x < 0 ? h / p.tauM * exp(-h / p.tauM) * expm1(x) / x
                    : h / p.tauM * exp(-h / p.tauS) * -expm1(-x) / x
                c.jump_scale = p.tauM / p.tauS
            } else {
                c.jump_scale = 1
            }
            c.external_weight = p.externalWeight
            let table = PoissonTable(mean: p.externalIndegree * p.externalRate * h * 1e-3)
            let cdf = buffer(table.cdf.count, 0.0), guide = buffer(table.guide.count, Int32(0))
            for (k, x) in table.cdf.enumerated() { cdf[k] = x }
            for (k, x) in table.guide.enumerated() { guide[k] = x }
            c.poisson_cdf = UnsafePointer(cdf); c.poisson_size = Int32(table.cdf.count)
            c.poisson_guide = UnsafePointer(guide); c.guide_size = Int32(table.guide.count)
            pops[a] = c
            for i in first..<(first + p.size) { populationOf[i] = Int32(a) }
            first += p.size
        }

        var net = wb_net()
        net.populations = Int32(P); net.pop = UnsafePointer(pops)
        net.neurons = Int64(N); net.population_of = UnsafePointer(populationOf)
        net.threads = Int32(T)
        let range = buffer(T + 1, Int64(0))
        for t in 0...T { range[t] = Int64(t * N / T) }
        net.range = UnsafePointer(range)

        // Connectivity: count, offsets, fill (two passes over the same draws), then the threads' split points.
        let indegree = buffer(P * P, 0.0), weight = buffer(P * P, 0.0), delaySteps = buffer(P * P, Int32(0))
        for a in 0..<P {
            for b in 0..<P {
                indegree[a * P + b] = spec.indegree[a][b]; weight[a * P + b] = spec.weight[a][b]
                delaySteps[a * P + b] = Int32(plan.delaySteps[a][b])
            }
        }
        let offsets = buffer(N * P + 1, Int64(0))
        wb_net_connect(&net, indegree, options.seed, 1, offsets)
        for k in 0..<(N * P) { offsets[k + 1] += offsets[k] }
        let synapses = Int(offsets[N * P])
        guard synapses <= plan.synapseBound else {
            throw Failure.badInput("the network has \(synapses) synapses, more than the \(plan.synapseBound) planned")
        }
        let targets = buffer(synapses, Int32(0))
        net.out_target = targets
        let fill = buffer(N * P, Int64(0))
        fill.update(from: offsets, count: N * P)
        wb_net_connect(&net, indegree, options.seed, 0, fill)
        net.out_offset = UnsafePointer(offsets)
        let split = buffer(N * P * (T + 1), Int64(0))
        for list in 0..<(N * P) {
            let lo = offsets[list], hi = offsets[list + 1]
            split[list * (T + 1)] = lo
            split[list * (T + 1) + T] = hi
            for t in 1..<T {
                // First synapse of the list whose target is thread t's (the list is sorted by target).
                var l = lo, r = hi
                while l < r {
                    let m = (l + r) / 2
                    if Int64(targets[Int(m)]) < range[t] { l = m + 1 } else { r = m }
                }
                split[list * (T + 1) + t] = l
            }
        }
        net.split = UnsafePointer(split)
        net.weight = UnsafePointer(weight); net.delay_steps = UnsafePointer(delaySteps)
        net.min_delay = Int32(plan.minDelay)

        // State and statistics.
        net.v = buffer(N, 0.0)
        net.current = spec.populations.contains { $0.tauS > 0 } ? buffer(N, 0.0) : nil
        net.refractory = buffer(N, Int32(0))
        net.rng = buffer(4 * N, UInt64(0))
        net.ring_slots = Int32(plan.ringSlots)
        net.ring = buffer(plan.ringSlots * N, 0.0)
        let spikeBuffers = buffer(T, UnsafeMutablePointer<Int32>?.none)
        let spikeOffsets = buffer(T, UnsafeMutablePointer<Int64>?.none)
        for t in 0..<T {
            spikeBuffers[t] = buffer(Int(range[t + 1] - range[t]) * plan.minDelay, Int32(0))
            spikeOffsets[t] = buffer(plan.minDelay + 1, Int64(0))
        }
        net.spike_buffer = spikeBuffers; net.spike_offset = spikeOffsets
        net.steps = Int64(plan.steps); net.window_start = Int64(plan.windowStart)
        for field in [\wb_net.spike_count, \.isi_count, \.last_spike, \.free_steps] {
            net[keyPath: field] = buffer(N, Int64(0))
        }
        for field in [\wb_net.isi_weight, \.isi_sum, \.isi_sum_squares, \.v_sum] {
            net[keyPath: field] = buffer(N, 0.0)
        }
        let windowSteps = plan.steps - plan.windowStart
        net.counts = buffer(windowSteps * P, Int32(0))
        net.events = buffer(T, Int64(0))
        wb_net_initialise(&net, options.seed)
        let setupSeconds = Date().timeIntervalSince(setupStart)

        // The run: thread t calls the C loop for its range; they meet at the C barrier.
        let runStart = Date()
        let shared = buffer(1, net)
        let address = UInt(bitPattern: shared)
        let group = DispatchGroup()
        for t in 1..<T {
            group.enter()
            let thread = Thread {
                wb_net_thread_run(UnsafeMutablePointer<wb_net>(bitPattern: address), Int32(t))
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        wb_net_thread_run(shared, 0)
        group.wait()
        let runSeconds = Date().timeIntervalSince(runStart)
        net = shared.pointee

        // Observables.
        var counts: [[Int32]] = Array(repeating: [], count: P)
        for a in 0..<P { counts[a] = (0..<windowSteps).map { net.counts[$0 * P + a] } }
        var events = 0.0
        for t in 0..<T { events += Double(net.events[t]) }
        var populations: [NetworkSimulationResult.Population] = []
        for (a, p) in spec.populations.enumerated() {
            let lo = Int(pops[a].first), n = p.size
            let window = Double(windowSteps) * options.dt
            // Rate from the activity, over time segments.
            let series = counts[a]
            let segment = windowSteps / options.segments
            let totalSpikes = series.reduce(0) { $0 + Int($1) }
            let segmentRates = (0..<options.segments).map { s in
                1000 * Double(series[(s * segment)..<((s + 1) * segment)].reduce(0) { $0 + Int($1) })
                    / (Double(n) * Double(segment) * options.dt)
            }
            let rate = BatchMeans.estimate(pooled: 1000 * Double(totalSpikes) / (Double(n) * window),
                                           batchValues: segmentRates)
            // CV and mean V over interleaved neuron groups.
            typealias Sums = (count: Double, weight: Double, sum: Double, squares: Double, vSum: Double, free: Double)
            func groupSums(_ g: Int?) -> Sums {
                var s: Sums = (0, 0, 0, 0, 0, 0)
                for i in lo..<(lo + n) where g.map({ (i - lo) % neuronGroups == $0 }) ?? true {
                    s.count += Double(net.isi_count[i]); s.weight += net.isi_weight[i]
                    s.sum += net.isi_sum[i]; s.squares += net.isi_sum_squares[i]
                    s.vSum += net.v_sum[i]; s.free += Double(net.free_steps[i])
                }
                return s
            }
            // The weighted ISI moments (network.c); n/(n-1) for the sample variance.
            func cv(_ s: Sums) -> Double {
                guard s.count >= 2 else { return .nan }
                let m = s.sum / s.weight
                return (max(0, s.squares / s.weight - m * m) * s.count / (s.count - 1)).squareRoot() / m
            }
            let all = groupSums(nil)
            let groups = (0..<min(neuronGroups, n)).map { groupSums($0) }
            populations.append(.init(
                name: p.name, size: n, rate: rate,
                cv: BatchMeans.estimate(pooled: cv(all), batchValues: groups.map(cv)),
                meanV: BatchMeans.estimate(pooled: all.vSum / all.free, batchValues: groups.map { $0.vSum / $0.free }),
                spectrum: PopulationSpectrum.welch(series, neurons: n, dt: options.dt, segments: options.segments,
                                                   frequencies: options.spectrumFrequencies),
                spikes: totalSpikes, isis: Int(all.count)))
        }
        return NetworkSimulationResult(
            populations: populations, options: options, synapses: synapses, threads: T,
            neuronSteps: Double(N) * Double(plan.steps), synapticEvents: events,
            setupSeconds: setupSeconds, runSeconds: runSeconds, counts: counts)
    }

    /// The run's sizes, checked before anything is allocated: every bad value is named with its valid range.
    struct Plan {
        var neurons = 0, threads = 1, steps = 0, windowStart = 0, minDelay = 1, ringSlots = 2
        var delaySteps: [[Int]] = []
        var synapseBound = 0

        init(_ spec: NetworkSimulationSpec, _ o: NetworkSimulationOptions) throws {
            func bad(_ s: String) -> Failure { .badInput(s) }
            guard o.dt.isFinite, o.dt > 0, o.dt <= 10 else { throw bad("dt = \(o.dt) ms: valid range (0, 10] ms") }
            guard o.time.isFinite, o.time > 0 else { throw bad("time = \(o.time) ms: must be > 0") }
            guard o.burnIn.isFinite, o.burnIn >= 0 else { throw bad("burn-in = \(o.burnIn) ms: must be >= 0") }
            guard (2...64).contains(o.segments) else { throw bad("segments = \(o.segments): valid range 2 to 64") }
            let total = ((o.burnIn + o.time) / o.dt).rounded()
            guard total <= 2_000_000_000 else {
                throw bad("burn-in + time = \(o.burnIn + o.time) ms is \(total) steps of \(o.dt) ms: at most 2e9")
            }
            steps = Int(total)
            windowStart = Int((o.burnIn / o.dt).rounded())
            let windowSteps = steps - windowStart
            guard windowSteps >= 2 * o.segments else {
                throw bad("time = \(o.time) ms: needs at least \(2 * o.segments) steps of \(o.dt) ms")
            }
            let P = spec.populations.count
            guard P >= 1, P <= 1000 else { throw bad("populations: \(P), valid range 1 to 1000") }
            for (name, m) in [("indegree", spec.indegree), ("weight", spec.weight), ("delay", spec.delay)]
            where m.count != P || m.contains(where: { $0.count != P }) {
                throw bad("the \(name) matrix is not \(P) x \(P) (one row and column per population)")
            }
            guard windowSteps * P <= 1 << 28 else {
                throw bad("time = \(o.time) ms: \(windowSteps) steps x \(P) populations of activity is over 2^28")
            }
            for p in spec.populations {
                let name = "populations.\(p.name)"
                guard p.size >= 1, p.size <= 100_000_000 else { throw bad("\(name).size = \(p.size): valid 1 to 1e8") }
                neurons += p.size
                // Time constants far below dt would only feed inf x 0 into the propagators.
                guard p.tauM.isFinite, p.tauM >= 1e-3 * o.dt else {
                    throw bad("\(name).tau_m = \(p.tauM) ms: at least dt/1000 = \(1e-3 * o.dt) ms")
                }
                guard p.tauS.isFinite, p.tauS == 0 || p.tauS >= 1e-3 * o.dt else {
                    throw bad("\(name).tau_s = \(p.tauS) ms: 0 (delta synapses) or at least dt/1000 = "
                        + "\(1e-3 * o.dt) ms")
                }
                guard p.tauRef.isFinite, p.tauRef >= 0, p.tauRef <= 1e6, p.tauRef / o.dt <= 1e9 else {
                    throw bad("\(name).tau_ref = \(p.tauRef) ms: valid range [0, 1e6] ms and at most 1e9 steps")
                }
                guard p.theta.isFinite, p.vReset.isFinite, p.vReset < p.theta else {
                    throw bad("\(name).v_reset = \(p.vReset) mV must be below theta = \(p.theta) mV")
                }
                guard p.dc.isFinite, p.externalWeight.isFinite else { throw bad("\(name): dc and J must be finite") }
                let lambda = p.externalIndegree * p.externalRate * o.dt * 1e-3
                guard lambda.isFinite, lambda >= 0, lambda <= PoissonTable.maximumMean else {
                    throw bad("\(name).external: indegree x rate x dt = \(lambda) events per step; valid range 0 to "
                        + "\(Int(PoissonTable.maximumMean)) (a smaller dt, or a dc input)")
                }
            }
            guard neurons <= Int(Int32.max) else { throw bad("the network has \(neurons) neurons: at most 2^31 - 1") }
            var bound = 0.0
            delaySteps = Array(repeating: Array(repeating: 0, count: P), count: P)
            var maxDelay = 1, minDelay = Int.max
            for a in 0..<P {
                for b in 0..<P {
                    let k = spec.indegree[a][b], name = "\(spec.populations[b].name) -> \(spec.populations[a].name)"
                    guard k.isFinite, k >= 0, k <= 1e7 else { throw bad("indegree of \(name) = \(k): valid 0 to 1e7") }
                    guard spec.weight[a][b].isFinite else { throw bad("J of \(name) = \(spec.weight[a][b]) mV") }
                    guard k > 0 else { continue }
                    bound += Double(spec.populations[a].size) * (k.rounded(.down) + 1)
                    let d = spec.delay[a][b] / o.dt
                    guard d.isFinite, d.rounded() >= 1, d <= 1e6 else {
                        throw bad("delay of \(name) = \(spec.delay[a][b]) ms: at least the time step \(o.dt) ms "
                            + "(and at most 1e6 steps)")
                    }
                    delaySteps[a][b] = Int(d.rounded())
                    maxDelay = max(maxDelay, delaySteps[a][b]); minDelay = min(minDelay, delaySteps[a][b])
                }
            }
            // Without connections nothing is delivered: long intervals, few barriers.
            self.minDelay = minDelay == .max ? 100 : minDelay
            ringSlots = maxDelay + 1
            threads = max(1, min(o.threads, neurons, 256))
            // Memory: 4 bytes per synapse, the ring, per-neuron state and the threads' split points.
            let bytes = 4 * bound + 8 * Double(ringSlots * neurons) + 120 * Double(neurons)
                + 4 * Double(neurons) * Double(self.minDelay) + 8 * Double(neurons * P * (threads + 3))
                + 8 * Double(windowSteps * P)
            let available = Double(ProcessInfo.processInfo.physicalMemory)
            guard bytes < 0.8 * available else {
                throw bad(String(format: "the network needs about %.1f GB; this machine has %.1f GB", bytes / 1e9,
                                 available / 1e9))
            }
            synapseBound = Int(bound)
        }
    }
}

/// The Poisson count of mean lambda by inversion with a guide table: one uniform per draw, O(1) on average
/// (Chen & Asau 1974; Devroye 1986, III.2.4). The table ends where 1 - cdf < 1e-17, whose mass goes to the last
/// entry (below the resolution of a 53-bit uniform).
struct PoissonTable {
    static let maximumMean = 10_000.0
    var cdf: [Double] = [], guide: [Int32] = []
    init(mean lambda: Double) {
        let last = Int(lambda + 40 * lambda.squareRoot() + 40)
        var sum = 0.0
        for k in 0...last {
            sum += exp(-lambda + Double(k) * log(max(lambda, .leastNormalMagnitude)) - lgamma(Double(k) + 1))
            cdf.append(min(sum, 1))
            if 1 - sum < 1e-17 { break }
        }
        cdf[cdf.count - 1] = 1
        let size = max(16, min(1 << 16, 2 * cdf.count))
        var k = 0
        for g in 0..<size {
            while cdf[k] <= Double(g) / Double(size) { k += 1 }
            guide.append(Int32(k))
        }
    }
}

/// Welch's estimate of a population rate's two-sided power spectrum (file comment of NetworkSimulation.swift).
public enum PopulationSpectrum {
    public static func welch(_ counts: [Int32], neurons: Int, dt: Double, segments: Int, frequencies: [Double])
        -> [Estimate]
    {
        guard !frequencies.isEmpty else { return [] }
        let h = dt * 1e-3, length = counts.count / segments
        guard length >= 2 else {
            return frequencies.map { _ in Estimate(value: .nan, standardError: .nan, batches: 0) }
        }
        let window = (0..<length).map { k in 0.5 - 0.5 * cos(2 * Double.pi * Double(k) / Double(length)) }
        let norm = h * window.reduce(0) { $0 + $1 * $1 }
        var power = Array(repeating: [Double](), count: frequencies.count)
        var x = [Double](repeating: 0, count: length)
        // The mean of the whole window, not of each segment: a segment's own mean would also remove its share of
        // the power below ~2/T_segment (at f = 1/(2 T_segment) about half of it).
        let used = counts[0..<(segments * length)]
        let mean = used.reduce(0.0) { $0 + Double($1) } / (Double(used.count) * Double(neurons) * h)
        for s in 0..<segments {
            let rates = counts[(s * length)..<((s + 1) * length)].map { Double($0) / (Double(neurons) * h) }
            for k in 0..<length { x[k] = window[k] * (rates[k] - mean) * h }
            for (j, f) in frequencies.enumerated() {
                // The phasor by rotation, re-anchored every 1024 samples (its error stays at rounding).
                let w = 2 * Double.pi * f * h
                let (cw, sw) = (cos(w), sin(w))
                var re = 0.0, im = 0.0, c = 1.0, sn = 0.0
                for k in 0..<length {
                    if k & 1023 == 0 { c = cos(w * Double(k)); sn = sin(w * Double(k)) }
                    re += x[k] * c; im -= x[k] * sn
                    (c, sn) = (c * cw - sn * sw, sn * cw + c * sw)
                }
                power[j].append((re * re + im * im) / norm)
            }
        }
        return power.map { p in
            BatchMeans.estimate(pooled: p.reduce(0, +) / Double(p.count), batchValues: p)
        }
    }
}
