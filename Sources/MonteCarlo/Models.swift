// The simulated models and their canonical parameters (the names estimators use, DESIGN.md §3).
public struct SimulatorParameter: Sendable {
    public let name, unit, summary: String
    public let defaultValue: Double?          // nil: required (unless optional)
    public let min: Double
    public let minExclusive: Bool
    public var max: Double = .infinity
    public var maxExclusive = false
    /// Absent unless given (e.g. the lower barrier of a two-barrier run); the simulator then skips what needs it.
    public var optional = false
    public var integer = false
    /// Labels of a choice parameter; its value is the label's index (as in the estimator ABI).
    public var choices: [String] = []

    public init(name: String, unit: String, summary: String, defaultValue: Double?, min: Double = -.infinity,
                minExclusive: Bool = false, max: Double = .infinity, maxExclusive: Bool = false,
                optional: Bool = false, integer: Bool = false, choices: [String] = []) {
        self.name = name; self.unit = unit; self.summary = summary; self.defaultValue = defaultValue
        self.min = min; self.minExclusive = minExclusive; self.max = max; self.maxExclusive = maxExclusive
        self.optional = optional; self.integer = integer; self.choices = choices
    }
}

/// `lif-white` and `lif-colored` (THEORY §9.1, §9.2) behind `ModelSimulator`: the threshold-reset LIF with
/// white or exponentially filtered noise, run by `LIFSimulator`'s SIMD and C kernels. Beyond the common
/// options it reads a sinusoidal modulation of μ or σ² (the response), spectrum frequencies, and records
/// spike trains (`--spikes FILE`).
public struct LIFPairSimulator: ModelSimulator {
    public let name, summary: String
    public let parameters: [SimulatorParameter]
    public let observables: [ObservableSpec]
    public let options: Set<String> = ["dt", "time", "burn_in", "scheme", "density", "modulate", "spectrum", "spikes"]
    public let defaultSamples = 4000
    public let sampleName = "neurons"
    public let maxSamples = 100_000_000
    public let conventions: Set<String> = ["v_rest", "sigma_free"]
    let colored: Bool

    static let lifParameters = [
        SimulatorParameter(name: "mu", unit: "mV", summary: "mean input", defaultValue: nil),
        SimulatorParameter(name: "sigma", unit: "mV", summary: "noise amplitude (Brunel convention)", defaultValue: nil,
                           min: 0, minExclusive: true),
        SimulatorParameter(name: "theta", unit: "mV", summary: "threshold", defaultValue: 20),
        SimulatorParameter(name: "v_reset", unit: "mV", summary: "reset potential", defaultValue: 10),
        SimulatorParameter(name: "tau_m", unit: "ms", summary: "membrane time constant", defaultValue: 20, min: 0,
                           minExclusive: true),
        SimulatorParameter(name: "tau_ref", unit: "ms", summary: "refractory period", defaultValue: 2, min: 0),
    ]
    /// Observables of a modulated run (ModulatedLIF.swift).
    public static let responseObservables = Modulation.Target.allCases.flatMap { target in
        let m = Modulation(target: target, amplitude: 1, frequency: 1)
        return [
            ObservableSpec(m.stem + "_abs" + m.unitSuffix, unit: m.unit, summary: "|nu1|, rate response amplitude"),
            ObservableSpec(m.stem + "_phase_rad", unit: "rad", summary: "arg nu1, rate response phase"),
            ObservableSpec(m.stem + "_re" + m.unitSuffix, unit: m.unit, summary: "Re nu1"),
            ObservableSpec(m.stem + "_im" + m.unitSuffix, unit: m.unit, summary: "Im nu1"),
        ]
    }
    static let lifObservables = [
        ObservableSpec("rate_hz", unit: "Hz", summary: "spike count / (neurons T)"),
        ObservableSpec("cv", unit: "1", summary: "CV of the ISIs that start in the window"),
        ObservableSpec("mean_v_mv", unit: "mV", summary: "time average of V outside refractoriness"),
        ObservableSpec("mean_v_all_mv", unit: "mV", summary: "time average of V, refractory time at v_reset"),
        ObservableSpec("density_per_mv", unit: "1/mV", summary: "non-refractory membrane density (--density)"),
        ObservableSpec("spectrum_hz", unit: "Hz", summary: "spike-train power spectrum (--spectrum)"),
    ] + responseObservables

