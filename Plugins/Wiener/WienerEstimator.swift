// `wiener`: THEORY §3 as an estimator of the model `wiener` (perfect integrate-and-fire neuron,
// Brownian motion with drift). Exact formulas: model error 0 on every output.
import EstimatorKit
import Foundation
import GSLSupport
import WienerNumerics

struct WienerEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case m, s, a, tauRef, t, b, y }
    enum Output: Int, EstimatorField {
        case fptDensityPerMs, fptCdf, fptSurvival, lnFptSurvival, lnFptCdf
        case meanFptMs, varFptMs2, cvFpt, rateHz, lnRateHz, cv, pHitEver, lnPHitEver
        case pUp, pDown, lnPUp, lnPDown, meanExitMs
        case maxCdf, pMaxAbove, meanMaxMv
    }
    typealias P = Parameter
    typealias O = Output

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
            ParameterSpec(P.m, unit: "mV/ms", .required, summary: "drift (any real)"),
            ParameterSpec(P.s, unit: "mV/sqrt(ms)", .required, min: 0, minExclusive: true, summary: "noise intensity"),
            ParameterSpec(P.a, unit: "mV", .required, min: 0, minExclusive: true,
                          summary: "distance from the start (reset) to the upper barrier (threshold)"),
            ParameterSpec(P.tauRef, unit: "ms", .defaulted(0), min: 0,
                          summary: "absolute refractory period (ISI = tau_ref + T)"),
            ParameterSpec(P.t, unit: "ms", .optional, min: 0, minExclusive: true,
                          summary: "evaluation time of the FPT density/CDF/survival; horizon of the running maximum"),
            ParameterSpec(P.b, unit: "mV", .optional, min: 0, minExclusive: true,
                          summary: "distance from the start to a lower barrier (exit from (-b, a))"),
            ParameterSpec(P.y, unit: "mV", .optional, min: 0, minExclusive: true,
                          summary: "level of the running maximum over [0, t] (needs t)"),
        ],
        outputs: [
            OutputSpec(O.fptDensityPerMs, unit: "1/ms",
                       summary: "first-passage-time density f(t) (defective for m < 0)"),
            OutputSpec(O.fptCdf, unit: "1", observable: "fpt_cdf", summary: "P(T <= t)"),
            OutputSpec(O.fptSurvival, unit: "1", summary: "P(T > t), formed without 1 - F"),
            OutputSpec(O.lnFptSurvival, unit: "1", summary: "ln P(T > t) (authoritative when it underflows)"),
            OutputSpec(O.lnFptCdf, unit: "1", summary: "ln P(T <= t)"),
            OutputSpec(O.meanFptMs, unit: "ms", observable: "mean_fpt_ms",
                       summary: "E[T] = a/m for m > 0; inf for m <= 0"),
            OutputSpec(O.varFptMs2, unit: "ms^2", summary: "Var[T] = a s^2/m^3 for m > 0; inf for m = 0"),
            OutputSpec(O.cvFpt, unit: "1", observable: "cv_fpt", summary: "CV of T = s/sqrt(a m) (m > 0)"),
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz", summary: "1000/(tau_ref + a/m); 0 for m <= 0"),
            OutputSpec(O.lnRateHz, unit: "ln Hz", summary: "natural log of the rate (-inf for m <= 0)"),
            OutputSpec(O.cv, unit: "1", observable: "cv", summary: "CV of the ISI tau_ref + T (m > 0)"),
            OutputSpec(O.pHitEver, unit: "1", observable: "p_hit_ever",
                       summary: "P(T < infinity): 1 for m >= 0, exp(-2|m|a/s^2) for m < 0"),
            OutputSpec(O.lnPHitEver, unit: "1", summary: "ln P(T < infinity)"),
            OutputSpec(O.pUp, unit: "1", observable: "p_up", summary: "P(exit from (-b, a) at a) (needs b)"),
            OutputSpec(O.pDown, unit: "1", observable: "p_down",
                       summary: "P(exit from (-b, a) at -b), by its own expm1 form (needs b)"),
            OutputSpec(O.lnPUp, unit: "1", summary: "ln P_up (finite when P_up underflows)"),
            OutputSpec(O.lnPDown, unit: "1", summary: "ln P_down (finite when P_down underflows)"),
            OutputSpec(O.meanExitMs, unit: "ms", observable: "mean_exit_ms",
                       summary: "mean exit time from (-b, a) (needs b)"),
            OutputSpec(O.maxCdf, unit: "1", observable: "max_cdf",
                       summary: "P(M_t < y), M_t = max of X over [0, t] (needs y, t)"),
            OutputSpec(O.pMaxAbove, unit: "1", summary: "P(M_t >= y) = FPT CDF at t for barrier y (needs y, t)"),
            OutputSpec(O.meanMaxMv, unit: "mV", observable: "mean_max_mv", summary: "E[M_t] (needs t)"),
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let m = p[P.m], s = p[P.s], a = p[P.a], tauRef = p[P.tauRef]
        let t = p[P.t], b = p[P.b], y = p[P.y]
        let hasT = !t.isNaN, hasB = !b.isNaN, hasY = !y.isNaN
        if hasY && !hasT {
            throw EstimatorFailure(badParameter: P.y,
                                   "parameter 'y' = \(formatForMessage(y)) mV needs the horizon 't' (the running maximum is over [0, t])")
        }
        func na(_ o: O) { out.notApplicable(o) }
        func set(_ o: O, _ v: Double) { out.set(o, v) }

        let fptOutputs: [O] = [.fptDensityPerMs, .fptCdf, .fptSurvival, .lnFptSurvival, .lnFptCdf]
        if hasT && fptOutputs.contains(where: { out.wants($0) }) {
            let f = Wiener.firstPassage(t: t, a: a, m: m, s: s, workspace: ws)
            set(.fptDensityPerMs, f.density); set(.fptCdf, f.cdf); set(.fptSurvival, f.survival)
            set(.lnFptSurvival, f.lnSurvival); set(.lnFptCdf, f.lnCDF)
        } else if !hasT {
            fptOutputs.forEach(na)
        }

        if let mo = Wiener.moments(a: a, m: m, s: s, tauRef: tauRef) {
            set(.meanFptMs, mo.mean); set(.varFptMs2, mo.variance); set(.cvFpt, mo.cv)
            set(.rateHz, mo.rateHz); set(.lnRateHz, mo.lnRateHz); set(.cv, mo.cvISI)
        } else {
            // THEORY §3: for m <= 0, E[T] = ∞ (m = 0: T < ∞ a.s. with a t^{-3/2} tail, so E[T²] = ∞ too; m < 0:
            // T = ∞ with probability 1 − p_hit, and a variance is undefined). Infinite is a value, not
            // "not applicable"; the long-run rate of a process that stops firing is 0 and its log is −∞.
            set(.meanFptMs, .infinity)
            if m == 0 { set(.varFptMs2, .infinity) } else { na(.varFptMs2) }
            [O.cvFpt, .cv].forEach(na)
            set(.rateHz, 0); set(.lnRateHz, -.infinity)
        }
        let hit = Wiener.hitProbability(a: a, m: m, s: s)
        set(.pHitEver, hit.p); set(.lnPHitEver, hit.ln)

        if hasB {
            let e = Wiener.exit(a: a, b: b, m: m, s: s)
            set(.pUp, e.pUp); set(.pDown, e.pDown); set(.lnPUp, e.lnPUp); set(.lnPDown, e.lnPDown)
            set(.meanExitMs, e.meanTime)
        } else {
            [O.pUp, .pDown, .lnPUp, .lnPDown, .meanExitMs].forEach(na)
        }

        if hasT && hasY {
            if out.wants(O.maxCdf) || out.wants(O.pMaxAbove) {
                let c = Wiener.maximumCDF(y: y, t: t, m: m, s: s, workspace: ws)
                set(.maxCdf, c.below); set(.pMaxAbove, c.atOrAbove)
            }
        } else {
            na(.maxCdf); na(.pMaxAbove)
        }
        if hasT { set(.meanMaxMv, Wiener.meanMaximum(t: t, m: m, s: s)) } else { na(.meanMaxMv) }
        return 0
    }
}
