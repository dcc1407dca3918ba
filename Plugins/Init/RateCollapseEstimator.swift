// `rate-collapse`: THEORY §8 (Perez-Nieves & Goodman 2023; the Siegert layer map) — per-layer rates
// through depth for given weights or for a fixed-point init, with the stability of the fixed point.
import EstimatorKit
import Foundation
import GSLSupport
import InitNumerics

struct RateCollapseEstimator: Estimator {
    enum Parameter: Int, EstimatorField {
        case n, nuIn, theta, vReset, tauM, tauRef, muW, sigmaW, `init`, nuTarget, nVarW, layer, jumps, disorder
    }
    enum Output: Int, EstimatorField {
        case rateHz, lnRateHz, muMv, sigmaMv, muW, sigmaW, nMuW, nVarW, layerSlope
        case fixedPointSigmaMv, stabilitySlope, stable, modelError
    }
    typealias P = Parameter
    typealias O = Output
    enum Init: Int { case none, zeroMean, fixedSpread }
    enum Warning: UInt32 { case collapsed = 1, knifeEdge = 2 }

    let info = EstimatorInfo(
        name: "rate-collapse",
        summary: "Rates through depth by the Siegert layer map; fixed-point init (zero mean or fixed spread) with its stability",
        reference: "Perez-Nieves & Goodman 2023 (variance propagation + diffusion view of SNN init); Siegert 1951; THEORY.md §8",
        model: "layered-lif",
        notes: """
        Feed-forward LIF layers, fan-in n, delta synapses (weights = PSP jumps in the potential's unit), Poisson \
        input of rate nu_in to layer 1. Layer map: mu = n mu_w nu tau_m, sigma^2 = n (mu_w^2 + sigma_w^2) nu tau_m \
        (Brunel convention), nu' = Siegert(mu, sigma); rates in the log domain through collapse. init zero-mean \
        solves Siegert(0, sigma) = nu_target; init fixed-spread fixes n var_w (default 2) and solves for n mu_w. \
        The fixed point is stable iff |d nu_(l+1)/d nu_l| < 1 there; otherwise it is a knife edge and rates still \
        collapse or explode with depth. One row per layer (layer 0 = the input). Defaults theta = 1, v_reset = 0, \
        tau_ref = 0 (an SNN in units of the threshold). Against event-driven layers (validate, model layered-lif) \
        the diffusion map misses the overshoot of the finite jumps: --jumps siegmund shifts theta by 0.5826 w_rms \
        (Siegmund's corrected diffusion), and --disorder quenched averages over the neurons' quenched mean inputs \
        (weights fixed per synapse; the inits assume annealed weights). model_error states the map's error per \
        layer: with Δ the change of ln rate that Siegmund's correction makes there, 5 % + (e^Δ - 1) for jumps diffusion, \
        2 % + 0.5 % per layer + 3Δ² for siegmund (Δ at that layer from its input).
        """,
        parameters: [
            ParameterSpec(P.n, unit: "1", .required, min: 1, integer: true, summary: "fan-in of every layer"),
            ParameterSpec(P.nuIn, unit: "Hz", .required, min: 0, minExclusive: true,
                          summary: "Poisson rate of the input layer (layer 0)"),
            ParameterSpec(P.theta, unit: "mV", .defaulted(1), min: 0, minExclusive: true,
                          summary: "threshold above rest"),
            ParameterSpec(P.vReset, unit: "mV", .defaulted(0), summary: "reset potential (< theta)"),
            ParameterSpec(P.tauM, unit: "ms", .defaulted(20), min: 0, minExclusive: true,
                          summary: "membrane time constant"),
            ParameterSpec(P.tauRef, unit: "ms", .defaulted(0), min: 0, summary: "refractory period"),
            ParameterSpec(P.muW, unit: "mV", .optional, summary: "weight mean (default 0)"),
            ParameterSpec(P.sigmaW, unit: "mV", .optional, min: 0,
                          summary: "weight std (default: Kaiming sqrt(2/n) when no weight is given, else 0)"),
            ParameterSpec(P.`init`, unit: "1", .defaulted(0), choices: ["none", "zero-mean", "fixed-spread"],
                          summary: "fixed-point init instead of given weights"),
            ParameterSpec(P.nuTarget, unit: "Hz", .optional, min: 0, minExclusive: true,
                          summary: "target rate of the fixed-point init"),
            ParameterSpec(P.nVarW, unit: "mV^2", .optional, min: 0, minExclusive: true,
                          summary: "n sigma_w^2 of the fixed-spread init (default 2)"),
            ParameterSpec(P.layer, unit: "1", .defaulted(0), min: 0, max: 10_000, integer: true,
                          summary: "layer index (0 = input)"),
            ParameterSpec(P.jumps, unit: "1", .defaulted(0), choices: ["diffusion", "siegmund"],
                          summary: "finite synaptic jumps: diffusion limit (THEORY §8) or Siegmund's threshold shift theta + 0.5826 w_rms"),
            ParameterSpec(P.disorder, unit: "1", .defaulted(0), choices: ["annealed", "quenched"],
                          summary: "weights per synaptic event (annealed) or fixed per synapse (quenched: Gaussian average over neurons)"),
        ],
        outputs: [
            OutputSpec(O.rateHz, unit: "Hz", observable: "rate_hz", modelErrorOutput: .modelError,
                       summary: "rate of this layer (0 below the double range)"),
            OutputSpec(O.lnRateHz, unit: "ln Hz",
                       summary: "ln rate; exact through collapse (-inf beyond every double)"),
            OutputSpec(O.muMv, unit: "mV", summary: "mean input of this layer (Campbell)"),
            OutputSpec(O.sigmaMv, unit: "mV", summary: "noise amplitude of this layer's input (Brunel convention)"),
            OutputSpec(O.muW, unit: "mV", summary: "weight mean used"),
            OutputSpec(O.sigmaW, unit: "mV", summary: "weight std used"),
            OutputSpec(O.nMuW, unit: "mV", summary: "n mu_w"),
            OutputSpec(O.nVarW, unit: "mV^2", summary: "n sigma_w^2"),
            OutputSpec(O.layerSlope, unit: "1", summary: "d nu_l / d nu_(l-1) at this layer"),
            OutputSpec(O.fixedPointSigmaMv, unit: "mV", summary: "init: sigma of the layer input at the fixed point"),
            OutputSpec(O.stabilitySlope, unit: "1", summary: "init: d nu_(l+1)/d nu_l at the fixed point"),
            OutputSpec(O.stable, unit: "1", summary: "init: 1 if |stability_slope| < 1 (stable), 0 if a knife edge"),
            OutputSpec(O.modelError, unit: "1",
                       summary: "error vs event-driven layers (THEORY §9.8), D = |ln rate change by Siegmund's "
                         + "correction|: diffusion 5 % + e^D - 1; siegmund 2 % + 0.5 % per layer + 3 D^2 "
                         + "(D of that layer alone)"),
        ],
        warnings: [
            "the layer has collapsed below the double range: rate_hz = 0, see ln_rate_hz",
            "the fixed point is a knife edge (|slope| >= 1): rates drift away from it with depth",
        ])