    public static let white = LIFPairSimulator(
        name: "lif-white", summary: "white-noise LIF: exact OU step, bridge or grid threshold (THEORY §9.1)",
        parameters: lifParameters, observables: lifObservables, colored: false)
    public static let colored = LIFPairSimulator(
        name: "lif-colored", summary: "LIF with exponentially filtered noise: exact OU η, Euler V (THEORY §9.2)",
        parameters: lifParameters + [SimulatorParameter(name: "tau_s", unit: "ms", summary: "noise (synaptic) time constant",
                                                        defaultValue: nil, min: 0)],
        observables: lifObservables, colored: true)

    public func unit(ofObservable name: String) -> String {
        if name.hasPrefix("spectrum_hz") { return "Hz" }
        return observables.first { $0.name == name }?.unit ?? ""
    }

    public func lifParameters(_ v: [String: Double]) -> LIFModelParameters {
        LIFModelParameters(mu: v["mu"]!, sigma: v["sigma"]!, theta: v["theta"]!, vReset: v["v_reset"]!,
                           tauM: v["tau_m"]!, tauRef: v["tau_ref"]!, tauS: v["tau_s"] ?? 0)
    }

    /// Euler in V (no threshold scheme) when the noise is coloured.
    func isEuler(_ v: [String: Double]) -> Bool { colored && (v["tau_s"] ?? 0) > 0 }

    /// The kernel's options from resolved run options.
    public func simulationOptions(_ o: RunOptions) -> SimulationOptions {
        var s = SimulationOptions()
        s.neurons = o.samples; s.seed = o.seed; s.threads = o.threads
        s.dt = o.dt!; s.time = o.time!; s.burnIn = o.burnIn!
        s.scheme = ThresholdScheme(rawValue: o.scheme ?? "") ?? .bridge
        s.density = o.density; s.recordSpikes = o.recordSpikes
        s.modulation = o.modulation; s.spectrumFrequencies = o.spectrumFrequencies
        return s
    }

