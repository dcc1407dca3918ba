// Canonical parameters of the LIF models (DESIGN.md §3): the names, units, defaults and ranges the
// simulators use too, so `validate` can pair any LIF estimator with its model. Plugins append their own.
public enum CanonicalParameters {
    /// mu, sigma (required), theta, v_reset, tau_m, tau_ref — THEORY §0.2 / §1.1.
    public static let lif: [ParameterSpec] = [
        ParameterSpec("mu", unit: "mV", .required, summary: "mean input (shift of the free membrane mean)"),
        ParameterSpec("sigma", unit: "mV", .required, min: 0, minExclusive: true,
                      summary: "noise amplitude, Brunel convention (sqrt(2) x free std of the white-noise membrane)"),
        ParameterSpec("theta", unit: "mV", .defaulted(20), potential: true, summary: "threshold"),
        ParameterSpec("v_reset", unit: "mV", .defaulted(10), potential: true, summary: "reset potential (< theta)"),
        ParameterSpec("tau_m", unit: "ms", .defaulted(20), min: 0, minExclusive: true, summary: "membrane time constant"),
        ParameterSpec("tau_ref", unit: "ms", .defaulted(2), min: 0, summary: "absolute refractory period"),
    ]
}
