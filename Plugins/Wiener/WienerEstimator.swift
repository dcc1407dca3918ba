// `wiener`: THEORY §3 as an estimator of the model `wiener` (perfect integrate-and-fire neuron,
// Brownian motion with drift). Exact formulas: model error 0 on every output.
import EstimatorKit
import Foundation
import GSLSupport
import WienerNumerics

struct WienerEstimator: Estimator {
    enum P: Int { case m, s, a, tauRef, t, b, y }
    enum O: Int {
        case density, cdf, survival, lnSurvival, lnCDF
        case meanFPT, varFPT, cvFPT, rate, lnRate, cv, pHit, lnPHit
        case pUp, pDown, lnPUp, lnPDown, meanExit
        case maxCDF, maxTail, meanMax
    }

    let info = EstimatorInfo(
        name: "wiener",
        summary: "Perfect integrate-and-fire neuron (Brownian motion with drift): first passage, ISI, two barriers, running maximum",
        reference: "Inverse Gaussian first passage (Schrödinger 1915; Cox & Miller 1965, ch. 5); Gerstein & Mandelbrot 1964; THEORY.md §3",
        model: "wiener",
        notes: """
        dX = m dt + s dW from X(0) = 0; spike at the barrier a (then reset, refractory tau_ref). Exact closed forms, \
        evaluated without cancellation or overflow (logs stay finite where a probability underflows). \
        With t: FPT density, CDF, survival at t and E[M_t]; with b: exit from (-b, a); with y (and t): P(M_t < y). \
        m <= 0: E[T] = inf (Var[T] = inf at m = 0), long-run rate 0 and its log -inf, CVs not applicable; m < 0: P(ever) = exp(-2|m|a/s^2).
        """,
        parameters: [
            ParameterSpec("m", unit: "mV/ms", .required, summary: "drift (any real)"),
            ParameterSpec("s", unit: "mV/sqrt(ms)", .required, min: 0, minExclusive: true, summary: "noise intensity"),
            ParameterSpec("a", unit: "mV", .required, min: 0, minExclusive: true,
                          summary: "distance from the start (reset) to the upper barrier (threshold)"),
            ParameterSpec("tau_ref", unit: "ms", .defaulted(0), min: 0, summary: "absolute refractory period (ISI = tau_ref + T)"),
            ParameterSpec("t", unit: "ms", .optional, min: 0, minExclusive: true,
                          summary: "evaluation time of the FPT density/CDF/survival; horizon of the running maximum"),
            ParameterSpec("b", unit: "mV", .optional, min: 0, minExclusive: true,
                          summary: "distance from the start to a lower barrier (exit from (-b, a))"),
            ParameterSpec("y", unit: "mV", .optional, min: 0, minExclusive: true,
                          summary: "level of the running maximum over [0, t] (needs t)"),
        ],
        outputs: [
            OutputSpec("fpt_density_per_ms", unit: "1/ms", summary: "first-passage-time density f(t) (defective for m < 0)"),
            OutputSpec("fpt_cdf", unit: "1", observable: "fpt_cdf", summary: "P(T <= t)"),
            OutputSpec("fpt_survival", unit: "1", summary: "P(T > t), formed without 1 - F"),
            OutputSpec("ln_fpt_survival", unit: "1", summary: "ln P(T > t) (authoritative when it underflows)"),
            OutputSpec("ln_fpt_cdf", unit: "1", summary: "ln P(T <= t)"),
            OutputSpec("mean_fpt_ms", unit: "ms", observable: "mean_fpt_ms", summary: "E[T] = a/m for m > 0; inf for m <= 0"),
            OutputSpec("var_fpt_ms2", unit: "ms^2", summary: "Var[T] = a s^2/m^3 for m > 0; inf for m = 0"),
            OutputSpec("cv_fpt", unit: "1", observable: "cv_fpt", summary: "CV of T = s/sqrt(a m) (m > 0)"),
            OutputSpec("rate_hz", unit: "Hz", observable: "rate_hz", summary: "1000/(tau_ref + a/m); 0 for m <= 0"),
            OutputSpec("ln_rate_hz", unit: "ln Hz", summary: "natural log of the rate (-inf for m <= 0)"),
            OutputSpec("cv", unit: "1", observable: "cv", summary: "CV of the ISI tau_ref + T (m > 0)"),
            OutputSpec("p_hit_ever", unit: "1", observable: "p_hit_ever", summary: "P(T < infinity): 1 for m >= 0, exp(-2|m|a/s^2) for m < 0"),
            OutputSpec("ln_p_hit_ever", unit: "1", summary: "ln P(T < infinity)"),
            OutputSpec("p_up", unit: "1", observable: "p_up", summary: "P(exit from (-b, a) at a) (needs b)"),
            OutputSpec("p_down", unit: "1", observable: "p_down", summary: "P(exit from (-b, a) at -b), by its own expm1 form (needs b)"),
            OutputSpec("ln_p_up", unit: "1", summary: "ln P_up (finite when P_up underflows)"),
            OutputSpec("ln_p_down", unit: "1", summary: "ln P_down (finite when P_down underflows)"),
            OutputSpec("mean_exit_ms", unit: "ms", observable: "mean_exit_ms", summary: "mean exit time from (-b, a) (needs b)"),
            OutputSpec("max_cdf", unit: "1", observable: "max_cdf", summary: "P(M_t < y), M_t = max of X over [0, t] (needs y, t)"),
            OutputSpec("p_max_above", unit: "1", summary: "P(M_t >= y) = FPT CDF at t for barrier y (needs y, t)"),
            OutputSpec("mean_max_mv", unit: "mV", observable: "mean_max_mv", summary: "E[M_t] (needs t)"),
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let m = p[P.m.rawValue], s = p[P.s.rawValue], a = p[P.a.rawValue], tauRef = p[P.tauRef.rawValue]
        let t = p[P.t.rawValue], b = p[P.b.rawValue], y = p[P.y.rawValue]
        let hasT = !t.isNaN, hasB = !b.isNaN, hasY = !y.isNaN
        if hasY && !hasT {
            throw EstimatorFailure(.badParameter(P.y.rawValue),
                                   "parameter 'y' = \(formatForMessage(y)) mV needs the horizon 't' (the running maximum is over [0, t])")
        }
        func na(_ o: O) { out.notApplicable(o.rawValue) }
        func set(_ o: O, _ v: Double) { out.set(o.rawValue, v) }

        let fptOutputs: [O] = [.density, .cdf, .survival, .lnSurvival, .lnCDF]
        if hasT && fptOutputs.contains(where: { out.wants($0.rawValue) }) {
            let f = Wiener.firstPassage(t: t, a: a, m: m, s: s, workspace: ws)
            set(.density, f.density); set(.cdf, f.cdf); set(.survival, f.survival)
            set(.lnSurvival, f.lnSurvival); set(.lnCDF, f.lnCDF)
        } else if !hasT {
            fptOutputs.forEach(na)
        }

        if let mo = Wiener.moments(a: a, m: m, s: s, tauRef: tauRef) {
            set(.meanFPT, mo.mean); set(.varFPT, mo.variance); set(.cvFPT, mo.cv)
            set(.rate, mo.rateHz); set(.lnRate, mo.lnRateHz); set(.cv, mo.cvISI)
        } else {
            // THEORY §3: for m <= 0, E[T] = ∞ (m = 0: T < ∞ a.s. with a t^{-3/2} tail, so E[T²] = ∞ too; m < 0:
            // T = ∞ with probability 1 − p_hit, and a variance is undefined). Infinite is a value, not
            // "not applicable"; the long-run rate of a process that stops firing is 0 and its log is −∞.
            set(.meanFPT, .infinity)
            if m == 0 { set(.varFPT, .infinity) } else { na(.varFPT) }
            [O.cvFPT, .cv].forEach(na)
            set(.rate, 0); set(.lnRate, -.infinity)
        }
        let hit = Wiener.hitProbability(a: a, m: m, s: s)
        set(.pHit, hit.p); set(.lnPHit, hit.ln)

        if hasB {
            let e = Wiener.exit(a: a, b: b, m: m, s: s)
            set(.pUp, e.pUp); set(.pDown, e.pDown); set(.lnPUp, e.lnPUp); set(.lnPDown, e.lnPDown)
            set(.meanExit, e.meanTime)
        } else {
            [O.pUp, .pDown, .lnPUp, .lnPDown, .meanExit].forEach(na)
        }

        if hasT && hasY {
            if out.wants(O.maxCDF.rawValue) || out.wants(O.maxTail.rawValue) {
                let c = Wiener.maximumCDF(y: y, t: t, m: m, s: s, workspace: ws)
                set(.maxCDF, c.below); set(.maxTail, c.atOrAbove)
            }
        } else {
            na(.maxCDF); na(.maxTail)
        }
        if hasT { set(.meanMax, Wiener.meanMaximum(t: t, m: m, s: s)) } else { na(.meanMax) }
        return 0
    }
}
