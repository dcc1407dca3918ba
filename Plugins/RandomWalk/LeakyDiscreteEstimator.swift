// `leaky-discrete`: THEORY §4.2 as an estimator of the model `leaky-discrete`.
import EstimatorKit
import Foundation
import RandomWalkNumerics

struct LeakyDiscreteEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case beta, m, s, theta, vReset, mode, timeStep }
    enum Output: Int, EstimatorField { case freeMeanMv, freeStdMv, pFreeAbove, spikeProb, rateHz }
    typealias P = Parameter
    typealias O = Output

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
            ParameterSpec(P.beta, unit: "1", .required, min: 0, max: 1, maxExclusive: true,
                          summary: "leak factor per step"),
            ParameterSpec(P.m, unit: "mV", .required, summary: "mean input per step"),
            ParameterSpec(P.s, unit: "mV", .required, min: 0, minExclusive: true,
                          summary: "standard deviation of the input per step"),
            ParameterSpec(P.theta, unit: "mV", .defaulted(1), potential: true, summary: "threshold"),
            ParameterSpec(P.vReset, unit: "mV", .defaulted(0), potential: true,
                          summary: "reset potential (< theta; mode reset)"),
            ParameterSpec(P.mode, unit: "1", .defaulted(0), choices: ["reset", "subtract"],
                          summary: "after a spike: U = v_reset, or U = V' - theta (both within the step)"),
            ParameterSpec(P.timeStep, unit: "ms", .optional, min: 0, minExclusive: true,
                          summary: "length of a step, for rate_hz"),
        ],
        outputs: [
            OutputSpec(O.freeMeanMv, unit: "mV", potential: true,
                       summary: "mean of the free (no-threshold) potential m/(1-beta)"),
            OutputSpec(O.freeStdMv, unit: "mV", summary: "std of the free potential s/sqrt(1-beta^2)"),
            OutputSpec(O.pFreeAbove, unit: "1", summary: "P_free(U > theta), no-reset estimate (not a rate estimator)"),
            OutputSpec(O.spikeProb, unit: "1", observable: "spike_prob",
                       summary: "exact stationary spike probability per step"),
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz",
                       summary: "1000 spike_prob / time_step (needs time_step)"),
        ])

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        let beta = p[P.beta], m = p[P.m], s = p[P.s]
        let theta = p[P.theta], vReset = p[P.vReset], dt = p[P.timeStep]
        let mode = LeakyDiscrete.Mode(rawValue: Int(p[P.mode]))!
        guard vReset < theta else {
            throw EstimatorFailure(badParameter: P.vReset,
                                   "parameter 'v_reset' = \(formatForMessage(vReset)) mV is out of range (valid: < theta = \(formatForMessage(theta)) mV)")
        }
        let model = LeakyDiscrete(beta: beta, m: m, s: s, theta: theta, vReset: vReset, mode: mode)
        let span = (abs(model.freeMean) + abs(theta) + abs(vReset) + abs(m)) / s + 14 / (1 - beta * beta).squareRoot()
        guard span < 2e4 else {
            throw EstimatorFailure(.badInput, "parameters give a state space of \(formatForMessage(span.rounded())) s (valid: < 20000 s; beta too close to 1 or s too small for the Nystrom grid)")
        }
        out.set(O.freeMeanMv, model.freeMean)
        out.set(O.freeStdMv, model.freeStd)
        out.set(O.pFreeAbove, model.freeAbove)
        if out.wants(O.spikeProb) || out.wants(O.rateHz) {
            let r = try numerical({ try model.spikeProbability() }).spikeProbability
            out.set(O.spikeProb, r)
            if dt.isNaN { out.notApplicable(O.rateHz) } else { out.set(O.rateHz, 1000 * r / dt) }
        } else if dt.isNaN {
            out.notApplicable(O.rateHz)
        }
        return 0
    }
}
