// `variance-flow-init`: THEORY §7 (Micheli, Booij, van Gemert & Tömen 2024) — the spike probability
// and membrane variance layer by layer for an init, the Micheli init, and the fixed points of the map.
import EstimatorKit
import Foundation
import GSLSupport
import InitNumerics

struct VarianceFlowEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case theta, sigmaTarget, scheme, nVarW, n, nOut, sigma0, layer }
    enum Output: Int, EstimatorField {
        case nVarW, varW, pTarget, xC, cMin, sigmaStable, slopeStable, sigmaUnstable, slopeUnstable
        case varU, lnVarU, pSpike, lnPSpike, modelError
    }
    typealias P = Parameter
    typealias O = Output
    enum Scheme: Int { case micheli, kaiming, glorot, custom }
    enum Warning: UInt32 { case underflow = 1, noFixedPoint = 2, lnUnderflow = 4 }

    let info = EstimatorInfo(
        name: "variance-flow-init",
        summary: "Variance flow through thresholded layers: spike probability and Var[u] per layer, Micheli init, fixed points and stability",
        reference: "Micheli, Booij, van Gemert & Tömen 2024 (variance flow in SNNs); THEORY.md §7",
        model: "layered-threshold",
        notes: """
        u_l = W_l s_(l-1), s = H(u - theta), zero-mean weights: Var[u_l] = n Var[w] Q(theta/sigma_(l-1)). \
        scheme micheli sets n Var[w] = sigma_target^2/Q(theta/sigma_target), kaiming 2, glorot 2n/(n + n_out) \
        (1 for square layers), custom takes n_var_w. One row per layer (parameter layer, 0 = the input layer \
        with std sigma0). Spike probabilities below the double range are exact in ln_p_spike. The non-zero \
        fixed points exist for n Var[w] >= c_min = 6.034 theta^2; the one with theta/sigma < x_c is stable. \
        model_error is the finite-width drift of THEORY §9.7 (1 % per layer at n = 1000, scaling like 1/sqrt(n)).
        """,
        parameters: [
            ParameterSpec(P.theta, unit: "1", .defaulted(1), min: 0, minExclusive: true, summary: "threshold"),
            ParameterSpec(P.sigmaTarget, unit: "1", .defaulted(1), min: 0, minExclusive: true,
                          summary: "target std sigma* of the micheli init"),
            ParameterSpec(P.scheme, unit: "1", .defaulted(0), choices: ["micheli", "kaiming", "glorot", "custom"],
                          summary: "weight init"),
            ParameterSpec(P.nVarW, unit: "1", .optional, min: 0, minExclusive: true,
                          summary: "n Var[w] of the custom scheme"),
            ParameterSpec(P.n, unit: "1", .optional, min: 1, integer: true,
                          summary: "fan-in (for Var[w] per weight and the finite-width error)"),
            ParameterSpec(P.nOut, unit: "1", .optional, min: 1, integer: true,
                          summary: "fan-out for glorot (default n: square layers)"),
            ParameterSpec(P.sigma0, unit: "1", .defaulted(1), min: 0, minExclusive: true,
                          summary: "std of the layer-0 potentials"),
            ParameterSpec(P.layer, unit: "1", .defaulted(0), min: 0, max: 100_000, integer: true,
                          summary: "layer index (0 = input layer)"),
        ],
        outputs: [
            OutputSpec(O.nVarW, unit: "1", summary: "n Var[w] of the scheme"),
            OutputSpec(O.varW, unit: "1", summary: "Var[w] per weight (needs n)"),
            OutputSpec(O.pTarget, unit: "1",
                       summary: "Q(theta/sigma_target): spike probability the micheli init holds"),
            OutputSpec(O.xC, unit: "1", summary: "theta/sigma where the two fixed points meet"),
            OutputSpec(O.cMin, unit: "1", summary: "smallest n Var[w] with a non-zero fixed point"),
            OutputSpec(O.sigmaStable, unit: "1", summary: "stable non-zero fixed point of sigma"),
            OutputSpec(O.slopeStable, unit: "1", summary: "slope of the variance map there (< 1)"),
            OutputSpec(O.sigmaUnstable, unit: "1", summary: "unstable non-zero fixed point of sigma"),
            OutputSpec(O.slopeUnstable, unit: "1", summary: "slope of the variance map there (> 1)"),
            OutputSpec(O.varU, unit: "1", observable: "var_u", modelErrorOutput: .modelError,
                       summary: "Var[u] at this layer (0 below the double range)"),
            OutputSpec(O.lnVarU, unit: "1", summary: "ln Var[u]"),
            OutputSpec(O.pSpike, unit: "1", observable: "p_spike", modelErrorOutput: .modelError,
                       summary: "P(u > theta) at this layer (0 below the double range)"),
            OutputSpec(O.lnPSpike, unit: "1",
                       summary: "ln P(u > theta); exact when p_spike underflows (-inf beyond every double)"),
            OutputSpec(O.modelError, unit: "1",
                       summary: "finite-width error vs the layered simulation: 0.01 layer sqrt(1000/n) (0 without n)"),
        ],
        warnings: [
            "spike probability below the double range: p_spike = 0, see ln_p_spike",
            "n Var[w] < c_min: no non-zero fixed point, activity dies with depth",
            "ln_p_spike below the double range too (Var[u] underflowed far below theta^2): ln_p_spike = -inf",
        ])

    func makeScratch() {}

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        func given(_ i: P) -> Double? { p[i].isNaN ? nil : p[i] }
        let theta = p[P.theta], sigmaTarget = p[P.sigmaTarget]
        let n = given(.n)
        let c: Double
        switch Scheme(rawValue: Int(p[P.scheme]))! {
        case .micheli: c = VarianceFlow.micheli(theta: theta, sigmaTarget: sigmaTarget)
        case .kaiming: c = 2
        case .glorot:
            if given(.nOut) != nil && n == nil { throw EstimatorFailure(.badInput, "glorot with n_out needs the fan-in n too") }
            c = n.map { 2 * $0 / ($0 + (given(.nOut) ?? $0)) } ?? 1
        case .custom:
            guard let v = given(.nVarW) else { throw EstimatorFailure(badParameter: P.nVarW,
                                                                      "scheme custom needs parameter 'n_var_w' (> 0)") }
            c = v
        }
        if given(.nVarW) != nil && Int(p[P.scheme]) != Scheme.custom.rawValue {
            throw EstimatorFailure(badParameter: P.nVarW,
                                   "parameter 'n_var_w' applies to scheme custom only (give --scheme custom)")
        }
        guard c.isFinite else { throw EstimatorFailure(.badInput, "n Var[w] of the micheli init overflows: theta/sigma_target = \(theta / sigmaTarget) is too large") }
        var warnings: UInt32 = 0
        out.set(O.nVarW, c)
        if let n { out.set(O.varW, c / n) } else { out.notApplicable(O.varW) }
        out.set(O.pTarget, Special.normalTail(theta / sigmaTarget))
        out.set(O.xC, VarianceFlow.xC)
        out.set(O.cMin, VarianceFlow.cMin(theta: theta))
        if out.wants(O.sigmaStable) || out.wants(O.sigmaUnstable) || out.wants(O.slopeStable)
            || out.wants(O.slopeUnstable) {
            let fp: (stable: Double, unstable: Double)?
            do { fp = try VarianceFlow.fixedPoints(c: c, theta: theta) } catch { throw EstimatorFailure(.numerical, "fixed points: \(error)") }
            if let fp {
                out.set(O.sigmaStable, fp.stable); out.set(O.slopeStable, VarianceFlow.slope(x: theta / fp.stable))
                out.set(O.sigmaUnstable, fp.unstable)
                out.set(O.slopeUnstable, VarianceFlow.slope(x: theta / fp.unstable))
            } else {
                for i in [O.sigmaStable, .slopeStable, .sigmaUnstable, .slopeUnstable] { out.notApplicable(i) }
                warnings |= Warning.noFixedPoint.rawValue
            }
        }
        let l = Int(p[P.layer])
        let layer = VarianceFlow.layer(l, c: c, theta: theta, sigma0: p[P.sigma0])
        if layer.spikeProbability == 0 { warnings |= Warning.underflow.rawValue }
        if layer.lnSpikeProbability == -.infinity { warnings |= Warning.lnUnderflow.rawValue }
        out.set(O.varU, layer.variance)
        out.set(O.lnVarU, layer.lnVariance)
        out.set(O.pSpike, layer.spikeProbability)
        out.set(O.lnPSpike, layer.lnSpikeProbability)
        out.set(O.modelError, n.map { 0.01 * Double(l) * (1000 / $0).squareRoot() } ?? 0)
        return warnings
    }
}
