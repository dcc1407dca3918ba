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

public struct SimulatorModel: Sendable {
    public let name, summary: String
    public let parameters: [SimulatorParameter]
    public let observables: [String]

    static let lifParameters = [
        SimulatorParameter(name: "mu", unit: "mV", summary: "mean input", defaultValue: nil, min: -.infinity, minExclusive: false),
        SimulatorParameter(name: "sigma", unit: "mV", summary: "noise amplitude (Brunel convention)", defaultValue: nil, min: 0, minExclusive: true),
        SimulatorParameter(name: "theta", unit: "mV", summary: "threshold", defaultValue: 20, min: -.infinity, minExclusive: false),
        SimulatorParameter(name: "v_reset", unit: "mV", summary: "reset potential", defaultValue: 10, min: -.infinity, minExclusive: false),
        SimulatorParameter(name: "tau_m", unit: "ms", summary: "membrane time constant", defaultValue: 20, min: 0, minExclusive: true),
        SimulatorParameter(name: "tau_ref", unit: "ms", summary: "refractory period", defaultValue: 2, min: 0, minExclusive: false),
    ]
    /// Observables of a modulated run (ModulatedLIF.swift).
    public static let responseObservables = ["mu", "sigma2"].flatMap { stem in
        let unit = stem == "mu" ? "_hz_per_mv" : "_hz_per_mv2"
        return ["abs" + unit, "phase_rad", "re" + unit, "im" + unit].map { "response_\(stem)_" + $0 }
    }
    static let lifObservables = ["rate_hz", "cv", "mean_v_mv", "mean_v_all_mv", "density_per_mv", "spectrum_hz"]
        + responseObservables

    public static let all: [SimulatorModel] = [
        SimulatorModel(name: "lif-white", summary: "white-noise LIF: exact OU step, bridge or grid threshold (THEORY §9.1)",
                       parameters: lifParameters, observables: lifObservables),
        SimulatorModel(name: "lif-colored", summary: "LIF with exponentially filtered noise: exact OU η, Euler V (THEORY §9.2)",
                       parameters: lifParameters + [SimulatorParameter(name: "tau_s", unit: "ms", summary: "noise (synaptic) time constant",
                                                                        defaultValue: nil, min: 0, minExclusive: false)],
                       observables: lifObservables),
    ]

    public static func named(_ n: String) -> SimulatorModel? { all.first { $0.name == n } }

    public func makeParameters(_ values: [String: Double]) -> LIFModelParameters {
        LIFModelParameters(mu: values["mu"]!, sigma: values["sigma"]!, theta: values["theta"]!, vReset: values["v_reset"]!,
                      tauM: values["tau_m"]!, tauRef: values["tau_ref"]!, tauS: values["tau_s"] ?? 0)
    }

    /// The simulator's own systematic error for an observable (THEORY §9.1/§9.2), added to the
    /// estimator's model error in validation.
    public func simulatorError(observable: String, options o: SimulationOptions, parameters p: LIFModelParameters) -> Double {
        // A response at the default ε = σ/10 (or σ²/10) carries O(ε²) terms of about 1 % (ModulatedLIF.swift).
        let nonlinear = observable.hasPrefix("response_") ? 0.01 : 0
        if name == "lif-colored" && p.tauS > 0 { return 0.005 + nonlinear }        // Euler V at Δt ≤ τ_s/100
        let fine = o.dt <= 5e-4 * p.tauM, coarse = o.dt <= 5e-3 * p.tauM
        switch (observable, o.scheme) {
        case ("rate_hz", .bridge): return fine ? 0.002 : (coarse ? 0.005 : 0.02)
        case ("rate_hz", .naive): return 0.005          // only against the shifted threshold (THEORY §9.1)
        case ("cv", .bridge): return 0.005
        case ("cv", .naive): return 0.015
        default: return (coarse ? 0.005 : 0.02) + nonlinear
        }
    }
}
