// `layered-lif` (THEORY §9.8): feed-forward layers of n LIF neurons with delta synapses, all-to-all from
// the previous layer (fan-in n) with Gaussian weights drawn once per synapse, layer 0 = n Poisson
// neurons. Event-driven and exact between input events: V decays by e^{−Δt/τ_m}, jumps by w, fires
// when a jump reaches θ. The model of `rate-collapse` (which adds the diffusion approximation).
import Foundation

public struct LayeredLIFSimulator: ModelSimulator {
    public let name = "layered-lif"
    public let summary = "feed-forward LIF layers, delta synapses, all-to-all Gaussian weights, event-driven exact (THEORY §9.8)"
    public let parameters = [
        SimulatorParameter(name: "n", unit: "1", summary: "width (= fan-in) of every layer", defaultValue: nil, min: 8, max: 100_000, integer: true),
        SimulatorParameter(name: "nu_in", unit: "Hz", summary: "Poisson rate of the input layer", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "theta", unit: "mV", summary: "threshold", defaultValue: 1, min: 0, minExclusive: true),
        SimulatorParameter(name: "v_reset", unit: "mV", summary: "reset potential", defaultValue: 0),
        SimulatorParameter(name: "tau_m", unit: "ms", summary: "membrane time constant", defaultValue: 20, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_ref", unit: "ms", summary: "refractory period", defaultValue: 0, min: 0),
        SimulatorParameter(name: "mu_w", unit: "mV", summary: "weight mean", defaultValue: nil, optional: true),
        SimulatorParameter(name: "sigma_w", unit: "mV", summary: "weight std (default: Kaiming sqrt(2/n) when no weight is given)", defaultValue: nil, min: 0, optional: true),
        SimulatorParameter(name: "layer", unit: "1", summary: "layer whose rate is reported", defaultValue: 0, min: 0, max: 100, integer: true),
        SimulatorParameter(name: "disorder", unit: "1", summary: "weights drawn per synaptic event (annealed) or once per synapse (quenched)",
                           defaultValue: 0, choices: ["annealed", "quenched"]),
    ]
    public let observables = [ObservableSpec("rate_hz", unit: "Hz", summary: "spikes of the layer / (n T)")]
    /// disorder annealed (default): every synaptic event draws its weight afresh — the compound-Poisson input
    /// of the Siegert layer map (mean n μ_w ν τ, variance n (μ_w² + σ_w²) ν τ). quenched: weights fixed per
    /// synapse, as in a trained network; each neuron's mean input then differs (variance n σ_w² (ν τ)²), which
    /// `rate-collapse --disorder quenched` averages over.
    public let options: Set<String> = ["time", "burn_in"]
    /// Batch means over time windows of the run (each spans every neuron, so shared input is inside the SE);
    /// quenched runs add the across-neuron spread of the rates (one weight draw: the realisation's own error).
    public let defaultSamples = 160
    static let windows = 20
    /// Resource limits of a run (memory ~16 bytes per spike of a layer; ~1e9 synaptic events per minute).
    static let maxEventsPerLayer = 20_000_000
    static let maxSynapticEvents = 5e11
    public init() {}

    public func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        var o = options
        guard v["v_reset"]! < v["theta"]! else {
            throw SimulatorInputError("parameter 'v_reset' = \(v["v_reset"]!) mV is out of range (valid: < theta = \(v["theta"]!) mV)")
        }
        o.time = o.time ?? 5000
        o.burnIn = o.burnIn ?? max(200, 10 * v["tau_m"]!)
        guard o.time! >= 100, o.burnIn! >= 0 else { throw SimulatorInputError("option 'time' must be >= 100 ms and 'burn_in' >= 0 ms") }
        let events = v["n"]! * v["n"]! * v["nu_in"]! / 1000 * (o.time! + o.burnIn!) * max(1, v["layer"]!)
        guard events <= Self.maxSynapticEvents else { throw SimulatorInputError("about \(events) synaptic events is too large a run (limit 5e11): lower n, nu_in, time or layer") }
        return o
    }

