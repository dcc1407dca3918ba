// `shot-noise`: THEORY §5 as an estimator of the model `lif-shot`.
import EstimatorKit
import Foundation
import GSLSupport
import ShotNoiseNumerics
import SiegertNumerics

struct ShotNoiseEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case rE, rI, aE, aI, theta, vReset, tauM, tauRef, v }
    enum Output: Int, EstimatorField {
        case rateHz, lnRateHz, meanFreeVMv, varFreeVMv2, freeDensityPerMv, densityPerMv, meanVMv
        case diffusionRateHz, diffusionLnRateHz, diffusionMuMv, diffusionSigmaMv, diffusionModelError
    }
    typealias P = Parameter
    typealias O = Output
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
            ParameterSpec(P.rE, unit: "Hz", .required, min: 0, minExclusive: true,
                          summary: "excitatory input rate (total over all inputs)"),
            ParameterSpec(P.rI, unit: "Hz", .defaulted(0), min: 0,
                          summary: "inhibitory input rate (0: excitatory only)"),
            ParameterSpec(P.aE, unit: "mV", .required, min: 0, minExclusive: true,
                          summary: "mean excitatory jump (exponentially distributed)"),
            ParameterSpec(P.aI, unit: "mV", .optional, min: 0, minExclusive: true,
                          summary: "mean inhibitory jump (required when r_i > 0)"),
            ParameterSpec(P.theta, unit: "mV", .defaulted(20), min: 0, minExclusive: true, potential: true,
                          summary: "threshold (> 0 = rest)"),
            ParameterSpec(P.vReset, unit: "mV", .defaulted(10), potential: true,
                          summary: "reset potential (< theta; >= 0 for density_per_mv)"),
            ParameterSpec(P.tauM, unit: "ms", .defaulted(20), min: 0, minExclusive: true,
                          summary: "membrane time constant"),
            ParameterSpec(P.tauRef, unit: "ms", .defaulted(2), min: 0, summary: "absolute refractory period"),
            ParameterSpec(P.v, unit: "mV", .optional, potential: true,
                          summary: "potential at which the densities are evaluated"),
        ],
        outputs: [
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz",
                       summary: "exact firing rate (0 when below the double range)"),
            OutputSpec(O.lnRateHz, unit: "ln Hz",
                       summary: "natural log of the exact rate; authoritative when the rate underflows"),
            OutputSpec(O.meanFreeVMv, unit: "mV", observable: "mean_free_v_mv", potential: true,
                       summary: "Campbell mean of the free potential (no threshold), tau_m (r_e a_e - r_i a_i)"),
            OutputSpec(O.varFreeVMv2, unit: "mV^2", observable: "var_free_v_mv2",
                       summary: "Campbell variance of the free potential, tau_m (r_e a_e^2 + r_i a_i^2)"),
            OutputSpec(O.freeDensityPerMv, unit: "1/mV",
                       summary: "density of the free potential at v (Gamma for r_i = 0, Tricomi-U form for E + I)"),
            OutputSpec(O.densityPerMv, unit: "1/mV", observable: "density_per_mv",
                       summary: "stationary density of the non-refractory potential with threshold at v (r_i = 0; integrates to 1 - rate tau_ref)"),
            OutputSpec(O.meanVMv, unit: "mV", observable: "mean_v_mv", potential: true,
                       summary: "mean potential over non-refractory time, with threshold (r_i = 0)"),
            OutputSpec(O.diffusionRateHz, unit: "Hz", observable: "rate_hz", modelErrorOutput: .diffusionModelError,
                       summary: "diffusion approximation: Siegert rate at the Campbell mu and sigma"),
            OutputSpec(O.diffusionLnRateHz, unit: "ln Hz", summary: "natural log of the diffusion-approximation rate"),
            OutputSpec(O.diffusionMuMv, unit: "mV",
                       summary: "mu of the diffusion approximation (input-induced mean shift)"),
            OutputSpec(O.diffusionSigmaMv, unit: "mV",
                       summary: "sigma of the diffusion approximation, sqrt(2 Var) (Brunel convention)"),
            OutputSpec(O.diffusionModelError, unit: "1",
                       summary: "|exact - diffusion| / diffusion rate: the diffusion rate's model error (the delta of THEORY §9.0, relative to its own value)"),
        ],
        warnings: [
            "rate below the double range: rate_hz = 0, ln_rate_hz is exact",
            "the diffusion approximation is off by more than 10 % here (jumps not small against theta - mu and sigma)",
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    static func mV(_ v: Double) -> String { formatForMessage(v) }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let rI = p[P.rI] / 1000, aIGiven = p[P.aI]
        let theta = p[P.theta], vReset = p[P.vReset], v = p[P.v]
        guard vReset < theta else {
            throw EstimatorFailure(badParameter: P.vReset,
                                   "parameter 'v_reset' = \(Self.mV(vReset)) mV is out of range (valid: < theta = "
                                   + "\(Self.mV(theta)) mV)")
        }
        if rI > 0 && aIGiven.isNaN {
            throw EstimatorFailure(badParameter: P.aI,
                                   "parameter 'a_i' is missing: it is required when r_i = "
                                   + "\(formatForMessage(rI * 1000)) Hz > 0")
        }
        let sp = ShotNoiseParameters(rE: p[P.rE] / 1000, aE: p[P.aE], rI: rI, aI: aIGiven,
                                     theta: theta, vReset: vReset, tauM: p[P.tauM], tauRef: p[P.tauRef])
        // k = r_e τ_m is an exponent of the rate integral: below the normal doubles 1/k overflows (exit 1 before).
        guard sp.k >= .leastNormalMagnitude else {
            throw EstimatorFailure(badParameter: P.rE, "parameter 'r_e' = \(formatForMessage(p[P.rE])) Hz "
                + "is out of range: r_e tau_m = \(formatForMessage(sp.k)) must be at least 2.2e-308 (valid: r_e >= "
                + "\(formatForMessage(Double.leastNormalMagnitude * 1000 / sp.tauM)) Hz at tau_m = \(formatForMessage(sp.tauM)) ms)")
        }
        // Jumps so small that the threshold is more than 1e300 mean jumps away: ln ν ~ -θ/a overflows and the
        // integral's terms are inf/inf (exit 1 with "-nan" before).
        let scale = max(abs(theta), abs(vReset))
        for (field, name, a) in [(P.aE, "a_e", sp.aE), (P.aI, "a_i", rI > 0 ? aIGiven : .infinity)]
        where scale / a > 1e300 {
            let distance = scale / a > 1e308 ? "more than 1e308" : formatForMessage(scale / a)
            throw EstimatorFailure(badParameter: field, "parameter '\(name)' = \(formatForMessage(a)) mV is out of "
                + "range: the threshold is \(distance) mean jumps away, beyond what the rate integral resolves "
                + "(valid: \(name) >= max(|theta|, |v_reset|) * 1e-300 = \(formatForMessage(scale * 1e-300)) mV)")
        }
        let thresholded = sp.excitatoryOnly && sp.vReset >= 0        // §5.6 applies
        if !v.isNaN && sp.excitatoryOnly && sp.vReset < 0 && out.wants(O.densityPerMv) {
            throw EstimatorFailure(badParameter: P.vReset,
                                   "parameter 'v_reset' = \(Self.mV(vReset)) mV is out of range for density_per_mv "
                                   + "(valid: 0 <= v_reset < theta, THEORY §5.6); ask for other outputs with --outputs")
        }

        out.set(O.meanFreeVMv, sp.freeMean)
        out.set(O.varFreeVMv2, sp.freeVariance)
        let diffusion = sp.diffusion
        out.set(O.diffusionMuMv, diffusion.mu)
        out.set(O.diffusionSigmaMv, diffusion.sigma)
        if v.isNaN {
            out.notApplicable(O.freeDensityPerMv)
            out.notApplicable(O.densityPerMv)
        } else if out.wants(O.freeDensityPerMv) {
            do { out.set(O.freeDensityPerMv, exp(try ShotNoise.lnFreeDensity(at: v, sp))) } catch {
                throw EstimatorFailure(.numerical, "shot-noise free density: \(error)")
            }
        }
        if !thresholded {
            out.notApplicable(O.densityPerMv)
            out.notApplicable(O.meanVMv)
        }

        var warnings: UInt32 = 0
        let needsRate = [O.rateHz, .lnRateHz, .densityPerMv, .meanVMv, .diffusionModelError].contains { out.wants($0) }
        let needsDiffusion = [O.diffusionRateHz, .diffusionLnRateHz, .diffusionModelError].contains { out.wants($0) }
        var rate: ShotNoiseRate?
        if needsRate {
            do { rate = try ShotNoise.rate(sp, workspace: ws) } catch {
                throw EstimatorFailure(.numerical, "shot-noise rate: \(error)")
            }
            let r = rate!
            if r.rateHz == 0 { warnings |= Warning.rateUnderflow.rawValue }
            out.set(O.rateHz, r.rateHz)
            out.set(O.lnRateHz, r.lnRateHz)
            if thresholded {
                if out.wants(O.meanVMv) { out.set(O.meanVMv, ShotNoise.meanVNonRefractory(sp, r)) }
                if !v.isNaN && out.wants(O.densityPerMv) {
                    do {
                        out.set(O.densityPerMv, exp(try ShotNoise.lnDensityWithThreshold(at: v, sp, r, workspace: ws)))
                    } catch {
                        throw EstimatorFailure(.numerical, "shot-noise density with threshold: \(error)")
                    }
                }
            }
        }
        if needsDiffusion {
            if diffusion.unrepresentable != nil {
                for o in [O.diffusionRateHz, .diffusionLnRateHz, .diffusionModelError] { out.notApplicable(o) }
            } else {
                let d: SiegertRate
                do { d = try ShotNoise.diffusionRate(sp, workspace: ws) } catch {
                    throw EstimatorFailure(.numerical, "diffusion approximation: \(error)")
                }
                out.set(O.diffusionRateHz, d.rateHz)
                out.set(O.diffusionLnRateHz, d.lnRateHz)
                if let r = rate {
                    // The model error is relative to the diffusion rate itself: it is the δ of THEORY §9.0,
                    // |MC − x_th| ≤ z*·SE + δ·|x_th| with x_th the diffusion rate (so it can exceed 1).
                    out.set(O.diffusionModelError, abs(expm1(r.lnRateHz - d.lnRateHz)))
                    if abs(expm1(d.lnRateHz - r.lnRateHz)) > Self.diffusionWarningLevel { warnings |= Warning.diffusionOff.rawValue }
                }
            }
        }
        return warnings
    }
}
