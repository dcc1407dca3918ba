// `leaky-discrete`: THEORY §4.2 as an estimator of the model `leaky-discrete`.
import EstimatorKit
import Foundation
import RandomWalkNumerics

struct LeakyDiscreteEstimator: Estimator {
    enum P: Int { case beta, m, s, theta, vReset, mode, timeStep }
    enum O: Int { case freeMean, freeStd, freeAbove, spikeProb, rate }

    let info = EstimatorInfo(
        name: "leaky-discrete",
        summary: "Leaky discrete-time neuron V' = beta U + N(m, s^2), spike at V' >= theta: exact stationary spike probability per step",
        reference: "Nystrom transfer operator with re-injection; THEORY.md §4.2",
        model: "leaky-discrete",
        notes: """
        Per step: V' = beta U + X, X ~ N(m, s^2); a spike when V' >= theta, and then, within the same step, \
        U = v_reset (mode reset) or U = V' - theta (mode subtract); otherwise U = V'. (Libraries that subtract \
        one step later without the leak, mem = beta mem + I - theta spk_prev, correspond to subtracting \
        theta/beta here.) spike_prob is exact (Nystrom, ~1e-13); p_free_above is the no-reset estimate \
        P_free(U > theta), an upper bound in practice and not a rate estimator (THEORY §9.4: 1.8x to 6x too \
        high). With time_step [ms]: rate_hz = 1000 spike_prob / time_step.
        """,
        parameters: [
            ParameterSpec("beta", unit: "1", .required, min: 0, max: 1, maxExclusive: true, summary: "leak factor per step"),
            ParameterSpec("m", unit: "mV", .required, summary: "mean input per step"),
            ParameterSpec("s", unit: "mV", .required, min: 0, minExclusive: true, summary: "standard deviation of the input per step"),
            ParameterSpec("theta", unit: "mV", .defaulted(1), potential: true, summary: "threshold"),
            ParameterSpec("v_reset", unit: "mV", .defaulted(0), potential: true, summary: "reset potential (< theta; mode reset)"),
            ParameterSpec("mode", unit: "1", .defaulted(0), choices: ["reset", "subtract"],
                          summary: "after a spike: U = v_reset, or U = V' - theta (both within the step)"),
            ParameterSpec("time_step", unit: "ms", .optional, min: 0, minExclusive: true, summary: "length of a step, for rate_hz"),
        ],
        outputs: [
            OutputSpec("free_mean_mv", unit: "mV", potential: true, summary: "mean of the free (no-threshold) potential m/(1-beta)"),
            OutputSpec("free_std_mv", unit: "mV", summary: "std of the free potential s/sqrt(1-beta^2)"),
            OutputSpec("p_free_above", unit: "1", summary: "P_free(U > theta), no-reset estimate (not a rate estimator)"),
            OutputSpec("spike_prob", unit: "1", observable: "spike_prob", summary: "exact stationary spike probability per step"),
            OutputSpec("rate_hz", unit: "Hz", observable: "rate_hz", summary: "1000 spike_prob / time_step (needs time_step)"),
        ])

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        let beta = p[P.beta.rawValue], m = p[P.m.rawValue], s = p[P.s.rawValue]
        let theta = p[P.theta.rawValue], vReset = p[P.vReset.rawValue], dt = p[P.timeStep.rawValue]
        let mode = LeakyDiscrete.Mode(rawValue: Int(p[P.mode.rawValue]))!
        guard vReset < theta else {
            throw EstimatorFailure(.badParameter(P.vReset.rawValue),
                                   "parameter 'v_reset' = \(formatForMessage(vReset)) mV is out of range (valid: < theta = \(formatForMessage(theta)) mV)")
        }
        let model = LeakyDiscrete(beta: beta, m: m, s: s, theta: theta, vReset: vReset, mode: mode)
        let span = (abs(model.freeMean) + abs(theta) + abs(vReset) + abs(m)) / s + 14 / (1 - beta * beta).squareRoot()
        guard span < 2e4 else {
            throw EstimatorFailure(.badInput, "parameters give a state space of \(formatForMessage(span.rounded())) s (valid: < 20000 s; beta too close to 1 or s too small for the Nystrom grid)")
        }
        out.set(O.freeMean.rawValue, model.freeMean)
        out.set(O.freeStd.rawValue, model.freeStd)
        out.set(O.freeAbove.rawValue, model.freeAbove)
        if out.wants(O.spikeProb.rawValue) || out.wants(O.rate.rawValue) {
            let r = try numerical({ try model.spikeProbability() }).spikeProbability
            out.set(O.spikeProb.rawValue, r)
            if dt.isNaN { out.notApplicable(O.rate.rawValue) } else { out.set(O.rate.rawValue, 1000 * r / dt) }
        } else if dt.isNaN {
            out.notApplicable(O.rate.rawValue)
        }
        return 0
    }
}