    func makeScratch() -> IntegrationWorkspace { IntegrationWorkspace() }

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ ws: inout IntegrationWorkspace) throws -> UInt32 {
        func given(_ i: P) -> Double? { p[i].isNaN ? nil : p[i] }
        let neuron = LayerNeuron(theta: p[P.theta], vReset: p[P.vReset], tauM: p[P.tauM], tauRef: p[P.tauRef])
        guard neuron.vReset < neuron.theta else {
            throw EstimatorFailure(badParameter: P.vReset,
                                   "parameter 'v_reset' = \(formatForMessage(neuron.vReset)) mV is out of range "
                                   + "(valid: < theta = \(formatForMessage(neuron.theta)) mV)")
        }
        let n = p[P.n], nuIn = p[P.nuIn] / 1000
        if neuron.tauRef > 0 && nuIn * neuron.tauRef >= 1 {
            throw EstimatorFailure(badParameter: P.nuIn,
                                   "parameter 'nu_in' = \(formatForMessage(1000 * nuIn)) Hz is out of range (valid: < "
                                   + "1/tau_ref = \(formatForMessage(1000 / neuron.tauRef)) Hz)")
        }
        let initChoice = Init(rawValue: Int(p[P.`init`]))!
        let jumps = RateCollapse.Jumps(rawValue: Int(p[P.jumps]))!
        let disorder = RateCollapse.Disorder(rawValue: Int(p[P.disorder]))!
        if disorder == .quenched && initChoice != .none {
            throw EstimatorFailure(badParameter: P.disorder,
                                   "parameter 'disorder' = quenched applies to given weights (--init none): the "
                                   + "fixed-point inits solve the annealed map")
        }
        var warnings: UInt32 = 0
        let muW: Double, sigmaW: Double
        if initChoice == .none {
            if given(.nuTarget) != nil || given(.nVarW) != nil {
                throw EstimatorFailure(.badInput, "nu_target and n_var_w belong to a fixed-point init: give --init zero-mean or --init fixed-spread")
            }
            // No weights given: the init most networks use today, zero-mean Kaiming (n σ_w² = 2).
            let none = given(.muW) == nil && given(.sigmaW) == nil
            muW = given(.muW) ?? 0; sigmaW = given(.sigmaW) ?? (none ? (2 / n).squareRoot() : 0)
            for i in [O.fixedPointSigmaMv, .stabilitySlope, .stable] { out.notApplicable(i) }
        } else {
            if given(.muW) != nil || given(.sigmaW) != nil {
                throw EstimatorFailure(.badInput, "the fixed-point init computes the weights: do not give mu_w or sigma_w with --init")
            }
            guard let target = given(.nuTarget).map({ $0 / 1000 }) else {
                throw EstimatorFailure(badParameter: P.nuTarget,
                                       "the fixed-point init needs parameter 'nu_target' (> 0 Hz)")
            }
            if neuron.tauRef > 0 && target * neuron.tauRef >= 1 {
                throw EstimatorFailure(badParameter: P.nuTarget,
                                       "parameter 'nu_target' = \(formatForMessage(1000 * target)) Hz is out of range "
                                       + "(valid: < 1/tau_ref = \(formatForMessage(1000 / neuron.tauRef)) Hz)")
            }
            if initChoice == .zeroMean && given(.nVarW) != nil {
                throw EstimatorFailure(badParameter: P.nVarW,
                                       "parameter 'n_var_w' applies to --init fixed-spread only "
                                       + "(zero-mean solves for it)")
            }
            let fp: RateCollapse.FixedPoint
            do {
                fp = initChoice == .zeroMean
                    ? try RateCollapse.zeroMean(targetRate: target, n: n, neuron: neuron, jumps: jumps, workspace: ws)
                    : try RateCollapse.fixedSpread(targetRate: target, nVarW: given(.nVarW) ?? 2, n: n, neuron: neuron, jumps: jumps, workspace: ws)
            } catch let f as RateCollapse.Failure { throw EstimatorFailure(.badInput, f.description) }
            muW = fp.muW; sigmaW = fp.sigmaW
            out.set(O.fixedPointSigmaMv, fp.sigma)
            out.set(O.stabilitySlope, fp.slope)
            let stable = abs(fp.slope) < 1
            out.set(O.stable, stable ? 1 : 0)
            if !stable { warnings |= Warning.knifeEdge.rawValue }
        }
        out.set(O.muW, muW); out.set(O.sigmaW, sigmaW)
        out.set(O.nMuW, n * muW); out.set(O.nVarW, n * sigmaW * sigmaW)

        let l = Int(p[P.layer])
        var lnRate = log(nuIn), jumpError = 0.0
        if l == 0 {
            for i in [O.muMv, .sigmaMv, .layerSlope] { out.notApplicable(i) }
        } else {
            let steps: [RateCollapse.Step]
            do {
                steps = try RateCollapse.propagate(lnRate0: log(nuIn), layers: l, n: n, muW: muW, sigmaW: sigmaW, neuron: neuron,
                                                   jumps: jumps, disorder: disorder, workspace: ws)
                if out.wants(O.modelError) {
                    // Δ: how much Siegmund's correction changes ln ν. For the diffusion map, along the whole chain
                    // (its own first-order error); for the corrected map, at this layer from this layer's input
                    // (what is left is of order Δ²: 3Δ² bounds the residuals measured at Kaiming layer 1, Δ = 0.065,
                    // residual < 0.5 %, and layer 2, Δ = 0.16, residual 7 %).
                    let shift: Double
                    if jumps == .diffusion {
                        let other = try RateCollapse.propagate(lnRate0: log(nuIn), layers: l, n: n, muW: muW, sigmaW: sigmaW, neuron: neuron,
                                                               jumps: .siegmund, disorder: disorder, workspace: ws)
                        shift = abs(other[l - 1].lnRate - steps[l - 1].lnRate)
                    } else {
                        let lnIn = l >= 2 ? steps[l - 2].lnRate : log(nuIn), ln2In = l >= 2 ? steps[l - 2].lnSecondMoment : 2 * log(nuIn)
                        let plain = lnIn == -.infinity ? [] : try RateCollapse.propagate(lnRate0: lnIn, layers: 1, n: n, muW: muW, sigmaW: sigmaW,
                                                                                         neuron: neuron, disorder: disorder, lnSecondMoment0: ln2In, workspace: ws)
                        shift = plain.isEmpty ? 0 : abs(plain[0].lnRate - steps[l - 1].lnRate)
                    }
                    // Capped at 10 (1000 %): through a knife-edge map the two chains part exponentially.
                    jumpError = shift.isFinite ? min(jumps == .diffusion ? expm1(shift) : 3 * shift * shift, 10) : 0
                }
            } catch let f as RateCollapse.Failure { throw EstimatorFailure(.numerical, f.description) }
            let last = steps[l - 1]
            let previous = l >= 2 ? steps[l - 2].lnRate : log(nuIn)
            lnRate = last.lnRate
            out.set(O.muMv, last.mu); out.set(O.sigmaMv, last.sigma)
            // dν_l/dν_{l−1} = (ν_l/ν_{l−1}) · d ln ν_l / d ln ν_{l−1}.
            if lnRate == -.infinity { out.set(O.layerSlope, 0) }
            else { out.set(O.layerSlope, exp(lnRate - previous) * last.logLogSlope) }
        }
        let lnHz = lnRate + Special.ln1000
        let rateHz = l == 0 ? p[P.nuIn] : exp(lnHz)
        if rateHz == 0 { warnings |= Warning.collapsed.rawValue }
        out.set(O.rateHz, rateHz)
        out.set(O.lnRateHz, l == 0 ? log(rateHz) : lnHz)
        out.set(O.modelError, jumps == .diffusion ? 0.05 + jumpError : 0.02 + 0.005 * Double(l) + jumpError)
        return warnings
    }
}
