// `siegert`: THEORY §1 as an estimator of the model `lif-white`.
import EstimatorKit
import Foundation
import GSLSupport
import SiegertNumerics

struct SiegertEstimator: Estimator {
    enum P: Int { case mu, sigma, theta, vReset, tauM, tauRef, v }
    enum O: Int, CaseIterable {
        case rate, lnRate, meanISI, varISI, cv, meanV, meanVAll, density
        case dRateDMu, dRateDSigma, dLnRateDMu, dLnRateDSigma, yTheta, yReset, kink
    }
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
            ParameterSpec("v", unit: "mV", .optional, potential: true, summary: "potential at which density_per_mv is evaluated"),
        ],
        outputs: [
            OutputSpec("rate_hz", unit: "Hz", observable: "rate_hz", summary: "firing rate (0 when below the double range)"),
            OutputSpec("ln_rate_hz", unit: "ln Hz", summary: "natural log of the rate; authoritative when the rate underflows"),
            OutputSpec("mean_isi_ms", unit: "ms", summary: "mean interspike interval (inf beyond the double range)"),
            OutputSpec("var_isi_ms2", unit: "ms^2", summary: "variance of the interspike interval"),
            OutputSpec("cv", unit: "1", observable: "cv", summary: "coefficient of variation of the ISI"),
            OutputSpec("mean_v_mv", unit: "mV", observable: "mean_v_mv", potential: true,
                       summary: "mean potential over non-refractory time"),
            OutputSpec("mean_v_all_mv", unit: "mV", observable: "mean_v_all_mv", potential: true,
                       summary: "mean potential over all time (clamped at v_reset while refractory)"),
            OutputSpec("density_per_mv", unit: "1/mV", observable: "density_per_mv",
                       summary: "stationary density of the non-refractory potential at v (integrates to 1 - rate tau_ref)"),
            OutputSpec("drate_dmu_hz_per_mv", unit: "Hz/mV", summary: "gain d rate / d mu"),
            OutputSpec("drate_dsigma_hz_per_mv", unit: "Hz/mV", summary: "d rate / d sigma"),
            OutputSpec("dln_rate_dmu_per_mv", unit: "1/mV", summary: "d ln rate / d mu (finite when the rate underflows)"),
            OutputSpec("dln_rate_dsigma_per_mv", unit: "1/mV", summary: "d ln rate / d sigma"),
            OutputSpec("y_theta", unit: "1", summary: "(theta - mu)/sigma"),
            OutputSpec("y_reset", unit: "1", summary: "(v_reset - mu)/sigma"),
            OutputSpec("density_kink_per_mv2", unit: "1/mV^2",
                       summary: "jump of the density's slope at v_reset, -2 rate tau_m / sigma^2"),
        ],
        warnings: [
            "rate below the double range: rate_hz = 0, ln_rate_hz is exact",
            "ISI mean/variance beyond the double range: reported as inf (see ln_rate_hz)",
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow,
                  _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let lif = LIFParameters(mu: p[P.mu.rawValue], sigma: p[P.sigma.rawValue], theta: p[P.theta.rawValue],
                                vReset: p[P.vReset.rawValue], tauM: p[P.tauM.rawValue], tauRef: p[P.tauRef.rawValue])
        let v = p[P.v.rawValue]
        guard lif.vReset < lif.theta else {
            throw EstimatorFailure(.badInput, "parameter 'v_reset' = \(formatForMessage(lif.vReset)) mV is out of range (valid: < theta = \(formatForMessage(lif.theta)) mV)")
        }
        if let why = lif.unrepresentable { throw EstimatorFailure(.badInput, why) }
        out.set(O.yTheta.rawValue, lif.yTheta)
        out.set(O.yReset.rawValue, lif.yReset)
        if v.isNaN { out.notApplicable(O.density.rawValue) }

        // Everything but y_theta and y_reset needs the rate (O.allCases would build an array per row).
        var needsRate = false
        for o in 0...O.kink.rawValue where o != O.yTheta.rawValue && o != O.yReset.rawValue && out.wants(o) { needsRate = true; break }
        guard needsRate else { return 0 }
        let r: SiegertRate
        do { r = try Siegert.rate(lif, workspace: ws) } catch {
            throw EstimatorFailure(.numerical, "siegert rate: \(error)")
        }
        var warnings: UInt32 = 0
        let rate = r.rateHz
        if rate == 0 { warnings |= Warning.rateUnderflow.rawValue }
        out.set(O.rate.rawValue, rate)
        if out.wants(O.lnRate.rawValue) { out.set(O.lnRate.rawValue, r.lnRateHz) }
        // Every output below is computed only when asked for (`set` would evaluate its argument anyway).
        if out.wants(O.meanISI.rawValue) {
            let meanISI = exp(r.lnMeanISI)
            out.set(O.meanISI.rawValue, meanISI)
            if meanISI.isInfinite { warnings |= Warning.isiOverflow.rawValue }
        }
        if out.wants(O.cv.rawValue) || out.wants(O.varISI.rawValue) {
            let cv: Double
            do { cv = try Siegert.cv(lif, r, workspace: ws) } catch {
                throw EstimatorFailure(.numerical, "siegert CV: \(error)")
            }
            out.set(O.cv.rawValue, cv)
            if out.wants(O.varISI.rawValue) {
                let variance = exp(2 * (log(cv) + r.lnMeanISI))
                out.set(O.varISI.rawValue, variance)
                if variance.isInfinite { warnings |= Warning.isiOverflow.rawValue }
            }
        }
        if out.wants(O.meanV.rawValue) { out.set(O.meanV.rawValue, Siegert.meanVNonRefractory(lif, r)) }
        if out.wants(O.meanVAll.rawValue) { out.set(O.meanVAll.rawValue, Siegert.meanVAll(lif, r)) }
        if !v.isNaN && out.wants(O.density.rawValue) { out.set(O.density.rawValue, Siegert.density(at: v, lif, r)) }
        let wantsGain = out.wants(O.dRateDMu.rawValue) || out.wants(O.dRateDSigma.rawValue)
            || out.wants(O.dLnRateDMu.rawValue) || out.wants(O.dLnRateDSigma.rawValue)
        if wantsGain {
            let g = Siegert.logGain(lif, r)
            out.set(O.dLnRateDMu.rawValue, g.dMu)
            out.set(O.dLnRateDSigma.rawValue, g.dSigma)
            out.set(O.dRateDMu.rawValue, rate * g.dMu)
            out.set(O.dRateDSigma.rawValue, rate * g.dSigma)
        }
        if out.wants(O.kink.rawValue) { out.set(O.kink.rawValue, -2 * r.ratePerMs * lif.tauM / (lif.sigma * lif.sigma)) }
        return warnings
    }
}
