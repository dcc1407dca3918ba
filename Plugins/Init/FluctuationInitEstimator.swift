// `fluctuation-init`: THEORY §6 (Rossbroich, Gygax & Zenke 2022; stork's initializers) for the free
// current-based LIF with exponential synapses and Poisson inputs (model `lif-current`).
import EstimatorKit
import Foundation
import InitNumerics

struct FluctuationInitEstimator: Estimator {
    enum Parameter: Int, EstimatorField {
        case n, nu, tauM, tauSyn, theta, timeStep, muW, sigmaW, targetMuU, xi, targetSigmaU, nRec, alpha, nInh
        case tauSynInh
    }
    enum Output: Int, EstimatorField {
        case epsBarMs, epsHatMs, kernelPeakTimeMs, kernelPeak, muW, sigmaW, sigmaW2, sigmaWRec, lambdaE, lambdaI
        case meanU, stdU, stdUAcross, xi, epsBarInhMs, epsHatInhMs
    }
    typealias P = Parameter
    typealias O = Output

    let info = EstimatorInfo(
        name: "fluctuation-init",
        summary: "Fluctuation-driven init: PSP-kernel integrals, Campbell mean/std of the free membrane, weights for target mean_u and xi or sigma_u",
        reference: "Rossbroich, Gygax & Zenke 2022, Neuromorph. Comput. Eng. 2:044016; fmi-basel/stork initializers.py, utils.py; THEORY.md §6",
        model: "lif-current",
        notes: """
        Current-based LIF tau_syn dI/dt = -I + tau_syn sum w delta(t - t_k), tau_m dU/dt = -U + I, threshold theta \
        (stork: 1), U and w in the same unit. Give weights (mu_w, sigma_w) for the forward statistics, or targets \
        (target_mu_u, default 0 = centred; and xi = (theta - mu_u)/sigma_u or target_sigma_u) for the init; \
        the forward outputs then describe the init. n_rec adds a recurrent group (variance split alpha : 1 - alpha); \
        n_inh selects the balanced Dale's-law variant with exponential weights (n = excitatory inputs). time_step \
        uses stork's discrete kernel (closed-form sums) instead of the continuous one. std_u is the per-neuron \
        temporal std (what the init targets); std_u_across adds the quenched variance of the weight draw.
        """,
        parameters: [
            ParameterSpec(P.n, unit: "1", .required, min: 1, integer: true,
                          summary: "fan-in (excitatory inputs in the Dale variant)"),
            ParameterSpec(P.nu, unit: "Hz", .required, min: 0, minExclusive: true,
                          summary: "Poisson rate of every input"),
            ParameterSpec(P.tauM, unit: "ms", .defaulted(20), min: 0, minExclusive: true,
                          summary: "membrane time constant"),
            ParameterSpec(P.tauSyn, unit: "ms", .defaulted(5), min: 0, minExclusive: true,
                          summary: "synaptic time constant"),
            ParameterSpec(P.theta, unit: "1", .defaulted(1), min: 0, minExclusive: true,
                          summary: "threshold (rest 0; stork: 1)"),
            ParameterSpec(P.timeStep, unit: "ms", .optional, min: 0, minExclusive: true,
                          summary: "SNN time step: discrete-time kernel"),
            ParameterSpec(P.muW, unit: "1", .optional, summary: "weight mean (forward statistics)"),
            ParameterSpec(P.sigmaW, unit: "1", .optional, min: 0, summary: "weight std (forward statistics)"),
            ParameterSpec(P.targetMuU, unit: "1", .optional,
                          summary: "target membrane mean (init; default 0 when a fluctuation target is given)"),
            ParameterSpec(P.xi, unit: "1", .optional, min: 0, minExclusive: true,
                          summary: "target (theta - mu_u)/sigma_u"),
            ParameterSpec(P.targetSigmaU, unit: "1", .optional, min: 0, minExclusive: true,
                          summary: "target membrane std (instead of xi)"),
            ParameterSpec(P.nRec, unit: "1", .optional, min: 1, integer: true,
                          summary: "recurrent fan-in (second afferent group at rate nu)"),
            ParameterSpec(P.alpha, unit: "1", .defaulted(0.9), min: 0, max: 1,
                          summary: "feed-forward share of sigma_u^2 when n_rec is given"),
            ParameterSpec(P.nInh, unit: "1", .optional, min: 1, integer: true,
                          summary: "inhibitory fan-in: balanced Dale's-law variant"),
            ParameterSpec(P.tauSynInh, unit: "ms", .optional, min: 0, minExclusive: true,
                          summary: "inhibitory synaptic time constant (default tau_syn)"),
        ],
        outputs: [
            OutputSpec(O.epsBarMs, unit: "ms", summary: "integral of the PSP kernel (tau_syn in continuous time)"),
            OutputSpec(O.epsHatMs, unit: "ms", summary: "integral of the squared PSP kernel"),
            OutputSpec(O.kernelPeakTimeMs, unit: "ms", summary: "time of the PSP peak (continuous kernel)"),
            OutputSpec(O.kernelPeak, unit: "1", summary: "PSP peak of a unit weight (continuous kernel)"),
            OutputSpec(O.muW, unit: "1", summary: "init: weight mean"),
            OutputSpec(O.sigmaW, unit: "1", summary: "init: weight std (feed-forward group)"),
            OutputSpec(O.sigmaW2, unit: "1", summary: "init: weight variance (feed-forward group)"),
            OutputSpec(O.sigmaWRec, unit: "1", summary: "init: weight std of the recurrent group"),
            OutputSpec(O.lambdaE, unit: "1",
                       summary: "Dale init: rate of the exponential excitatory weights (mean 1/lambda_e)"),
            OutputSpec(O.lambdaI, unit: "1",
                       summary: "Dale init: rate of the exponential inhibitory weights (weights -Exp(lambda_i))"),
            OutputSpec(O.meanU, unit: "1", observable: "mean_u", summary: "Campbell mean of the free membrane"),
            OutputSpec(O.stdU, unit: "1", observable: "std_u", summary: "per-neuron temporal std of the free membrane"),
            OutputSpec(O.stdUAcross, unit: "1", observable: "std_u_across",
                       summary: "std across neurons (temporal + quenched weight part)"),
            OutputSpec(O.xi, unit: "1", summary: "(theta - mean_u)/std_u"),
            OutputSpec(O.epsBarInhMs, unit: "ms", summary: "Dale: integral of the inhibitory PSP kernel"),
            OutputSpec(O.epsHatInhMs, unit: "ms", summary: "Dale: integral of the squared inhibitory PSP kernel"),
        ])

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        func given(_ i: P) -> Double? { p[i].isNaN ? nil : p[i] }
        let n = p[P.n], rate = p[P.nu] / 1000, theta = p[P.theta]
        let kernel = PSPKernel(tauMem: p[P.tauM], tauSyn: p[P.tauSyn], timeStep: given(.timeStep))
        out.set(O.epsBarMs, kernel.integral)
        out.set(O.epsHatMs, kernel.squareIntegral)
        let continuous = PSPKernel(tauMem: kernel.tauMem, tauSyn: kernel.tauSyn)
        out.set(O.kernelPeakTimeMs, continuous.peakTime)
        out.set(O.kernelPeak, continuous.peakValue)