    public func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        var o = options
        let theta = v["theta"]!, vReset = v["v_reset"]!, tauM = v["tau_m"]!, tauS = v["tau_s"] ?? 0
        guard vReset < theta else {
            throw SimulatorInputError("parameter 'v_reset' = \(plainNumber(vReset)) mV is out of range (valid: < theta = \(plainNumber(theta)) mV)")
        }
        let dt = o.dt ?? (tauS > 0 ? min(0.1, tauS / 100) : 0.1)
        guard dt > 0, dt <= tauM / 10 else {
            throw SimulatorInputError("option 'dt' = \(plainNumber(dt)) ms is out of range (valid: > 0 and <= tau_m/10 = \(plainNumber(tauM / 10)) ms)")
        }
        o.dt = dt
        o.time = o.time ?? 2000
        guard o.time! >= 10 * dt else {
            throw SimulatorInputError("option 'time' = \(plainNumber(o.time!)) ms is out of range (valid: >= 10 dt)")
        }
        o.burnIn = o.burnIn ?? max(500, 10 * tauM)
        guard o.burnIn! >= 0 else {
            throw SimulatorInputError("option 'burn_in' = \(plainNumber(o.burnIn!)) ms is out of range (valid: >= 0 ms)")
        }
        if isEuler(v) {
            guard o.scheme == nil || o.scheme == "euler" else {
                throw SimulatorInputError("option 'scheme' = '\(o.scheme!)' does not apply to lif-colored with tau_s > 0 "
                    + "(V is C^1 and is checked on the grid: scheme euler)")
            }
            o.scheme = "euler"
        } else {
            let scheme = o.scheme ?? ThresholdScheme.bridge.rawValue
            guard ThresholdScheme(rawValue: scheme) != nil else {
                throw SimulatorInputError("option 'scheme' = '\(scheme)' is not one of: bridge, naive")
            }
            o.scheme = scheme
        }
        try checkModulation(o, v)
        let steps = Double(o.samples) * (o.time! + o.burnIn!) / dt
        guard steps <= 1e13 else { throw SimulatorInputError("run of \(steps) neuron-steps is too large (limit 1e13)") }
        return o
    }

    /// σ²(t) stays positive; a modulation has 20 and a spectrum 2 steps per period, and a whole period in T.
    func checkModulation(_ o: RunOptions, _ v: [String: Double]) throws {
        if let m = o.modulation {
            let sigma = v["sigma"]!
            if m.target == .sigma2 && !(m.amplitude < sigma * sigma) {
                throw SimulatorInputError("option 'modulate': amplitude = \(plainNumber(m.amplitude)) mV^2 is out of range "
                    + "(valid: < sigma^2 = \(plainNumber(sigma * sigma)) mV^2, so that sigma^2(t) > 0)")
            }
            try Self.checkFrequency(m.frequency, option: "modulate", o, stepsPerPeriod: 20)
        }
        for f in o.spectrumFrequencies { try Self.checkFrequency(f, option: "spectrum", o, stepsPerPeriod: 2) }
    }

    /// f > 0, at least one whole period in the window, and `stepsPerPeriod` time steps per period.
    static func checkFrequency(_ f: Double, option: String, _ o: RunOptions, stepsPerPeriod: Double) throws {
        let dt = o.dt!, time = o.time!
        let fMax = 1000 / (stepsPerPeriod * dt)
        guard f > 0, f <= fMax else {
            throw SimulatorInputError("option '\(option)': frequency = \(plainNumber(f)) Hz is out of range (valid: > 0 and "
                + "<= \(plainNumber(fMax)) Hz, \(plainNumber(stepsPerPeriod)) steps of dt = \(plainNumber(dt)) ms per period)")
        }
        guard wholePeriods(f, window: time) > 0 else {
            throw SimulatorInputError("option '\(option)': frequency = \(plainNumber(f)) Hz has no whole period in the window "
                + "T = \(plainNumber(time)) ms (valid: >= \(plainNumber(1000 / time)) Hz, or a longer --time)")
        }
    }

    public func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let so = simulationOptions(o)
        let r = LIFSimulator.simulate(model: name, lifParameters(v), so, progress: progress)
        let t = r.total
        var run = ModelRun(observables: r.observables.filter { !$0.name.hasPrefix("density") },
                           density: so.density.map { g in (0..<g.bins).map { r.density(bin: $0)! } },
                           work: r.neuronSteps, workUnit: "neuron-steps", seconds: r.seconds)
        if let m = so.modulation {
            run.details.append(("modulation", "\(m.target == .mu ? "mu" : "sigma^2") + \(plainNumber(m.amplitude)) \(m.target == .mu ? "mV" : "mV^2") "
                + "cos(2 pi \(plainNumber(m.frequency)) Hz t)"))
        }
        run.counts = [("spikes", Double(t.spikes)), ("isis", Double(t.isiCount)), ("censored_isis", Double(t.censored)),
                      ("batches", Double(r.observable("rate_hz")!.batches))]
        if t.censored > 0 {
            run.warnings.append("\(t.censored) ISIs still open one window after the window end were dropped: the CV may be biased low")
        }
        if so.recordSpikes { run.spikeTrains = r.blocks.flatMap(\.spikeTimes) }
        return run
    }

    /// The simulator's own systematic error for an observable (THEORY §9.1/§9.2), added to the
    /// estimator's model error in validation.
    public func simulatorError(observable: String, values v: [String: Double], options o: RunOptions) -> Double {
        // A response at the default ε = σ/10 (or σ²/10) carries O(ε²) terms of about 1 % (ModulatedLIF.swift).
        let nonlinear = observable.hasPrefix("response_") ? 0.01 : 0
        if isEuler(v) { return 0.005 + nonlinear }        // Euler V at Δt ≤ τ_s/100
        let tauM = v["tau_m"]!, dt = o.dt!
        let fine = dt <= 5e-4 * tauM, coarse = dt <= 5e-3 * tauM
        switch (observable, ThresholdScheme(rawValue: o.scheme ?? "") ?? .bridge) {
        case ("rate_hz", .bridge): return fine ? 0.002 : (coarse ? 0.005 : 0.02)
        case ("rate_hz", .naive): return 0.005          // only against the shifted threshold (THEORY §9.1)
        case ("cv", .bridge): return 0.005
        case ("cv", .naive): return 0.015
        default: return (coarse ? 0.005 : 0.02) + nonlinear
        }
    }
}
