// `linear-response`: the rate's response to a modulated mean input or noise intensity, and the spike-train
// power spectrum, of the white-noise LIF (model `lif-white`). Method: Sources/LinearResponseNumerics.
import EstimatorKit
import Foundation
import GSLSupport
import LinearResponseNumerics
import SiegertNumerics

/// Outputs shared by the white and the coloured estimator, in this order.
enum ResponseOutputs {
    static let frequency = ParameterSpec("f", unit: "Hz", .required, min: 0, max: 1e7,
                                         summary: "modulation (or spectral) frequency; f = 0 gives the static gain")
    static func mu(modelErrorOutput: Int? = nil) -> [OutputSpec] {
        [
            OutputSpec("response_mu_abs_hz_per_mv", unit: "Hz/mV", observable: "response_mu_abs_hz_per_mv",
                       modelErrorOutput: modelErrorOutput,
                       summary: "amplitude |nu1| of the rate's response to mu(t) = mu + eps cos(2 pi f t), "
                           + "per mV of eps"),
            OutputSpec("response_mu_phase_rad", unit: "rad", observable: "response_mu_phase_rad",
                       modelErrorOutput: modelErrorOutput,
                       summary: "phase of nu1 in (-pi, pi]: nu(t) = nu0 + eps |nu1| cos(2 pi f t + phase)"),
            OutputSpec("response_mu_re_hz_per_mv", unit: "Hz/mV", observable: "response_mu_re_hz_per_mv",
                       modelErrorOutput: modelErrorOutput, summary: "real part of nu1"),
            OutputSpec("response_mu_im_hz_per_mv", unit: "Hz/mV", observable: "response_mu_im_hz_per_mv",
                       modelErrorOutput: modelErrorOutput, summary: "imaginary part of nu1"),
            OutputSpec("ln_response_mu_abs", unit: "ln(Hz/mV)",
                       summary: "ln |nu1|; exact when the rate underflows (= ln_rate_hz + ln |nu1/nu0|)"),
        ]
    }
}

struct LinearResponseEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case mu, sigma, theta, vReset, tauM, tauRef, f }
    enum Output: Int, EstimatorField {
        case rateHz, lnRateHz
        case responseMuAbsHzPerMv, responseMuPhaseRad, responseMuReHzPerMv, responseMuImHzPerMv, lnResponseMuAbs
        case responseSigma2AbsHzPerMv2, responseSigma2PhaseRad, responseSigma2ReHzPerMv2, responseSigma2ImHzPerMv2
        case lnResponseSigma2Abs, spectrumHz, spectrumRelative, isiTransformAbs, isiTransformPhaseRad
    }
    typealias P = Parameter
    typealias O = Output
    enum Warning: UInt32 { case rateUnderflow = 1 }

    let info = EstimatorInfo(
        name: "linear-response",
        summary: "White-noise LIF under time-varying input: exact rate response to modulated mu or sigma^2, "
            + "spike-train spectrum",
        reference: "Brunel & Hakim 1999; Lindner & Schimansky-Geier 2001 (PRL 86:2934); "
            + "Richardson 2007 (PRE 76:021919)",
        model: "lif-white",
        notes: """
        Exact for tau_m dV/dt = mu(t) - V + sigma(t) sqrt(tau_m) xi(t) (Brunel convention), to first order in the \
        modulation: nu(t) = nu0 + eps Re[nu1 e^{i 2 pi f t}]. Threshold integration of the Fokker-Planck equation in \
        the frequency domain with a Taylor-series integrator; the reset re-injects the flux with the phase \
        e^{-i 2 pi f tau_ref}, so f -> 0 gives siegert's drate_dmu_hz_per_mv (and d rate/d sigma^2). The spectrum is \
        that of the stationary renewal spike train: nu0 CV^2 as f -> 0, the rate as f -> infinity. Accuracy: \
        1e-10 relative or better against a 30-digit reference (Tests/Fixtures/linear_response_reference.py).
        """,
        parameters: CanonicalParameters.lif + [ResponseOutputs.frequency],
        outputs: [
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz", summary: "stationary rate nu0"),
            OutputSpec(O.lnRateHz, unit: "ln Hz", summary: "ln nu0; authoritative when the rate underflows"),
        ] + ResponseOutputs.mu() + [
            OutputSpec(O.responseSigma2AbsHzPerMv2, unit: "Hz/mV^2", observable: "response_sigma2_abs_hz_per_mv2",
                       summary: "amplitude of the response to sigma^2(t) = sigma^2 + eps cos(2 pi f t), "
                           + "per mV^2 of eps"),
            OutputSpec(O.responseSigma2PhaseRad, unit: "rad", observable: "response_sigma2_phase_rad",
                       summary: "phase of the sigma^2 response in (-pi, pi]"),
            OutputSpec(O.responseSigma2ReHzPerMv2, unit: "Hz/mV^2", observable: "response_sigma2_re_hz_per_mv2",
                       summary: "real part of the sigma^2 response"),
            OutputSpec(O.responseSigma2ImHzPerMv2, unit: "Hz/mV^2", observable: "response_sigma2_im_hz_per_mv2",
                       summary: "imaginary part of the sigma^2 response"),
            OutputSpec(O.lnResponseSigma2Abs, unit: "ln(Hz/mV^2)", summary: "ln of the sigma^2 response amplitude"),
            OutputSpec(O.spectrumHz, unit: "Hz", observable: "spectrum_hz",
                       summary: "power spectrum of the stationary spike train at f, lim E|sum_k e^{-i w t_k}|^2/T"),
            OutputSpec(O.spectrumRelative, unit: "1",
                       summary: "spectrum / rate (-> CV^2 as f -> 0, -> 1 as f -> infinity)"),
            OutputSpec(O.isiTransformAbs, unit: "1", summary: "|Fourier transform of the ISI density| at f"),
            OutputSpec(O.isiTransformPhaseRad, unit: "rad", summary: "phase of the ISI density's Fourier transform"),
        ],
        warnings: ["rate below the double range: rate_hz and the Hz-valued responses are 0, the ln_ outputs are exact"])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow,
                  _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        let lif = LIFParameters(mu: p[P.mu], sigma: p[P.sigma], theta: p[P.theta],
                                vReset: p[P.vReset], tauM: p[P.tauM], tauRef: p[P.tauRef])
        let f = p[P.f]
        let wantsSpectrum = out.wants(O.spectrumHz) || out.wants(O.spectrumRelative)
        let (rate, r) = try ResponseEvaluation.compute(lif, f: f, workspace: wantsSpectrum ? ws : nil)
        out.set(O.rateHz, rate.rateHz)
        out.set(O.lnRateHz, rate.lnRateHz)
        ResponseEvaluation.setMu(r.relativeMu, rate: rate, &out, (O.responseMuAbsHzPerMv, O.responseMuPhaseRad,
                                 O.responseMuReHzPerMv, O.responseMuImHzPerMv, O.lnResponseMuAbs))
        ResponseEvaluation.setMu(r.relativeSigma2, rate: rate, &out,
                                 (O.responseSigma2AbsHzPerMv2, O.responseSigma2PhaseRad, O.responseSigma2ReHzPerMv2,
                                  O.responseSigma2ImHzPerMv2, O.lnResponseSigma2Abs))
        out.set(O.spectrumHz, rate.rateHz * r.relativeSpectrum)
        out.set(O.spectrumRelative, r.relativeSpectrum)
        out.set(O.isiTransformAbs, r.isiTransform.length)
        // At very high f the transform underflows to 0, which has no phase.
        if r.isiTransform == .zero { out.notApplicable(O.isiTransformPhaseRad) } else {
            out.set(O.isiTransformPhaseRad, r.isiTransform.phase)
        }
        return rate.rateHz == 0 ? Warning.rateUnderflow.rawValue : 0
    }
}