    public func collapseThreshold(observable: String, values: [String: Double]) -> Double? {
        observable == "rate_hz" ? 1 : nil       // THEORY §9.8: below 1 Hz only "collapsed" is checked
    }

    public func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                                  precision: Double) -> RunOptions {
        var o = options
        // The estimator's own error is 5 %: aim at ~1 % SE (or the requested precision if looser), 2–20 s.
        guard let rate = predictions["rate_hz"], rate >= 1 else { return o }
        let spikes = 1 / pow(max(precision, 0.01), 2)
        o.time = min(max((spikes / (values["n"]! * rate) * 1000 / 100).rounded(.up) * 100, 2000), 20_000)
        return o
    }

    public func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let n = Int(v["n"]!), layers = Int(v["layer"]!)
        let theta = v["theta"]!, vReset = v["v_reset"]!, tauM = v["tau_m"]!, tauRef = v["tau_ref"]!
        let noWeights = v["mu_w"] == nil && v["sigma_w"] == nil
        let muW = v["mu_w"] ?? 0, sigmaW = v["sigma_w"] ?? (noWeights ? (2 / Double(n)).squareRoot() : 0)
        let total = o.burnIn! + o.time!
        let quenched = v["disorder"] == 1
        // Layer 0: the superposition of n Poisson trains is one Poisson process of rate n ν with uniform sources.
        var times: [Double] = [], sources: [Int32] = []
        do {
            var rng = LaneRNG(seed: o.seed, stream: 0)
            let rate = Double(n) * v["nu_in"]! / 1000
            var t = 0.0
            outer: while true {
                let gaps = -VectorMath.log(rng.uniform()) / rate, picks = rng.uniform()
                for lane in 0..<8 {
                    t += gaps[lane]
                    if t >= total { break outer }
                    times.append(t); sources.append(Int32(min(n - 1, Int(picks[lane] * Double(n)))))
                }
            }
        }
        var events = 0.0
        let blocks = (n + 7) / 8
        var stopped: String? = nil
        if layers > 0 {
            for l in 1...layers {
                // Each input event can make every neuron of the layer fire once: activity may grow n-fold per layer
                // (mu_w near theta, tau_ref = 0), which resolve() cannot foresee from nu_in.
                if times.count > Self.maxEventsPerLayer || events + Double(times.count) * Double(n) > Self.maxSynapticEvents {
                    stopped = "run stopped before layer \(l): layer \(l - 1) emitted \(times.count) spikes in \(plainNumber(total)) ms, "
                        + "\(String(format: "%.3g", Double(times.count) * 1000 / (Double(n) * total))) Hz per neuron (limits: "
                        + "\(String(format: "%.0e", Double(Self.maxEventsPerLayer))) spikes per layer, "
                        + "\(String(format: "%.0e", Self.maxSynapticEvents)) synaptic events): the activity explodes with depth; "
                        + "lower mu_w or sigma_w, n, time or layer"
                    break
                }
                // Decay between consecutive input events, shared by every neuron of the layer.
                var decay = [Double](repeating: 1, count: times.count)
                for k in times.indices { decay[k] = exp(-(times[k] - (k > 0 ? times[k - 1] : 0)) / tauM) }
                let inTimes = times, inSources = sources, inDecay = decay
                let perBlock = BlockRunner.run(blocks: blocks, threads: o.threads) { b -> [(Double, Int32)] in
                    Self.simulateBlock(b, n: n, layer: l, seed: o.seed, quenched: quenched, muW: muW, sigmaW: sigmaW, theta: theta, vReset: vReset,
                                       tauM: tauM, tauRef: tauRef, times: inTimes, sources: inSources, decay: inDecay)
                }
                events += Double(times.count) * Double(n)
                var merged: [(Double, Int32)] = perBlock.flatMap { $0 }
                merged.sort { (x: (Double, Int32), y: (Double, Int32)) -> Bool in x.0 < y.0 || (x.0 == y.0 && x.1 < y.1) }
                times = merged.map { $0.0 }; sources = merged.map { $0.1 }
                progress?(l, layers)
            }
        }
        // Rate in the window, with its SE from batch means over time windows.
        let w = Self.windows
        var counts = [Double](repeating: 0, count: w)
        for t in times where t >= o.burnIn! {
            counts[min(w - 1, Int((t - o.burnIn!) / o.time! * Double(w)))] += 1
        }
        let perWindow = counts.map { 1000 * $0 / (Double(n) * o.time! / Double(w)) }
        var rate = BatchMeans.estimate(pooled: 1000 * counts.reduce(0, +) / (Double(n) * o.time!), batchValues: perWindow)
        if quenched && layers > 0 {
            // The population mean of one weight realisation scatters around the quenched average by
            // sd_i(ν_i)/√n; added to the temporal SE (which it partly double counts: conservative).
            var perNeuron = [Double](repeating: 0, count: n)
            for (t, i) in zip(times, sources) where t >= o.burnIn! { perNeuron[Int(i)] += 1000 / o.time! }
            let mean = perNeuron.reduce(0, +) / Double(n)
            let variance = perNeuron.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            rate = Estimate(value: rate.value, standardError: (rate.standardError * rate.standardError + variance / Double(n)).squareRoot(), batches: rate.batches)
        }
        var run = ModelRun(observables: [("rate_hz", rate)], work: events, workUnit: "synaptic events", seconds: Date().timeIntervalSince(start))
        run.stopped = stopped
        run.details = [("width", String(n)), ("layers", String(layers)), ("disorder", quenched ? "quenched" : "annealed"), ("mu_w", String(muW)), ("sigma_w", String(sigmaW))]
        return run
    }

    /// Eight postsynaptic neurons of layer l over the presynaptic event list; returns their spikes.
    static func simulateBlock(_ b: Int, n: Int, layer: Int, seed: UInt64, quenched: Bool, muW: Double, sigmaW: Double, theta: Double, vReset: Double,
                              tauM: Double, tauRef: Double, times: [Double], sources: [Int32], decay: [Double]) -> [(Double, Int32)] {
        // Weights of synapse (j → 8b + lane), drawn once from the stream of (seed, layer, block).
        var normals = NormalBuffer(LaneRNG(seed: seed, stream: (UInt64(layer) << 32) | UInt64(b) | (1 << 62)))
        defer { normals.release() }
        var weights = [V8](repeating: .zero, count: quenched ? n : 0)
        for j in weights.indices { weights[j] = muW + sigmaW * normals.next() }
        @inline(__always) func weight(_ k: Int) -> V8 { quenched ? weights[Int(sources[k])] : muW + sigmaW * normals.next() }
        let lanes = min(8, n - 8 * b)
        let active = V8(0, 1, 2, 3, 4, 5, 6, 7) .< Double(lanes)
        var v = V8.zero
        var refractoryUntil = V8(repeating: -1)
        var spikes: [(Double, Int32)] = []
        let resetV = V8(repeating: vReset), thetaV = V8(repeating: theta)
        for k in times.indices {
            let t = times[k]
            v *= decay[k]
            if tauRef > 0 {
                // Lanes still refractory stay clamped (their input is lost); lanes whose refractory period
                // ended since the last event decay from V_r over the time since it ended.
                let clamped = refractoryUntil .> t
                let released = .!clamped .& (refractoryUntil .> (k > 0 ? times[k - 1] : 0))
                if any(released) {
                    for lane in 0..<8 where released[lane] { v[lane] = vReset * exp(-(t - refractoryUntil[lane]) / tauM) }
                }
                v = blend(clamped, resetV, v + weight(k))
                let fired = (v .>= thetaV) .& .!clamped .& active
                if any(fired) {
                    for lane in 0..<8 where fired[lane] { spikes.append((t, Int32(8 * b + lane))) }
                    v = blend(fired, resetV, v)
                    refractoryUntil = blend(fired, V8(repeating: t + tauRef), refractoryUntil)
                }
            } else {
                v += weight(k)
                let fired = (v .>= thetaV) .& active
                if any(fired) {
                    for lane in 0..<8 where fired[lane] { spikes.append((t, Int32(8 * b + lane))) }
                    v = blend(fired, resetV, v)
                }
            }
        }
        return spikes
    }
}
