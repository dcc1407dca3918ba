// `lif-linear-noise`: the mean-driven small-noise expansion of the white-noise LIF (THEORY §1.4),
//   T ≈ τ_ref + τ_m [ln((μ-V_r)/(μ-θ)) - (σ²/4)(1/(μ-θ)² - 1/(μ-V_r)²)],
//   CV² ≈ (τ_m/T)² (σ²/2) [1/(μ-θ)² - 1/(μ-V_r)²].
// Its relative error grows like (σ/(μ-θ))², which it reports per row as `model_error`.
import EstimatorKit
import Foundation

struct LinearNoise: Estimator {
    // One declaration per list: the raw value is the index, the case name in snake_case the name
    // (vReset -> v_reset). The export refuses the estimator if these disagree with `info` below.
    enum Parameter: Int, EstimatorField { case mu, sigma, theta, vReset, tauM, tauRef }
    enum Output: Int, EstimatorField { case rateHz, cv, modelError }
    typealias P = Parameter
    typealias O = Output

    let info = EstimatorInfo(
        name: "lif-linear-noise",
        summary: "White-noise LIF above threshold, small-noise expansion (rate and CV)",
        reference: "THEORY.md §1.4 (mean-driven limit, linear-noise CV)",
        model: "lif-white",
        notes: "Valid for mu > theta and sigma << mu - theta; compare with siegert.",
        // The canonical LIF parameters (mu, sigma, theta, v_reset, tau_m, tau_ref): what validate maps onto lif-white.
        parameters: CanonicalParameters.lif,
        outputs: [
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz", modelErrorOutput: .modelError,
                       summary: "firing rate"),
            OutputSpec(O.cv, unit: "1", observable: "cv", modelErrorOutput: .modelError,
                       summary: "coefficient of variation"),
            OutputSpec(O.modelError, unit: "1",
                       summary: "relative error bound of this expansion, 2 (sigma/(mu-theta))^2"),
        ],
        warnings: ["sigma is not small against mu - theta: the expansion is unreliable"])

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        let mu = p[P.mu], sigma = p[P.sigma], theta = p[P.theta]
        let vReset = p[P.vReset], tauM = p[P.tauM], tauRef = p[P.tauRef]
        guard vReset < theta else { throw EstimatorFailure(.badInput, "parameter 'v_reset' = \(formatForMessage(vReset)) mV is out of range (valid: < theta = \(formatForMessage(theta)) mV)") }
        guard mu > theta else { throw EstimatorFailure(badParameter: P.mu,
                                                       "parameter 'mu' = \(formatForMessage(mu)) mV is out of range "
                                                       + "(valid: > theta = \(formatForMessage(theta)) mV for the "
                                                       + "mean-driven expansion)") }
        let d1 = mu - theta, d2 = mu - vReset
        let inv = (1 / d1 - 1 / d2) * (1 / d1 + 1 / d2)
        let T = tauRef + tauM * (log(d2 / d1) - sigma * sigma / 4 * inv)
        out.set(O.rateHz, 1000 / T)
        out.set(O.cv, tauM / T * (sigma * sigma / 2 * inv).squareRoot())
        let err = 2 * (sigma / d1) * (sigma / d1)
        out.set(O.modelError, err)
        return err > 0.05 ? 1 : 0
    }
}

let export = PluginExport([LinearNoise()])

@_cdecl("workbench_plugin_abi_version")
public func workbenchPluginABIVersion() -> UInt32 { PluginExport.abiVersion }

@_cdecl("workbench_plugin_estimators")
public func workbenchPluginEstimators(_ count: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<wb_estimator>?> {
    export.table(count)
}

/// Optional entry: estimators left out because their enums disagree with their specs (NULL: none).
@_cdecl("workbench_plugin_problems")
public func workbenchPluginProblems() -> UnsafePointer<CChar>? { export.problemText }