enum ResponseEvaluation {
    /// The rate and the relative response; f = 0 from the static forms of THEORY §1.7 (the spectrum ν0 CV², which
    /// needs `workspace`; without one it is left NaN).
    static func compute(_ lif: LIFParameters, f: Double, workspace: IntegrationWorkspace? = nil) throws
        -> (SiegertRate, LinearResponse.Result) {
        guard lif.vReset < lif.theta else {
            throw EstimatorFailure(.badInput, "parameter 'v_reset' = \(formatForMessage(lif.vReset)) mV is out of range "
                + "(valid: < theta = \(formatForMessage(lif.theta)) mV)")
        }
        if let why = lif.unrepresentable { throw EstimatorFailure(.badInput, why) }
        let rate: SiegertRate
        do { rate = try Siegert.rate(lif) } catch { throw EstimatorFailure(.numerical, "siegert rate: \(error)") }
        if f == 0 {
            let g = Siegert.logGain(lif, rate)
            var cv = Double.nan
            if let workspace {
                do { cv = try Siegert.cv(lif, rate, workspace: workspace) } catch {
                    throw EstimatorFailure(.numerical, "siegert CV: \(error)")
                }
            }
            return (rate, LinearResponse.Result(relativeMu: .init(g.dMu, 0),
                                                relativeSigma2: .init(g.dSigma / (2 * lif.sigma), 0),
                                                relativeSpectrum: cv * cv, isiTransform: .one, steps: 0))
        }
        let omegaTauM = 2 * Double.pi * f * lif.tauM / 1000
        let phase = 2 * Double.pi * f * lif.tauRef / 1000
        do {
            let r = try LinearResponse.relative(yTheta: lif.yTheta, yReset: lif.yReset, omegaTauM: omegaTauM,
                                                phase: phase, sigma: lif.sigma)
            return (rate, r)
        } catch LinearResponse.Failure.tooManySteps(let n) {
            let given = "parameters 'mu' = \(formatForMessage(lif.mu)) mV, "
                + "'sigma' = \(formatForMessage(lif.sigma)) mV, "
                + "'f' = \(formatForMessage(f)) Hz, 'tau_m' = \(formatForMessage(lif.tauM)) ms"
            throw EstimatorFailure(.badInput, "\(given) are outside what linear-response evaluates: "
                + LinearResponse.Failure.tooManySteps(predicted: n).description)
        } catch {
            throw EstimatorFailure(.numerical, "linear response: \(error)")
        }
    }

    /// abs, phase, re, im [Hz/unit] and ln abs of ν1 = ν0 · relative, into the given outputs.
    static func setMu<O: EstimatorField>(_ rel: LinearResponse.C, rate: SiegertRate, _ out: inout OutputRow,
                                         _ o: (abs: O, phase: O, re: O, im: O, lnAbs: O)) {
        let nu0 = rate.rateHz
        out.set(o.abs, nu0 * rel.length)
        out.set(o.phase, rel.phase)
        out.set(o.re, nu0 * rel.real)
        out.set(o.im, nu0 * rel.imaginary)
        out.set(o.lnAbs, rate.lnRateHz + log(rel.length))
    }
}
