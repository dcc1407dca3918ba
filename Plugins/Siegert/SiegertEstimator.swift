// `siegert`: THEORY §1 as an estimator of the model `lif-white`.
import EstimatorKit
import Foundation
import GSLSupport
import SiegertNumerics

struct SiegertEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case mu, sigma, theta, vReset, tauM, tauRef, v }
    enum Output: Int, EstimatorField {
        case rateHz, lnRateHz, meanIsiMs, varIsiMs2, cv, meanVMv, meanVAllMv, densityPerMv
        case drateDmuHzPerMv, drateDsigmaHzPerMv, dlnRateDmuPerMv, dlnRateDsigmaPerMv, yTheta, yReset, densityKinkPerMv2
    }
    typealias P = Parameter
    typealias O = Output
    enum Warning: UInt32 { case rateUnderflow = 1, isiOverflow = 2 }

    let info = EstimatorInfo(
        name: "siegert",
        summary: "White-noise LIF: Siegert rate, ISI mean/variance/CV, stationary density, mean potential, gain",
        reference: "Siegert 1951; Brunel & Hakim 1999; Brunel 2000 (CV); THEORY.md §1",
        model: "lif-white",
        notes: """
        Exact for the white-noise LIF tau_m dV/dt = -V + mu + sigma sqrt(tau_m) xi(t) (Brunel convention: \
        sigma = sqrt(2) x free-membrane std; use --sigma-free for the std). Potentials are relative to rest \
        unless --v-rest is given. A rate below the double range is reported as rate_hz = 0 with the exact \
        ln_rate_hz. The CV uses the limits of THEORY §1.4 where they are exact to double precision: \
        linear noise for y_theta < -1e6, exponential ISIs for y_theta > 30 with the reset over 50/y_theta below.
        """,
        parameters: CanonicalParameters.lif + [
            ParameterSpec(P.v, unit: "mV", .optional, potential: true,
                          summary: "potential at which density_per_mv is evaluated"),
        ],
        outputs: [
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz",
                       summary: "firing rate (0 when below the double range)"),
            OutputSpec(O.lnRateHz, unit: "ln Hz",
                       summary: "natural log of the rate; authoritative when the rate underflows"),
            OutputSpec(O.meanIsiMs, unit: "ms", summary: "mean interspike interval (inf beyond the double range)"),
            OutputSpec(O.varIsiMs2, unit: "ms^2", summary: "variance of the interspike interval"),
            OutputSpec(O.cv, unit: "1", observable: "cv", summary: "coefficient of variation of the ISI"),
            OutputSpec(O.meanVMv, unit: "mV", observable: "mean_v_mv", potential: true,
                       summary: "mean potential over non-refractory time"),
            OutputSpec(O.meanVAllMv, unit: "mV", observable: "mean_v_all_mv", potential: true,
                       summary: "mean potential over all time (clamped at v_reset while refractory)"),
            OutputSpec(O.densityPerMv, unit: "1/mV", observable: "density_per_mv",
                       summary: "stationary density of the non-refractory potential at v (integrates to 1 - rate tau_ref)"),
            OutputSpec(O.drateDmuHzPerMv, unit: "Hz/mV", summary: "gain d rate / d mu"),
            OutputSpec(O.drateDsigmaHzPerMv, unit: "Hz/mV", summary: "d rate / d sigma"),
            OutputSpec(O.dlnRateDmuPerMv, unit: "1/mV", summary: "d ln rate / d mu (finite when the rate underflows)"),
            OutputSpec(O.dlnRateDsigmaPerMv, unit: "1/mV", summary: "d ln rate / d sigma"),
            OutputSpec(O.yTheta, unit: "1", summary: "(theta - mu)/sigma"),
            OutputSpec(O.yReset, unit: "1", summary: "(v_reset - mu)/sigma"),
            OutputSpec(O.densityKinkPerMv2, unit: "1/mV^2",
                       summary: "jump of the density's slope at v_reset, -2 rate tau_m / sigma^2"),
        ],
        warnings: [
            "rate below the double range: rate_hz = 0, ln_rate_hz is exact",
            "ISI mean/variance beyond the double range: reported as inf (see ln_rate_hz)",
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow,
                  _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let lif = LIFParameters(mu: p[P.mu], sigma: p[P.sigma], theta: p[P.theta],
                                vReset: p[P.vReset], tauM: p[P.tauM], tauRef: p[P.tauRef])
        let v = p[P.v]
        guard lif.vReset < lif.theta else {
            throw EstimatorFailure(.badInput, "parameter 'v_reset' = \(formatForMessage(lif.vReset)) mV is out of range (valid: < theta = \(formatForMessage(lif.theta)) mV)")
        }
        if let why = lif.unrepresentable { throw EstimatorFailure(.badInput, why) }
        out.set(O.yTheta, lif.yTheta)
        out.set(O.yReset, lif.yReset)
        if v.isNaN { out.notApplicable(O.densityPerMv) }

        // Everything but y_theta and y_reset needs the rate (O.allCases would build an array per row).
        var needsRate = false
        let last = O.densityKinkPerMv2.rawValue, skip = (O.yTheta.rawValue, O.yReset.rawValue)
        for o in 0...last where o != skip.0 && o != skip.1 && out.wants(o) {
            needsRate = true; break
        }
        guard needsRate else { return 0 }
        let r: SiegertRate
        do { r = try Siegert.rate(lif, workspace: ws) } catch {
            throw EstimatorFailure(.numerical, "siegert rate: \(error)")
        }
        var warnings: UInt32 = 0
        let rate = r.rateHz
        if rate == 0 { warnings |= Warning.rateUnderflow.rawValue }
        out.set(O.rateHz, rate)
        if out.wants(O.lnRateHz) { out.set(O.lnRateHz, r.lnRateHz) }
        // Every output below is computed only when asked for (`set` would evaluate its argument anyway).
        if out.wants(O.meanIsiMs) {
            let meanISI = exp(r.lnMeanISI)
            out.set(O.meanIsiMs, meanISI)
            if meanISI.isInfinite { warnings |= Warning.isiOverflow.rawValue }
        }
        if out.wants(O.cv) || out.wants(O.varIsiMs2) {
            let cv: Double
            do { cv = try Siegert.cv(lif, r, workspace: ws) } catch {
                throw EstimatorFailure(.numerical, "siegert CV: \(error)")
            }
            out.set(O.cv, cv)
            if out.wants(O.varIsiMs2) {
                let variance = exp(2 * (log(cv) + r.lnMeanISI))
                out.set(O.varIsiMs2, variance)
                if variance.isInfinite { warnings |= Warning.isiOverflow.rawValue }
            }
        }
        if out.wants(O.meanVMv) { out.set(O.meanVMv, Siegert.meanVNonRefractory(lif, r)) }
        if out.wants(O.meanVAllMv) { out.set(O.meanVAllMv, Siegert.meanVAll(lif, r)) }
        if !v.isNaN && out.wants(O.densityPerMv) { out.set(O.densityPerMv, Siegert.density(at: v, lif, r)) }
        let wantsGain = out.wants(O.drateDmuHzPerMv) || out.wants(O.drateDsigmaHzPerMv)
            || out.wants(O.dlnRateDmuPerMv) || out.wants(O.dlnRateDsigmaPerMv)
        if wantsGain {
            let g = Siegert.logGain(lif, r)
            out.set(O.dlnRateDmuPerMv, g.dMu)
            out.set(O.dlnRateDsigmaPerMv, g.dSigma)
            out.set(O.drateDmuHzPerMv, rate * g.dMu)
            out.set(O.drateDsigmaHzPerMv, rate * g.dSigma)
        }
        if out.wants(O.densityKinkPerMv2) {
            out.set(O.densityKinkPerMv2, -2 * r.ratePerMs * lif.tauM / (lif.sigma * lif.sigma))
        }
        return warnings
    }
}