        let weights = given(.muW) != nil || given(.sigmaW) != nil
        let targets = given(.targetMuU) != nil || given(.xi) != nil || given(.targetSigmaU) != nil
        if weights && targets {
            throw EstimatorFailure(.badInput, "give either weights (mu_w, sigma_w) for the forward statistics or targets (target_mu_u, xi or target_sigma_u) for the init, not both")
        }
        if given(.xi) != nil && given(.targetSigmaU) != nil {
            throw EstimatorFailure(.badInput, "give either xi or target_sigma_u, not both (xi = (theta - target_mu_u)/target_sigma_u)")
        }
        if targets && given(.xi) == nil && given(.targetSigmaU) == nil {
            throw EstimatorFailure(.badInput, "target_mu_u needs a fluctuation target: xi or target_sigma_u")
        }
        if given(.nInh) != nil && given(.nRec) != nil {
            throw EstimatorFailure(.badInput, "the Dale variant (n_inh) has no recurrent group (n_rec): give one of them")
        }
        let daleOutputs: [O] = [.lambdaE, .lambdaI, .epsBarInhMs, .epsHatInhMs]
        let normalOutputs: [O] = [.muW, .sigmaW, .sigmaW2, .sigmaWRec]

        var stats: CampbellStatistics
        if let nInh = given(.nInh) {
            // Balanced Dale's law: μ_U = 0, exponential weights, σ_U from xi or target_sigma_u.
            if weights { throw EstimatorFailure(.badInput, "the Dale variant (n_inh) computes exponential weights from a target: give xi or target_sigma_u, not mu_w/sigma_w") }
            guard targets else { throw EstimatorFailure(.badInput, "the Dale variant (n_inh) needs xi or target_sigma_u") }
            if let m = given(.targetMuU), m != 0 {
                throw EstimatorFailure(badParameter: P.targetMuU,
                                       "parameter 'target_mu_u' = \(formatForMessage(m)) is out of range for the "
                                       + "balanced Dale variant (valid: 0)")
            }
            let sigmaU = given(.targetSigmaU) ?? theta / given(.xi)!
            let inhibitory = PSPKernel(tauMem: kernel.tauMem, tauSyn: given(.tauSynInh) ?? kernel.tauSyn, timeStep: kernel.timeStep)
            let (lE, lI) = FluctuationInit.dale(nE: n, nI: nInh, rate: rate, sigmaU: sigmaU, excitatory: kernel, inhibitory: inhibitory)
            out.set(O.lambdaE, lE); out.set(O.lambdaI, lI)
            out.set(O.epsBarInhMs, inhibitory.integral); out.set(O.epsHatInhMs, inhibitory.squareIntegral)
            for i in normalOutputs { out.notApplicable(i) }
            stats = CampbellStatistics.exponentialGroup(n: n, rate: rate, lambda: lE, sign: 1, kernel: kernel)
                + CampbellStatistics.exponentialGroup(n: nInh, rate: rate, lambda: lI, sign: -1, kernel: inhibitory)
        } else if targets {
            let meanU = given(.targetMuU) ?? 0
            let sigmaU: Double
            if let s = given(.targetSigmaU) { sigmaU = s } else {
                let xi = given(.xi)!
                guard meanU < theta else {
                    throw EstimatorFailure(badParameter: P.targetMuU,
                                           "parameter 'target_mu_u' = \(formatForMessage(meanU)) is out of range with "
                                           + "xi (valid: < theta = \(formatForMessage(theta)), since sigma_u = "
                                           + "(theta - mu_u)/xi must be positive)")
                }
                sigmaU = (theta - meanU) / xi
            }
            for i in daleOutputs { out.notApplicable(i) }
            if given(.nRec) == nil { out.notApplicable(O.sigmaWRec) }
            let w: FluctuationInit.NormalWeights
            do {
                w = try FluctuationInit.normal(meanU: meanU, sigmaU: sigmaU, nFF: n, nRec: given(.nRec),
                                               alpha: p[P.alpha], rate: rate, kernel: kernel)
            }
            catch let e as FluctuationInit.Infeasible { throw EstimatorFailure(.badInput, e.description) }
            out.set(O.muW, w.muW)
            out.set(O.sigmaW, w.varianceW.squareRoot())
            out.set(O.sigmaW2, w.varianceW)
            stats = CampbellStatistics.group(n: n, rate: rate, muW: w.muW, sigmaW: w.varianceW.squareRoot(), kernel: kernel)
            if let nRec = given(.nRec), let v = w.varianceWRecurrent {
                out.set(O.sigmaWRec, v.squareRoot())
                stats = stats + CampbellStatistics.group(n: nRec, rate: rate, muW: w.muW, sigmaW: v.squareRoot(), kernel: kernel)
            }
        } else {
            for i in daleOutputs + normalOutputs { out.notApplicable(i) }
            guard weights else {
                for i in [O.meanU, .stdU, .stdUAcross, .xi] { out.notApplicable(i) }
                return 0
            }
            let muW = given(.muW) ?? 0, sigmaW = given(.sigmaW) ?? 0
            stats = CampbellStatistics.group(n: n, rate: rate, muW: muW, sigmaW: sigmaW, kernel: kernel)
            if let nRec = given(.nRec) { stats = stats + CampbellStatistics.group(n: nRec, rate: rate, muW: muW, sigmaW: sigmaW, kernel: kernel) }
        }
        out.set(O.meanU, stats.mean)
        out.set(O.stdU, stats.variance.squareRoot())
        out.set(O.stdUAcross, stats.varianceAcross.squareRoot())
        if stats.variance > 0 { out.set(O.xi, (theta - stats.mean) / stats.variance.squareRoot()) } else {
            out.notApplicable(O.xi)
        }
        return 0
    }
}
