// `shot-noise`: THEORY §5 as an estimator of the model `lif-shot`.
import EstimatorKit
import Foundation
import GSLSupport
import ShotNoiseNumerics
import SiegertNumerics

struct ShotNoiseEstimator: Estimator {
    enum P: Int { case rE, rI, aE, aI, theta, vReset, tauM, tauRef, v }
    enum O: Int, CaseIterable {
        case rate, lnRate, meanFree, varFree, freeDensity, density, meanV
        case diffRate, diffLnRate, diffMu, diffSigma, diffError
    }
    enum Warning: UInt32 { case rateUnderflow = 1, diffusionOff = 2 }
    /// Relative error of the diffusion rate above which a warning is raised.
    static let diffusionWarningLevel = 0.1

    let info = EstimatorInfo(
        name: "shot-noise",
        summary: "LIF driven by Poisson shot noise with exponential jumps: exact rate, free and thresholded densities, mean potential, diffusion approximation side by side",
        reference: "Richardson & Swarbrick 2010, PRL 105:178102 (type of formula; derived and verified in THEORY.md §5); Campbell; THEORY.md §5, §5.6",
        model: "lif-shot",
        notes: """
        tau_m dV/dt = -V + tau_m sum A_k delta(t - t_k^E) - tau_m sum B_k delta(t - t_k^I): jumps +A ~ Exp(mean a_e) at \
        Poisson rate r_e and -B ~ Exp(mean a_i) at rate r_i; a spike when a jump reaches theta (> 0 = rest), then V = v_reset \
        for tau_ref (input during it is lost). rate_hz is exact (THEORY §5.3; ln_rate_hz is authoritative when the rate \
        underflows). density_per_mv and mean_v_mv (§5.6) are for excitatory input only (r_i = 0) and need 0 <= v_reset. \
        diffusion_rate_hz is the Siegert rate at the Campbell mu and sigma = sqrt(2 Var) (§5.4); its documented model \
        error is its actual distance to the exact rate relative to itself (diffusion_model_error), so validate shows where it fails \
        (with --assume-exact it is rejected wherever the jumps are not small compared with theta - mu and sigma).
        """,
        parameters: [
            ParameterSpec("r_e", unit: "Hz", .required, min: 0, minExclusive: true, summary: "excitatory input rate (total over all inputs)"),
            ParameterSpec("r_i", unit: "Hz", .defaulted(0), min: 0, summary: "inhibitory input rate (0: excitatory only)"),
            ParameterSpec("a_e", unit: "mV", .required, min: 0, minExclusive: true, summary: "mean excitatory jump (exponentially distributed)"),
            ParameterSpec("a_i", unit: "mV", .optional, min: 0, minExclusive: true, summary: "mean inhibitory jump (required when r_i > 0)"),
            ParameterSpec("theta", unit: "mV", .defaulted(20), min: 0, minExclusive: true, potential: true, summary: "threshold (> 0 = rest)"),
            ParameterSpec("v_reset", unit: "mV", .defaulted(10), potential: true, summary: "reset potential (< theta; >= 0 for density_per_mv)"),
            ParameterSpec("tau_m", unit: "ms", .defaulted(20), min: 0, minExclusive: true, summary: "membrane time constant"),
            ParameterSpec("tau_ref", unit: "ms", .defaulted(2), min: 0, summary: "absolute refractory period"),
            ParameterSpec("v", unit: "mV", .optional, potential: true, summary: "potential at which the densities are evaluated"),
        ],
        outputs: [
            OutputSpec("rate_hz", unit: "Hz", observable: "rate_hz", summary: "exact firing rate (0 when below the double range)"),
            OutputSpec("ln_rate_hz", unit: "ln Hz", summary: "natural log of the exact rate; authoritative when the rate underflows"),
            OutputSpec("mean_free_v_mv", unit: "mV", observable: "mean_free_v_mv", potential: true, summary: "Campbell mean of the free potential (no threshold), tau_m (r_e a_e - r_i a_i)"),
            OutputSpec("var_free_v_mv2", unit: "mV^2", observable: "var_free_v_mv2", summary: "Campbell variance of the free potential, tau_m (r_e a_e^2 + r_i a_i^2)"),
            OutputSpec("free_density_per_mv", unit: "1/mV",
                       summary: "density of the free potential at v (Gamma for r_i = 0, Tricomi-U form for E + I)"),
            OutputSpec("density_per_mv", unit: "1/mV", observable: "density_per_mv",
                       summary: "stationary density of the non-refractory potential with threshold at v (r_i = 0; integrates to 1 - rate tau_ref)"),
            OutputSpec("mean_v_mv", unit: "mV", observable: "mean_v_mv", potential: true,
                       summary: "mean potential over non-refractory time, with threshold (r_i = 0)"),
            OutputSpec("diffusion_rate_hz", unit: "Hz", observable: "rate_hz", modelErrorOutput: O.diffError.rawValue,
                       summary: "diffusion approximation: Siegert rate at the Campbell mu and sigma"),
            OutputSpec("diffusion_ln_rate_hz", unit: "ln Hz", summary: "natural log of the diffusion-approximation rate"),
            OutputSpec("diffusion_mu_mv", unit: "mV", summary: "mu of the diffusion approximation (input-induced mean shift)"),
            OutputSpec("diffusion_sigma_mv", unit: "mV", summary: "sigma of the diffusion approximation, sqrt(2 Var) (Brunel convention)"),
            OutputSpec("diffusion_model_error", unit: "1",
                       summary: "|exact - diffusion| / diffusion rate: the diffusion rate's model error (the delta of THEORY §9.0, relative to its own value)"),
        ],
        warnings: [
            "rate below the double range: rate_hz = 0, ln_rate_hz is exact",
            "the diffusion approximation is off by more than 10 % here (jumps not small against theta - mu and sigma)",
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    static func mV(_ v: Double) -> String { formatForMessage(v) }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let rI = p[P.rI.rawValue] / 1000, aIGiven = p[P.aI.rawValue]
        let theta = p[P.theta.rawValue], vReset = p[P.vReset.rawValue], v = p[P.v.rawValue]
        guard vReset < theta else {
            throw EstimatorFailure(.badParameter(P.vReset.rawValue), "parameter 'v_reset' = \(Self.mV(vReset)) mV is out of range (valid: < theta = \(Self.mV(theta)) mV)")
        }
        if rI > 0 && aIGiven.isNaN {
            throw EstimatorFailure(.badParameter(P.aI.rawValue), "parameter 'a_i' is missing: it is required when r_i = \(formatForMessage(rI * 1000)) Hz > 0")
        }
        let sp = ShotNoiseParameters(rE: p[P.rE.rawValue] / 1000, aE: p[P.aE.rawValue], rI: rI, aI: aIGiven,
                                     theta: theta, vReset: vReset, tauM: p[P.tauM.rawValue], tauRef: p[P.tauRef.rawValue])
        // k = r_e τ_m is an exponent of the rate integral: below the normal doubles 1/k overflows (exit 1 before).
        guard sp.k >= .leastNormalMagnitude else {
            throw EstimatorFailure(.badParameter(P.rE.rawValue), "parameter 'r_e' = \(formatForMessage(p[P.rE.rawValue])) Hz "
                + "is out of range: r_e tau_m = \(formatForMessage(sp.k)) must be at least 2.2e-308 (valid: r_e >= "
                + "\(formatForMessage(Double.leastNormalMagnitude * 1000 / sp.tauM)) Hz at tau_m = \(formatForMessage(sp.tauM)) ms)")
        }
        // Jumps so small that the threshold is more than 1e300 mean jumps away: ln ν ~ -θ/a overflows and the
        // integral's terms are inf/inf (exit 1 with "-nan" before).
        let scale = max(abs(theta), abs(vReset))
        for (index, name, a) in [(P.aE.rawValue, "a_e", sp.aE), (P.aI.rawValue, "a_i", rI > 0 ? aIGiven : .infinity)]
        where scale / a > 1e300 {
            let distance = scale / a > 1e308 ? "more than 1e308" : formatForMessage(scale / a)
            throw EstimatorFailure(.badParameter(index), "parameter '\(name)' = \(formatForMessage(a)) mV is out of range: the threshold "
                + "is \(distance) mean jumps away, beyond what the rate integral resolves (valid: \(name) >= "
                + "max(|theta|, |v_reset|) * 1e-300 = \(formatForMessage(scale * 1e-300)) mV)")
        }
        let thresholded = sp.excitatoryOnly && sp.vReset >= 0        // §5.6 applies
        if !v.isNaN && sp.excitatoryOnly && sp.vReset < 0 && out.wants(O.density.rawValue) {
            throw EstimatorFailure(.badParameter(P.vReset.rawValue), "parameter 'v_reset' = \(Self.mV(vReset)) mV is out of range for density_per_mv (valid: 0 <= v_reset < theta, THEORY §5.6); ask for other outputs with --outputs")
        }

        out.set(O.meanFree.rawValue, sp.freeMean)
        out.set(O.varFree.rawValue, sp.freeVariance)
        let diffusion = sp.diffusion
        out.set(O.diffMu.rawValue, diffusion.mu)
        out.set(O.diffSigma.rawValue, diffusion.sigma)
        if v.isNaN {
            out.notApplicable(O.freeDensity.rawValue)
            out.notApplicable(O.density.rawValue)
        } else if out.wants(O.freeDensity.rawValue) {
            do { out.set(O.freeDensity.rawValue, exp(try ShotNoise.lnFreeDensity(at: v, sp))) } catch {
                throw EstimatorFailure(.numerical, "shot-noise free density: \(error)")
            }
        }
        if !thresholded {
            out.notApplicable(O.density.rawValue)
            out.notApplicable(O.meanV.rawValue)
        }

        var warnings: UInt32 = 0
        let needsRate = [O.rate, .lnRate, .density, .meanV, .diffError].contains { out.wants($0.rawValue) }
        let needsDiffusion = [O.diffRate, .diffLnRate, .diffError].contains { out.wants($0.rawValue) }
        var rate: ShotNoiseRate?
        if needsRate {
            do { rate = try ShotNoise.rate(sp, workspace: ws) } catch {
                throw EstimatorFailure(.numerical, "shot-noise rate: \(error)")
            }
            let r = rate!
            if r.rateHz == 0 { warnings |= Warning.rateUnderflow.rawValue }
            out.set(O.rate.rawValue, r.rateHz)
            out.set(O.lnRate.rawValue, r.lnRateHz)
            if thresholded {
                if out.wants(O.meanV.rawValue) { out.set(O.meanV.rawValue, ShotNoise.meanVNonRefractory(sp, r)) }
                if !v.isNaN && out.wants(O.density.rawValue) {
                    do { out.set(O.density.rawValue, exp(try ShotNoise.lnDensityWithThreshold(at: v, sp, r, workspace: ws))) } catch {
                        throw EstimatorFailure(.numerical, "shot-noise density with threshold: \(error)")
                    }
                }
            }
        }
        if needsDiffusion {
            if diffusion.unrepresentable != nil {
                for o in [O.diffRate, .diffLnRate, .diffError] { out.notApplicable(o.rawValue) }
            } else {
                let d: SiegertRate
                do { d = try ShotNoise.diffusionRate(sp, workspace: ws) } catch {
                    throw EstimatorFailure(.numerical, "diffusion approximation: \(error)")
                }
                out.set(O.diffRate.rawValue, d.rateHz)
                out.set(O.diffLnRate.rawValue, d.lnRateHz)
                if let r = rate {
                    // The model error is relative to the diffusion rate itself: it is the δ of THEORY §9.0,
                    // |MC − x_th| ≤ z*·SE + δ·|x_th| with x_th the diffusion rate (so it can exceed 1).
                    out.set(O.diffError.rawValue, abs(expm1(r.lnRateHz - d.lnRateHz)))
                    if abs(expm1(d.lnRateHz - r.lnRateHz)) > Self.diffusionWarningLevel { warnings |= Warning.diffusionOff.rawValue }
                }
            }
        }
        return warnings
    }
}
