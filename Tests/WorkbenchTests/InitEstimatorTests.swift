// THEORY §6–§8: the initialisation estimators. Every vector of §6.5, §7.3 and §8, checked both in the
// numerics and through the plugin ABI; beyond the vectors, the closed forms against slow direct paths
// (brute-force kernel sums, QAG of ε², finite differences of the layer map) and the hard corners.
import Foundation
import GSLSupport
import InitNumerics
import SiegertNumerics
import Testing
import WorkbenchCore

/// One row of a built-in estimator through the ABI: parameters by name (choices by label), outputs by name.
struct ABIRow {
    let estimator: LoadedEstimator
    let batch: LoadedEstimator.Batch
    init(_ name: String, _ values: [String: Any]) throws {
        estimator = try #require(InitEstimatorTests.registry.estimator(named: name))
        var row = estimator.parameters.map(\.defaultValue)
        for (k, v) in values {
            let p = try #require(estimator.parameter(named: k), "parameter \(k)")
            if let label = v as? String { row[p.index] = Double(try #require(p.choices.firstIndex(of: label))) }
            else { row[p.index] = (v as? Double) ?? Double(v as! Int) }
        }
        batch = estimator.evaluate(row)
    }
    var status: Int32 { batch.status[0] }
    var message: String { batch.messages[0] ?? "" }
    subscript(_ output: String) -> Double { batch.value(0, estimator.output(named: output)!.index) }
    func notApplicable(_ output: String) -> Bool { batch.isNotApplicable(0, estimator.output(named: output)!.index) }
}

struct InitEstimatorTests {
    static let registry = PluginRegistry(searchPath: [buildDirectory])

    // MARK: §6 fluctuation-init

    @Test func kernelVectors() {
        let k = PSPKernel(tauMem: 20, tauSyn: 5)
        expectRelative(k.integral, 5, 1e-15, "ε̄")
        expectRelative(k.squareIntegral, 0.5, 1e-15, "ε̂")
        expectRelative(k.peakTime, 9.24196240746594, 1e-14, "peak time")
        expectRelative(k.peakValue, 0.157490131236859, 1e-14, "peak value")
        expectRelative(PSPKernel(tauMem: 10, tauSyn: 10).squareIntegral, 2.5, 1e-15, "ε̂ at τ_mem = τ_syn")
        let d1 = PSPKernel(tauMem: 20, tauSyn: 5, timeStep: 1), d01 = PSPKernel(tauMem: 20, tauSyn: 5, timeStep: 0.1)
        expectRelative(d1.integral, 5.51665556612699, 1e-14, "ε̄ Δt=1")
        expectRelative(d1.squareIntegral, 0.609678288915615, 1e-14, "ε̂ Δt=1")
        expectRelative(d01.integral, 5.05016666555557, 1e-14, "ε̄ Δt=0.1")
        expectRelative(d01.squareIntegral, 0.510092167892788, 1e-14, "ε̂ Δt=0.1")
    }

    /// The closed forms against slow direct paths: stork's recursion summed to convergence, QAG of ε(t)²,
    /// and the peak as the maximum of ε on a fine bracket — over τ pairs including τ_mem ≈ τ_syn.
    @Test(arguments: [(20.0, 5.0), (10, 10), (10, 10 * (1 + 1e-9)), (5, 20), (100, 1), (3, 2.9999)] as [(Double, Double)])
    func kernelClosedFormsAgainstDirectPaths(_ tm: Double, _ ts: Double) throws {
        for dt in [1.0, 0.1, 0.37] {
            let k = PSPKernel(tauMem: tm, tauSyn: ts, timeStep: dt)
            let d1 = exp(-dt / tm), d2 = exp(-dt / ts)
            var u = 0.0, i = 1.0, sum = 0.0, sumSq = 0.0
            for _ in 0..<200_000 { u = d1 * u + (1 - d1) * i; i *= d2; sum += u; sumSq += u * u }   // U_1, U_2, ...
            expectRelative(k.integral, dt * sum, 1e-11, "ε̄ Δt=\(dt) τ=\(tm),\(ts)")
            expectRelative(k.squareIntegral, dt * sumSq, 1e-11, "ε̂ Δt=\(dt) τ=\(tm),\(ts)")
        }
        let k = PSPKernel(tauMem: tm, tauSyn: ts)
        let ws = IntegrationWorkspace()
        let end = 80 * max(tm, ts)          // the tail beyond is below e^-80 of the total
        let sq = try ws.qag(0, end, epsrel: 1e-13) { t in let e = k.value(at: t); return e * e }.value
        expectRelative(k.squareIntegral, sq, 1e-12, "ε̂ vs QAG τ=\(tm),\(ts)")
        expectRelative(k.integral, try ws.qag(0, end, epsrel: 1e-13) { k.value(at: $0) }.value, 1e-12, "ε̄ vs QAG")
        let t = k.peakTime
        #expect(k.value(at: t) >= k.value(at: t * (1 + 1e-6)) && k.value(at: t) >= k.value(at: t * (1 - 1e-6)), "peak at \(t)")
    }

    @Test("THEORY §6.5 inverse problem", arguments: [
        (0.0, Double.nan, 0.5, 0.0, 0.25, 0.5), (0.5, 1, .nan, 0.05, 0.2475, 0.49749371855331),
        (-0.5, 3, .nan, -0.05, 0.2475, 0.49749371855331), (0.9, 0.1, .nan, 0.09, 0.9919, 0.995941765365827),
    ])
    func inverseVectors(_ muU: Double, _ xi: Double, _ sigmaU: Double, _ muW: Double, _ var2: Double, _ sigmaW: Double) throws {
        var values: [String: Any] = ["n": 200, "nu": 10.0, "target_mu_u": muU]
        if xi.isNaN { values["target_sigma_u"] = sigmaU } else { values["xi"] = xi }
        let r = try ABIRow("fluctuation-init", values)
        try #require(r.status == 0, "\(r.message)")
        #expect(abs(r["mu_w"] - muW) <= 1e-16 + 1e-14 * abs(muW), "μ_w \(r["mu_w"])")
        expectRelative(r["sigma_w2"], var2, 1e-13, "σ_w²")
        expectRelative(r["sigma_w"], sigmaW, 1e-13, "σ_w")
        // The forward statistics of the solved weights meet the targets.
        #expect(abs(r["mean_u"] - muU) <= 1e-14)
        expectRelative(r["std_u"], xi.isNaN ? sigmaU : (1 - muU) / xi, 1e-13, "σ_U of the init")
    }

    @Test func infeasibleTargetIsAnErrorThatSaysWhy() throws {
        let r = try ABIRow("fluctuation-init", ["n": 200, "nu": 10.0, "target_mu_u": 0.9, "xi": 3.0])
        #expect(r.status < 0 && r.message.contains("infeasible") && r.message.contains("-0.00698889"), "\(r.message)")
        let cli = try workbench(["eval", "fluctuation-init", "200", "10Hz", "--target-mu-u", "0.9", "--xi", "3"])
        #expect(cli.code == 2 && cli.stderr.contains("infeasible"), "\(cli.stderr)")
    }

    @Test func daleVectorAndItsChecks() throws {
        let r = try ABIRow("fluctuation-init", ["n": 160, "n_inh": 40, "nu": 10.0, "xi": 2.0, "tau_syn": 5.0, "tau_syn_inh": 10.0])
        try #require(r.status == 0, "\(r.message)")
        expectRelative(r["lambda_e"], 5.26624470883507, 1e-13, "λ_E")
        expectRelative(r["lambda_i"], 2.63312235441753, 1e-13, "λ_I")
        #expect(abs(r["mean_u"]) < 1e-15, "balanced: μ_U = \(r["mean_u"])")
        expectRelative(r["std_u"], 0.5, 1e-14, "σ_U = θ/ξ")
        #expect(r.notApplicable("mu_w") && r.notApplicable("sigma_w"))
    }

    /// Recurrent groups (stork `_get_weight_parameters_dst`): the shares α : 1 − α add up to σ_U².
    @Test func recurrentGroupsSplitTheVariance() throws {
        let r = try ABIRow("fluctuation-init", ["n": 200, "n_rec": 100, "nu": 10.0, "target_mu_u": 0.2, "xi": 2.0])
        try #require(r.status == 0, "\(r.message)")
        let nuEpsHat = 0.01 * 0.5, muW = 0.2 / (300 * 0.01 * 5)
        expectRelative(r["mu_w"], muW, 1e-14, "μ_w over the total fan-in")
        expectRelative(r["sigma_w2"], 0.9 * 0.16 / (200 * nuEpsHat) - muW * muW, 1e-13, "σ_ff²")
        expectRelative(r["sigma_w_rec"], (0.1 * 0.16 / (100 * nuEpsHat) - muW * muW).squareRoot(), 1e-13, "σ_rec")
        expectRelative(r["std_u"], 0.4, 1e-13, "σ_U")
        expectRelative(r["mean_u"], 0.2, 1e-13, "μ_U")
    }

    /// §6.2 / §9.6: the across-neuron variance adds the quenched part n ν² ε̄² σ_w².
    @Test func forwardStatisticsAndTheQuenchedVariance() throws {
        let r = try ABIRow("fluctuation-init", ["n": 200, "nu": 10.0, "mu_w": 0.05, "sigma_w": 0.3])
        try #require(r.status == 0, "\(r.message)")
        expectRelative(r["mean_u"], 200 * 0.01 * 0.05 * 5, 1e-14, "μ_U")
        let temporal = 200 * 0.01 * (0.05 * 0.05 + 0.09) * 0.5
        expectRelative(r["std_u"], temporal.squareRoot(), 1e-14, "σ_U")
        expectRelative(r["std_u_across"], (temporal + 200 * 1e-4 * 25 * 0.09).squareRoot(), 1e-14, "across")
        #expect(r.notApplicable("mu_w") && r.notApplicable("lambda_e"))
    }

    @Test func fluctuationBadInputNamesTheParameter() throws {
        for (args, needle) in [(["200", "10", "--xi", "0"], "xi"), (["0", "10"], "'n'"), (["200", "-1"], "'nu'"),
                               (["200", "10", "--mu-w", "0.1", "--xi", "1"], "not both"),
                               (["200", "10", "--xi", "1", "--target-sigma-u", "0.5"], "not both"),
                               (["200", "10", "--target-mu-u", "1.5", "--xi", "1"], "target_mu_u"),
                               (["200.5", "10"], "'n'")] {
            let r = try workbench(["eval", "fluctuation-init"] + args)
            #expect(r.code == 2 && r.stderr.contains(needle), "\(args): \(r.code) \(r.stderr)")
        }
    }

    // MARK: §7 variance-flow-init

    @Test func varianceFlowConstantsAndMicheliInit() throws {
        expectRelative(VarianceFlow.xC, 1.19060124834277, 1e-14, "x_c")
        expectRelative(VarianceFlow.cMin(theta: 1), 6.03439794696807, 1e-14, "c_min")
        expectRelative(VarianceFlow.slope(x: 1), 0.762567638080491, 1e-14, "slope at θ = σ = 1")
        for (sigma, p, c) in [(1.0, 0.158655253931457, 6.30297437506875), (0.5, 0.0227501319481792, 10.9889472539964),
                              (2, 0.308537538725987, 12.9643868182679)] {
            let r = try ABIRow("variance-flow-init", ["sigma_target": sigma, "sigma0": sigma, "layer": 7])
            expectRelative(r["p_target"], p, 1e-14, "P at σ* = \(sigma)")
            expectRelative(r["n_var_w"], c, 1e-14, "n Var[w] at σ* = \(sigma)")
            expectRelative(r["p_spike"], p, 1e-13, "Micheli holds P at layer 7")
            expectRelative(r["var_u"], sigma * sigma, 1e-13, "Micheli holds Var[u]")
        }
    }

    @Test("THEORY §7.3 layer table", arguments: [
        ("kaiming", 1, 0.317310507862914, 0.0379288983836107), ("kaiming", 2, 0.0758577967672215, 1.41283200072444e-4),
        ("glorot", 1, 0.158655253931457, 0.00602677807953552), ("glorot", 2, 0.00602677807953552, 2.87058836564745e-38),
        ("micheli", 5, 1, 0.158655253931457), ("micheli", 10, 1, 0.158655253931457),
    ])
    func layerTable(_ scheme: String, _ layer: Int, _ variance: Double, _ p: Double) throws {
        let r = try ABIRow("variance-flow-init", ["scheme": scheme, "layer": layer])
        expectRelative(r["var_u"], variance, 1e-13, "\(scheme) layer \(layer) Var[u]")
        expectRelative(r["p_spike"], p, 2e-13, "\(scheme) layer \(layer) P")
    }

    /// Underflow is the right answer, in logs: Kaiming layer 3 (P = 2.2e-771) and Glorot layer 3 (P ≈ 10^(−7.56e36)).
    @Test func underflowingLayersAreExactInLogs() throws {
        let k3 = try ABIRow("variance-flow-init", ["scheme": "kaiming", "layer": 3])
        expectRelative(k3["var_u"], 2.82566400144887e-4, 1e-13, "Kaiming Var[u_3]")
        #expect(k3["p_spike"] == 0 && k3.status & 1 == 1)
        expectRelative(k3["ln_p_spike"], log(2.20889755365975) - 771 * log(10.0), 1e-14, "Kaiming ln P_3")
        let g3 = try ABIRow("variance-flow-init", ["scheme": "glorot", "layer": 3])
        expectRelative(g3["var_u"], 2.87058836564745e-38, 3e-13, "Glorot Var[u_3]")
        let lnP = (log10(7.64936426926031) - 7564555181447939389677759104205947626.0) * log(10.0)
        // ln P_3 ≈ −θ²/(2 Var[u_3]): its relative error is Var[u_3]'s, which is Var[u_2]'s amplified by
        // x²/2 = 83, itself one rounding of Var[u_1] amplified by x φ/Q = 7: a floor of ~6e-14 from the
        // problem's conditioning, not the method.
        expectRelative(g3["ln_p_spike"], lnP, 3e-13, "Glorot ln P_3")
        for scheme in ["kaiming", "glorot"] {
            let deep = try ABIRow("variance-flow-init", ["scheme": scheme, "layer": 10])
            #expect(deep["var_u"] == 0 && deep["p_spike"] == 0 && deep["ln_p_spike"] == -.infinity)
        }
    }

    /// The fixed points solve σ² = c Q(θ/σ), straddle x_c, and the slope there is the map's derivative.
    @Test(arguments: [1 + 1e-9, 1.05, 1.3, 3, 1e3])
    func fixedPointsSolveTheMap(_ multipleOfCMin: Double) throws {
        let c = multipleOfCMin * VarianceFlow.cMin(theta: 1.3)
        let r = try ABIRow("variance-flow-init", ["scheme": "custom", "n_var_w": c, "theta": 1.3])
        for (name, slopeName) in [("sigma_stable", "slope_stable"), ("sigma_unstable", "slope_unstable")] {
            let s = r[name]
            expectRelative(c * Special.normalTail(1.3 / s), s * s, 1e-12, "\(name) at c = \(c)")
            let map = { (v: Double) in c * Special.normalTail(1.3 / v.squareRoot()) }
            let h = 1e-5 * s * s
            if multipleOfCMin > 1.01 {     // at the fold the two roots merge and a difference quotient is meaningless
                expectRelative(r[slopeName], (map(s * s + h) - map(s * s - h)) / (2 * h), 1e-7, "\(slopeName) at c = \(c)")
            }
        }
        #expect(1.3 / r["sigma_stable"] <= VarianceFlow.xC && 1.3 / r["sigma_unstable"] >= VarianceFlow.xC)
        #expect(r["slope_stable"] <= 1 && r["slope_unstable"] >= 1)
        #expect(try ABIRow("variance-flow-init", ["scheme": "custom", "n_var_w": 0.999 * VarianceFlow.cMin(theta: 1.3), "theta": 1.3]).notApplicable("sigma_stable"))
        let dead = try ABIRow("variance-flow-init", ["scheme": "kaiming"])
        #expect(dead.notApplicable("sigma_stable") && dead.status == 2, "Kaiming: c = 2 < c_min has no fixed point")
    }

    // MARK: §8 rate-collapse

    @Test func kaimingCollapseTable() throws {
        let expected = [20, 9.54072406441194, 2.82725628216187, 0.0113172836752554]
        for (l, rate) in expected.enumerated() {
            let r = try ABIRow("rate-collapse", ["n": 1000, "nu_in": 20.0, "sigma_w": (2.0 / 1000).squareRoot(), "layer": l])
            expectRelative(r["rate_hz"], rate, 1e-12, "layer \(l)")
        }
        let l4 = try ABIRow("rate-collapse", ["n": 1000, "nu_in": 20.0, "sigma_w": (2.0 / 1000).squareRoot(), "layer": 4])
        #expect(l4["rate_hz"] == 0 && l4.status == 1)
        // ln ν_4 ≈ −y_θ² with y_θ² ∝ 1/ν_3: its absolute error is |ln ν_4| times ν_3's relative error
        // (≤ 5e-14, the Siegert sweep bound), so the composition is checked at 1e-13 relative.
        expectRelative(l4["ln_rate_hz"], log(5.77120219673867) - 957 * log(10.0), 1e-13, "layer 4 (ln domain only)")
        let kaimingByDefault = try ABIRow("rate-collapse", ["n": 1000, "nu_in": 20.0, "layer": 2])
        expectRelative(kaimingByDefault["rate_hz"], 2.82725628216187, 1e-12, "no weights given: Kaiming")
    }

    @Test("THEORY §8.3 fixed points", arguments: [
        ("zero-mean", 5.0, 0.715789896166841, 5.12355175454537, 1.70153762176635),
        ("zero-mean", 20, 1.2754508130282, 4.06693694113573, 0.890381990696739),
    ])
    func zeroMeanFixedPoints(_ initChoice: String, _ target: Double, _ sigma: Double, _ nVar: Double, _ slope: Double) throws {
        let r = try ABIRow("rate-collapse", ["n": 1000, "nu_in": target, "init": initChoice, "nu_target": target, "layer": 3])
        expectRelative(r["fixed_point_sigma_mv"], sigma, 1e-12, "σ at ν* = \(target)")
        expectRelative(r["n_var_w"], nVar, 1e-12, "n σ_w²")
        expectRelative(r["stability_slope"], slope, 1e-10, "slope")
        #expect(r["stable"] == (slope < 1 ? 1 : 0))
        expectRelative(r["rate_hz"], target, 1e-11, "the fixed point holds through depth")
        // The analytic slope against a finite difference of the estimator's own layer map.
        let h = 1e-4 * target
        let up = try ABIRow("rate-collapse", ["n": 1000, "nu_in": target + h, "init": initChoice, "nu_target": target, "layer": 1])
        let down = try ABIRow("rate-collapse", ["n": 1000, "nu_in": target - h, "init": initChoice, "nu_target": target, "layer": 1])
        expectRelative((up["rate_hz"] - down["rate_hz"]) / (2 * h), slope, 1e-6, "slope vs finite difference")
    }

    @Test(arguments: [(5.0, 4.5, [4.14598787761138, 3.54079962147834, 2.52237838791563, 0.98782805718115, 0.00427949249619584]),
                      (5, 5.5, [5.845318935223, 6.42132508600356, 7.36513669182561, 8.86165821525838, 11.107066328336]),
                      (20, 18, [18.1752401318632, 18.3387932948087, 18.4907786134889, 18.6314493691275, 18.7611681174174]),
                      (20, 22, [21.7405126265727, 21.5190696875219, 21.3290942197236, 21.1653709918061, 21.0237145703951])])
    func perturbedPropagation(_ target: Double, _ start: Double, _ rates: [Double]) throws {
        for (i, rate) in rates.enumerated() {
            let r = try ABIRow("rate-collapse", ["n": 1000, "nu_in": start, "init": "zero-mean", "nu_target": target, "layer": i + 1])
            expectRelative(r["rate_hz"], rate, 1e-11, "ν* = \(target) from \(start): layer \(i + 1)")
        }
    }

    @Test func fixedSpreadVector() throws {
        let r = try ABIRow("rate-collapse", ["n": 1000, "nu_in": 20.0, "init": "fixed-spread", "nu_target": 20.0])
        expectRelative(r["n_mu_w"], 1.03577155889638, 1e-12, "n μ_w")
        expectRelative(r["stability_slope"], 1.31119569395607, 1e-10, "slope")
        #expect(r["stable"] == 0 && r.status == 2, "knife edge flagged")
        let mu = try ABIRow("rate-collapse", ["n": 1000, "nu_in": 20.0, "init": "fixed-spread", "nu_target": 20.0, "layer": 1])
        expectRelative(mu["mu_mv"], 0.41430862355855, 1e-12, "μ = n μ_w ν τ")
    }

    @Test func rateCollapseBadInput() throws {
        for (args, needle) in [(["1000", "20", "--init", "zero-mean"], "nu_target"),
                               (["1000", "20", "--sigma-w", "0.04", "--v-reset", "2"], "v_reset"),
                               (["1000", "0", "--sigma-w", "0.04"], "nu_in"), (["0", "20", "--sigma-w", "0.04"], "'n'"),
                               (["1000", "20", "--init", "zero-mean", "--nu-target", "5", "--sigma-w", "0.1"], "do not give"),
                               (["1000", "20", "--init", "zero-mean", "--nu-target", "1e9"], "not reachable")] {
            let r = try workbench(["eval", "rate-collapse"] + args)
            #expect(r.code == 2 && r.stderr.contains(needle), "\(args): \(r.code) \(r.stderr)")
        }
    }
}

/// `workbench init` composes the estimators per layer: its columns must reproduce THEORY's depth tables.
/// The corrected layer maps of `rate-collapse` against independent brute-force evaluations.
struct LayerMapTests {
    let neuron = LayerNeuron(theta: 1, vReset: 0, tauM: 20, tauRef: 0)

    /// Siegmund: the map is the Siegert rate at θ + 0.5826 w_rms (Kaiming, n = 1000, 20 Hz in).
    @Test func siegmundShiftsTheThreshold() throws {
        let ws = IntegrationWorkspace()
        let sigmaW = (2.0 / 1000).squareRoot()
        let step = try RateCollapse.propagate(lnRate0: log(0.02), layers: 1, n: 1000, muW: 0, sigmaW: sigmaW,
                                              neuron: neuron, jumps: .siegmund, workspace: ws)[0]
        let direct = try Siegert.rate(LIFParameters(mu: 0, sigma: (1000 * sigmaW * sigmaW * 0.02 * 20).squareRoot(),
                                                    theta: 1 + 0.582597157939011 * sigmaW, vReset: 0, tauM: 20, tauRef: 0))
        expectRelative(exp(step.lnRate), direct.ratePerMs, 1e-14, "shifted threshold")
        expectRelative(1000 * direct.ratePerMs, 8.939936223078144, 1e-12, "8.94 Hz")
    }

    /// Quenched: E[ν] and E[ν²] over μ_i ~ N(μ̄, n σ_w² τ² ν_in²) against a 4001-point trapezoid over ±12 sd
    /// (weights with a mean too, so μ̄ ≠ 0), and the annealed map when the spread vanishes.
    @Test func quenchedAverageMatchesBruteForce() throws {
        let ws = IntegrationWorkspace()
        let n = 500.0, muW = 0.004, sigmaW = 0.05, nu = 0.015
        let q = try RateCollapse.propagate(lnRate0: log(nu), layers: 1, n: n, muW: muW, sigmaW: sigmaW, neuron: neuron,
                                           disorder: .quenched, workspace: ws)[0]
        let mean = n * muW * nu * 20, sigma = (n * (muW * muW + sigmaW * sigmaW) * 20 * nu).squareRoot()
        let spread = n.squareRoot() * sigmaW * 20 * nu
        var m1 = 0.0, m2 = 0.0
        let h = 24.0 / 4000
        for k in 0...4000 {
            let z = -12 + h * Double(k), w = (k == 0 || k == 4000 ? 0.5 : 1) * h * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let r = try Siegert.rate(LIFParameters(mu: mean + spread * z, sigma: sigma, theta: 1, vReset: 0, tauM: 20, tauRef: 0)).ratePerMs
            m1 += w * r; m2 += w * r * r
        }
        expectRelative(exp(q.lnRate), m1, 1e-10, "E[nu]")
        expectRelative(exp(q.lnSecondMoment), m2, 1e-10, "E[nu^2]")
        let tiny = try RateCollapse.propagate(lnRate0: log(nu), layers: 1, n: n, muW: muW, sigmaW: 1e-9, neuron: neuron,
                                              disorder: .quenched, workspace: ws)[0]
        let annealed = try RateCollapse.propagate(lnRate0: log(nu), layers: 1, n: n, muW: muW, sigmaW: 1e-9, neuron: neuron, workspace: ws)[0]
        expectRelative(tiny.lnRate, annealed.lnRate, 1e-9, "no spread: the annealed map")
    }
}

struct InitCommandTests {
    func plan(_ args: [String]) throws -> [String: Any] {
        let r = try workbench(["init"] + args + ["--format", "json"])
        try #require(r.code == 0, "\(args): \(r.code) \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func rateCollapseColumnsReproduceTheKaimingTableAndHoldAStableFixedPoint() throws {
        let j = try plan(["--layers", "1000,1000,1000,1000,1000", "--scheme", "rate-collapse", "--nu", "20Hz"])
        let cmp = try #require(j["comparison"] as? [[String: Any]])
        for (i, rate) in [9.54072406441194, 2.82725628216187, 0.0113172836752554].enumerated() {
            expectRelative(cmp[i]["kaiming"] as! Double, rate, 1e-12, "Kaiming layer \(i + 1)")
        }
        #expect(cmp[3]["kaiming"] as? Double == 0)
        expectRelative(cmp[3]["ln_kaiming"] as! Double, log(5.77120219673867) - 957 * log(10.0) + 0, 1e-13, "Kaiming layer 4 in logs")
        let layers = try #require(j["layers"] as? [[String: Any]])
        for l in layers { expectRelative(l["rate_hz"] as! Double, 20, 1e-11, "the 20 Hz fixed point holds") }
        expectRelative(layers[0]["sigma_w"] as! Double, (4.06693694113573 / 1000).squareRoot(), 1e-12, "σ_w of the 20 Hz fixed point")
        #expect((j["verdict"] as? [String])?.first?.hasPrefix("stable") == true)
        let knife = try plan(["--layers", "1000,1000,1000", "--scheme", "rate-collapse", "--nu", "5Hz"])
        #expect((knife["verdict"] as? [String])?.first?.hasPrefix("knife edge") == true)
    }

    /// --jumps siegmund: the fixed point solved with the jumps' overshoot (σ_w = 0.066233 instead of 0.063773 at
    /// n = 1000, 20 Hz), and the Kaiming column moved with it (8.94 Hz at layer 1, what event-driven layers fire).
    @Test func rateCollapseWithSiegmundJumps() throws {
        let j = try plan(["--layers", "1000,1000,1000", "--scheme", "rate-collapse", "--nu", "20Hz", "--jumps", "siegmund"])
        let layers = try #require(j["layers"] as? [[String: Any]])
        for l in layers { expectRelative(l["rate_hz"] as! Double, 20, 1e-11, "the 20 Hz fixed point holds") }
        expectRelative(layers[0]["sigma_w"] as! Double, 0.06623335491193234, 1e-10, "σ_w of the corrected fixed point")
        let cmp = try #require(j["comparison"] as? [[String: Any]])
        expectRelative(cmp[0]["kaiming"] as! Double, 8.939936223078144, 1e-10, "Kaiming layer 1, corrected")
        #expect(try workbench(["init", "--layers", "10,10", "--scheme", "rate-collapse", "--nu", "5Hz", "--jumps", "lattice"]).code == 2)
    }

    @Test func varianceFlowColumnsReproduceTheLayerTable() throws {
        let j = try plan(["--layers", "1000,1000,1000,1000,1000", "--scheme", "variance-flow"])
        let cmp = try #require(j["comparison"] as? [[String: Any]])
        expectRelative(cmp[0]["kaiming"] as! Double, 0.0379288983836107, 1e-13, "Kaiming P_1")
        expectRelative(cmp[1]["glorot"] as! Double, 2.87058836564745e-38, 1e-12, "Glorot P_2")
        expectRelative(cmp[2]["ln_kaiming"] as! Double, log(2.20889755365975) - 771 * log(10.0), 1e-13, "Kaiming ln P_3")
        for c in cmp { expectRelative(c["micheli"] as! Double, 0.158655253931457, 1e-13, "Micheli P") }
        let layers = try #require(j["layers"] as? [[String: Any]])
        expectRelative(layers[0]["sigma_w"] as! Double, (6.30297437506875 / 1000).squareRoot(), 1e-13, "Micheli σ_w at n = 1000")
    }

    @Test func fluctuationWeightsMeetTheTargetsInEveryLayer() throws {
        let j = try plan(["--layers", "700,256,128,20", "--scheme", "fluctuation", "--nu", "10Hz", "--mu-u", "0.2", "--xi", "2"])
        let layers = try #require(j["layers"] as? [[String: Any]])
        #expect(layers.count == 3)
        var inputRate = 10.0
        for (i, l) in layers.enumerated() {
            let n = Double([700, 256, 128][i]), nuEpsBar = n * inputRate / 1000 * 5, nuEpsHat = n * inputRate / 1000 * 0.5
            expectRelative(l["mean_u"] as! Double, 0.2, 1e-13, "layer \(i + 1) mean_u")
            expectRelative(l["std_u"] as! Double, 0.4, 1e-13, "layer \(i + 1) std_u")
            expectRelative(l["mu_w"] as! Double, 0.2 / nuEpsBar, 1e-13, "layer \(i + 1) mu_w")
            let muW = 0.2 / nuEpsBar
            expectRelative(l["sigma_w"] as! Double, (0.16 / nuEpsHat - muW * muW).squareRoot(), 1e-12, "layer \(i + 1) sigma_w")
            inputRate = l["rate_hz"] as! Double
            #expect(inputRate > 0)
        }
    }

    /// Dale's law per layer: the §6.5 vector at fan-in 200 with 20 % inhibitory inputs (τ_I = 10 ms).
    @Test func daleLambdasPerLayer() throws {
        let j = try plan(["--layers", "200,100", "--scheme", "fluctuation", "--nu", "10Hz", "--xi", "2", "--inh-fraction", "0.2", "--tau-syn-inh", "10ms"])
        let l = try #require((j["layers"] as? [[String: Any]])?.first)
        expectRelative(l["lambda_e"] as! Double, 5.26624470883507, 1e-13, "λ_E")
        expectRelative(l["lambda_i"] as! Double, 2.63312235441753, 1e-13, "λ_I")
        #expect(l["n_exc"] as? Double == 160 && l["n_inh"] as? Double == 40)
        expectRelative(l["std_u"] as! Double, 0.5, 1e-13, "σ_U = θ/ξ")
        let bad = try workbench(["init", "--layers", "200,100", "--scheme", "fluctuation", "--nu", "10", "--xi", "2", "--inh-fraction", "1.5"])
        #expect(bad.code == 2 && bad.stderr.contains("inh_fraction"))
    }

    @Test func badInputIsAClearError() throws {
        for (args, needle) in [([String](), "--layers"), (["--layers", "700", "--scheme", "fluctuation"], "layers"),
                               (["--layers", "700,0", "--scheme", "fluctuation"], "layers"), (["--layers", "10,10", "--scheme", "kaiming"], "scheme"),
                               (["--layers", "10,10", "--scheme", "fluctuation", "--nu", "10"], "--xi"),
                               (["--layers", "10,10", "--scheme", "variance-flow", "--nu", "10"], "does not apply"),
                               (["--layers", "10,10", "--scheme", "fluctuation", "--nu", "10", "--xi", "2", "--bogus", "1"], "Unknown option '--bogus'"),
                               (["--layers", "200,10", "--scheme", "fluctuation", "--nu", "10", "--mu-u", "0.9", "--xi", "3"], "infeasible")] {
            let r = try workbench(["init"] + args)
            #expect(r.code == 2 && r.stderr.contains(needle), "\(args): \(r.code) \(r.stderr)")
        }
    }
}
