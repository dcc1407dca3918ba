// How `validate` runs lif-white / lif-colored for an estimator: sized from the estimator's own rate and CV,
// or, for an estimator with a frequency parameter f (linear response), a run modulated at f.
import Foundation

extension LIFPairSimulator {
    static let stationaryObservables: Set<String> = ["rate_hz", "cv", "mean_v_mv", "mean_v_all_mv", "density_per_mv",
                                                     "spectrum_hz"]

    public func validationPlan(_ options: RunOptions, values v: [String: Double],
                               request r: ValidationRequest) throws -> ValidationPlan {
        var o = options
        let p = lifParameters(v)
        let user = r.userOptions
        let frequency = r.estimatorValues["f"]
        if r.modulate != nil && frequency == nil {
            throw SimulatorInputError("option 'modulate' applies to an estimator with a frequency parameter f "
                + "(linear-response), whose response it checks; this estimator has none")
        }
        if let f = frequency, f > 0, !user.contains("dt"), r.modulate?.target != "none" {
            o.dt = min(p.tauS > 0 ? min(0.1, p.tauS / 100) : 0.1, 1000 / (20 * f))   // 20 steps per period at least
        }
        if user.isDisjoint(with: ["neurons", "samples"]) { o.samples = 2000 }
        var plan = ValidationPlan(options: o)
        if let f = frequency { try planResponse(&plan, f: f, p, v, r) }
        o = plan.options
        // Run length from the estimator's own prediction: SE(rate)/rate ≈ CV/√(#spikes) for a renewal process.
        let rate = r.outputs["rate_hz"] ?? .nan
        let cv = r.outputs["cv"] ?? 1
        if rate.isFinite && rate > 0 && o.modulation == nil {
            let spikes = pow((cv.isFinite ? max(cv, 0.3) : 1) / r.precision, 2)
            if !user.contains("time") {
                let t = spikes / (rate * Double(o.samples)) * 1000
                o.time = min(max((t / 100).rounded(.up) * 100, 1000), 300_000)
                if t > 300_000 {
                    plan.notes.append("rate \(String(format: "%.15g", rate)) Hz is too low to reach the requested precision "
                        + "in 300 s of simulated time per neuron")
                }
            }
            if !user.contains("burn_in") { o.burnIn = min(max(10 * p.tauM, (5000 / rate / 10).rounded(.up) * 10), 30_000) }
        }
        if r.wantsDensity && o.density == nil {
            let spread = p.sigma / 2.0.squareRoot()
            o.density = DensityGrid(vMin: min(p.vReset, p.mu) - 3 * spread, vMax: p.theta, bins: 30)
        }
        plan.options = try resolve(o, v)
        return plan
    }

    /// Linear response: the run modulated at the estimator's f (default ε = σ/10 or σ²/10), or with
    /// `--modulate none` the stationary run with the spectrum at f; which observables it cannot compare.
    func planResponse(_ plan: inout ValidationPlan, f: Double, _ p: LIFModelParameters, _ v: [String: Double],
                      _ r: ValidationRequest) throws {
        let responses = Set(Self.responseObservables.map(\.name))
        var o = plan.options
        let target = r.modulate?.target ?? Modulation.Target.mu.rawValue
        if target == "none" || f == 0 {
            if f > 0 {
                o.spectrumFrequencies = [f]
                o.time = max(o.time!, (1000 / f).rounded(.up))
                o.time = (o.time! * f / 1000).rounded(.up) * 1000 / f
            }
            plan.options = o
            plan.excluded = responses
            plan.notes.append(f == 0 ? "f = 0: the static gain is not simulated (a modulation needs f > 0)"
                                     : "stationary run (--modulate none): the responses are not compared")
            return
        }
        guard let t = Modulation.Target(rawValue: target) else {
            throw SimulatorInputError("option 'modulate' = '\(target)': validate takes mu, sigma2, none, or mu:EPS / sigma2:EPS "
                + "(the frequency is the estimator's f)")
        }
        // Default amplitude: a tenth of σ (or σ²), where the O(ε²) terms stay near 1 % (halve it to check).
        let eps = r.modulate?.amplitude ?? (t == .mu ? 0.1 * p.sigma : 0.1 * p.sigma * p.sigma)
        let m = Modulation(target: t, amplitude: eps, frequency: f)
        o.modulation = m
        try checkModulation(o, v)
        if !r.userOptions.contains("time") {
            // SE of Re ν1 and Im ν1 ≈ √(2 S/(N T))/ε for a spike train of spectrum S: size for 5·precision of |ν1|.
            let amplitude = r.outputs[m.stem + "_abs" + m.unitSuffix] ?? .nan
            let spectrum = r.outputs["spectrum_hz"] ?? r.outputs["rate_hz"] ?? .nan
            if amplitude.isFinite && amplitude > 0 && spectrum.isFinite && spectrum > 0 {
                let precision = 5 * r.precision
                let nt = 2 * (spectrum / 1000) / pow(eps * precision * amplitude / 1000, 2)        // neuron-ms
                o.time = min(max((nt / Double(o.samples) / 100).rounded(.up) * 100, 2000), 300_000)
            }
            o.burnIn = max(o.burnIn!, 10 * p.tauM)
        }
        o.time = max((o.time! * f / 1000).rounded(.up), 1) * 1000 / f          // whole periods
        plan.options = o
        let mu = t == .mu
        plan.excluded = Self.stationaryObservables.union(responses.filter { !$0.hasPrefix(m.stem + "_") })
        plan.notes.append("modulated run: \(mu ? "mu" : "sigma^2") + \(plainNumber(eps)) \(mu ? "mV" : "mV^2") "
            + "cos(2 pi \(plainNumber(f)) Hz t); the stationary observables (rate, CV, spectrum) and the "
            + "\(mu ? "sigma^2" : "mu") response are not compared here (--modulate \(mu ? "sigma2" : "mu") or --modulate none "
            + "compares them)")
    }
}
