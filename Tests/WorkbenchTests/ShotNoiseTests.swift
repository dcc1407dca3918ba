// THEORY §5 (shot noise): every vector of §5.5 and §5.6 at the stated 1e-10, limits, an independent
// quadrature of the unsubstituted integral, and the CLI surface (bad input exits 2 naming the parameter).
import Foundation
import GSLSupport
import ShotNoiseNumerics
import SiegertNumerics
import Testing

/// THEORY §5.5 defaults: τ_m = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms; rates given in 1/ms.
func sn(_ rE: Double, _ aE: Double, rI: Double = 0, aI: Double = 0, theta: Double = 20, vReset: Double = 10,
        tauRef: Double = 2) -> ShotNoiseParameters {
    ShotNoiseParameters(rE: rE, aE: aE, rI: rI, aI: aI, theta: theta, vReset: vReset, tauM: 20, tauRef: tauRef)
}

@Suite struct ShotNoiseVectorTests {
    let ws = IntegrationWorkspace()

    /// (id, parameters, exact ν [Hz], diffusion ν [Hz], Campbell μ, Var, diffusion σ) — THEORY §5.5.
    static let cases: [(String, ShotNoiseParameters, Double, Double, Double, Double, Double)] = [
        ("SN1", sn(2, 0.5), 24.1257041545756, 25.8976464354774, 20, 10, 4.47213595499958),
        ("SN2", sn(0.5, 2), 30.3202403118962, 37.4963841191733, 20, 40, 8.94427190999916),
        ("SN3", sn(3, 0.5, rI: 1, aI: 0.5), 28.6871525326861, 30.8543638128154, 20, 20, 6.32455532033676),
        ("SN4", sn(1, 0.5), 0.0897657065737071, 0.00381860509235833, 10, 5, 3.16227766016838),
        ("SN5", sn(0.02, 2, tauRef: 0), 0.00245576375362805, 2.80860799876541e-48, 0.8, 1.6, 1.78885438199983),
        ("SN6", sn(1, 2, rI: 0.5, aI: 2), 42.7464579075663, 52.9977061069196, 20, 120, 15.4919333848297),
    ]

    @Test("SN1-SN6: exact rate at 1e-10, its log, Campbell moments, diffusion rate and sigma (THEORY §5.5)")
    func rateVectors() throws {
        for (id, p, exact, diffusion, mu, variance, sigma) in Self.cases {
            let r = try ShotNoise.rate(p, workspace: ws)
            expectRelative(r.rateHz, exact, 1e-10, "\(id) exact rate")
            #expect(abs(r.lnRateHz - log(exact)) <= 1e-10, "\(id) ln rate")
            expectRelative(p.freeMean, mu, 1e-14, "\(id) Campbell mean")
            expectRelative(p.freeVariance, variance, 1e-14, "\(id) Campbell variance")
            expectRelative(p.diffusion.sigma, sigma, 1e-14, "\(id) diffusion sigma")
            let d = try ShotNoise.diffusionRate(p, workspace: ws)
            expectRelative(d.rateHz, diffusion, 1e-10, "\(id) diffusion rate")
        }
    }

    @Test("corner: theta = 1e-12, V_r = 0 gives 1/rate = tau_ref + 1/R_e (THEORY §5.5, 333.333333333111 Hz)")
    func thresholdToZeroCorner() throws {
        let r = try ShotNoise.rate(sn(1, 0.5, theta: 1e-12, vReset: 0), workspace: ws)
        expectRelative(r.rateHz, 333.333333333111, 1e-10, "corner")
        expectRelative(r.rateHz, 1000 / 3, 1e-10, "corner limit 1000/(tau_ref + 1/R_e)")
        // The same limit for other R_e, tau_ref and both branches k < 1 and k >= 1.
        for (rE, tauRef) in [(0.01, 0.0), (0.03, 5.0), (0.2, 1.0), (7.0, 2.0)] {
            let q = try ShotNoise.rate(sn(rE, 1.5, theta: 1e-13, vReset: 0, tauRef: tauRef), workspace: ws)
            expectRelative(q.ratePerMs, 1 / (tauRef + 1 / rE), 1e-10, "theta -> 0 at R_e = \(rE)")
        }
    }

    @Test("free densities: Gamma (excitatory only) and Tricomi U (E+I) at 1e-10 (THEORY §5.5)")
    func freeDensityVectors() throws {
        let gamma: [(ShotNoiseParameters, Double, Double)] = [
            (sn(2, 0.5), 20, 0.125894078847184), (sn(2, 0.5), 25, 0.0343994099149248), (sn(0.5, 2), 10, 0.0181327887078219),
        ]
        for (p, v, ref) in gamma { expectRelative(exp(try ShotNoise.lnFreeDensity(at: v, p)), ref, 1e-10, "Gamma(\(p.k), \(p.aE)) at \(v)") }
        let sn3 = sn(3, 0.5, rI: 1, aI: 0.5)
        for (v, ref) in [(-5.0, 8.5013634158171e-9), (0.5, 3.69122631069047e-6), (20.0, 0.0898041466940711), (30.0, 0.00783872443350152)] {
            expectRelative(exp(try ShotNoise.lnFreeDensity(at: v, sn3)), ref, 1e-10, "E+I SN3 P(\(v))")
        }
    }

    /// THEORY §5.6 table: P0 at 2, 5, 15, 19, 19.9; the jump at V_r; ∫v P0; ⟨V⟩_nonref.
    static let thresholded: [(String, ShotNoiseParameters, [Double], Double, Double, Double)] = [
        ("SN1", sn(2, 0.5), [5.02928724307714e-22, 4.12477142884804e-9, 0.127922738786175, 0.0490677313737891, 0.0048477655467078],
         0.0482514083091513, 13.9685739613561, 14.6767477076482),
        ("SN2", sn(0.5, 2), [4.27549429764395e-6, 0.00363918963373944, 0.0786341438335764, 0.0158205563702729, 0.00152350272559428],
         0.0606404806237924, 11.5103327126691, 12.2533837952828),
        ("SN4", sn(1, 0.5), [8.31003473588822e-8, 0.00749369671748571, 0.0175125968005368, 3.18503565109176e-4, 1.89731515460133e-5],
         1.79531413147414e-4, 9.97935388748805, 9.98114581670135),
    ]

    @Test("density with threshold, jump at V_r, first moment and non-refractory mean at 1e-10 (THEORY §5.6)")
    func thresholdedDensityVectors() throws {
        for (id, p, densities, jump, moment, mean) in Self.thresholded {
            let r = try ShotNoise.rate(p, workspace: ws)
            for (v, ref) in zip([2.0, 5, 15, 19, 19.9], densities) {
                expectRelative(exp(try ShotNoise.lnDensityWithThreshold(at: v, p, r, workspace: ws)), ref, 1e-10, "\(id) P0(\(v))")
            }
            expectRelative(ShotNoise.densityJumpAtReset(p, r), jump, 1e-10, "\(id) jump at V_r")
            let below = exp(try ShotNoise.lnDensityWithThreshold(at: p.vReset.nextDown, p, r, workspace: ws))
            let above = exp(try ShotNoise.lnDensityWithThreshold(at: p.vReset.nextUp, p, r, workspace: ws))
            expectRelative(below - above, jump, 1e-8, "\(id) P0(V_r-) - P0(V_r+)")
            expectRelative(ShotNoise.firstMoment(p, r), moment, 1e-10, "\(id) integral of v P0")
            expectRelative(ShotNoise.meanVNonRefractory(p, r), mean, 1e-10, "\(id) mean V non-refractory")
        }
    }

    @Test("density with threshold integrates to 1 - rate tau_ref, vanishes at theta, and its first moment is the closed form")
    func thresholdedDensityNormalisation() throws {
        for (id, p, _, _, _, _) in Self.thresholded + [("V_r = 0", sn(0.7, 1.5, vReset: 0), [], 0, 0, 0), ("k < 1", sn(0.03, 3, vReset: 4), [], 0, 0, 0)] {
            let r = try ShotNoise.rate(p, workspace: ws)
            let inner = IntegrationWorkspace()
            func P(_ v: Double) -> Double { exp((try? ShotNoise.lnDensityWithThreshold(at: v, p, r, workspace: inner)) ?? .nan) }
            let points = p.vReset > 0 ? [0, p.vReset, p.theta] : [0, p.theta]
            let mass = try ws.qagp(points, epsrel: 1e-12) { P($0) }.value
            let moment = try ws.qagp(points, epsrel: 1e-12) { $0 * P($0) }.value
            // V_r = 0: after the refractory period V sits at exactly 0 until the next input (mean 1/R_e),
            // an atom of mass ν/R_e outside P0 (the limit of P0's mass on (0, V_r) as V_r → 0⁺).
            let atom = p.vReset == 0 ? r.ratePerMs / p.rE : 0
            expectRelative(mass + atom, r.nonRefractoryFraction, 1e-9, "\(id): integral of P0 (+ the atom at 0 when V_r = 0)")
            expectRelative(moment, ShotNoise.firstMoment(p, r), 1e-9, "\(id): integral of v P0")
            #expect(P(p.theta.nextDown) < 1e-9 * P(p.theta / 2 + p.vReset / 2), "\(id): P0(theta-) = 0")
        }
    }
}

@Suite struct ShotNoiseIndependentTests {
    let ws = IntegrationWorkspace()

    /// The unsubstituted §5.3 integral τ_m ∫_0^1 dx/x (1−x)^{k−1}(1+ρx)^q [e^{xθ/a} − (1−x) e^{xV_r/a}]
    /// by CQUAD in x directly (a second path: different variable, rule and no log normalisation). For
    /// k < 1 the endpoint singularity is subtracted instead of substituted away:
    /// ∫ s^{k−1} g(1−s) ds = ∫ s^{k−1} [g(1−s) − g(1)] ds + g(1)/k.
    func directRate(_ p: ShotNoiseParameters) throws -> Double {
        let k = p.k, q = p.kI, rho = p.aI / p.aE, ta = p.theta / p.aE, ra = p.vReset / p.aE
        func g(_ x: Double) -> Double {
            let bracket = x < 1e-8 ? (p.theta - p.vReset) / p.aE + 1 : (expm1(x * ta) - expm1(x * ra) + x * exp(x * ra)) / x
            return (q > 0 ? pow(1 + rho * x, q) : 1) * bracket
        }
        let integral: Double
        if k >= 1 {
            integral = try ws.cquad(0, 1, epsrel: 1e-13) { x in pow(1 - x, k - 1) * g(x) }.value
        } else {
            let g1 = g(1)
            integral = try ws.cquad(0, 1, epsrel: 1e-13) { s in pow(s, k - 1) * (g(1 - s) - g1) }.value + g1 / k
        }
        return 1 / (p.tauRef + p.tauM * integral)
    }

    @Test("random sweep: the substituted, normalised integral agrees with direct CQUAD in x to 1e-10")
    func sweepAgainstDirectQuadrature() throws {
        var g = SystemRandomNumberGenerator()
        var worst = 0.0
        for _ in 0..<300 {
            let aE = Double.random(in: 0.2...4, using: &g)
            let theta = Double.random(in: 1...30, using: &g)
            let vReset = Double.random(in: -5...(theta - 0.1), using: &g)
            let rE = Double.random(in: -2.5...1, using: &g)            // log10 of R_e [1/ms]
            let inhibitory = Bool.random(using: &g)
            let p = ShotNoiseParameters(rE: pow(10, rE), aE: aE, rI: inhibitory ? Double.random(in: 0.01...2, using: &g) : 0,
                                        aI: Double.random(in: 0.2...3, using: &g), theta: theta, vReset: vReset, tauM: 20,
                                        tauRef: Double.random(in: 0...3, using: &g))
            // The direct path overflows e^{θ/a}(1−x)^{k−1}... only beyond these ranges; keep θ/a ≤ 150.
            guard theta / aE <= 150 else { continue }
            let direct = try directRate(p)
            let r = try ShotNoise.rate(p, workspace: ws)
            let err = abs(r.ratePerMs - direct) / direct
            worst = max(worst, err)
            #expect(err <= 1e-10, "\(p): \(r.ratePerMs) vs direct \(direct)")
        }
        print("shot-noise sweep: worst relative difference to direct CQUAD \(worst)")
    }

    @Test("mpmath references (50 digits) at hard corners: k << 1, k >> 1, theta/a_e = 2000, strong inhibition")
    func mpmathCorners() throws {
        // (R_e, a_e, R_i, a_i, θ, V_r, τ_ref) → ln ν [ln 1/ms], computed with mpmath.quad at 50 digits
        // from the unsubstituted §5.3 integral in s = 1 − x (tanh-sinh split around the peak; the script
        // reproduces SN1, SN5 and SN6 to 2e-15).
        for (p, lnNu) in Self.mpmathReferences {
            let r = try ShotNoise.rate(p, workspace: ws)
            #expect(abs(r.lnRatePerMs - lnNu) <= 1e-10 * max(1, abs(lnNu)), "\(p): ln rate \(r.lnRatePerMs) vs \(lnNu)")
        }
    }

    static let mpmathReferences: [(ShotNoiseParameters, Double)] = [
        (ShotNoiseParameters(rE: 0.001, aE: 1, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -26.8376786251680037),   // k = 0.02 (the conformance point)
        (ShotNoiseParameters(rE: 0.02, aE: 0.01, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 0), -2000.7522492275818147),   // k = 0.4, theta/a_e = 2000 (rate ~ e^-2000)
        (ShotNoiseParameters(rE: 10, aE: 0.1, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -4.0115215766578310316),   // k = 200
        (ShotNoiseParameters(rE: 0.05, aE: 1, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -20.054435096321073041),   // k = 1 exactly
        (ShotNoiseParameters(rE: 5, aE: 0.5, rI: 4, aI: 0.5, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -4.6219066545796420459),   // strong inhibition, q = 80
        (ShotNoiseParameters(rE: 2.5, aE: 0.004, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -4721.711869026383919),   // k = 50, theta/a_e = 5000
        (ShotNoiseParameters(rE: 1, aE: 0.5, rI: 0, aI: 0, theta: 20, vReset: -10, tauM: 20, tauRef: 2), -9.3232081996693447386),   // V_r < 0
        (ShotNoiseParameters(rE: 5, aE: 0.5, rI: 0, aI: 0, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -2.0751854477348126513),   // suprathreshold mean (100 mV)
        (ShotNoiseParameters(rE: 0.3, aE: 3, rI: 2, aI: 0.2, theta: 15, vReset: 5, tauM: 20, tauRef: 1), -3.8806695687332984315),   // E+I with a_i << a_e
        (ShotNoiseParameters(rE: 0.049, aE: 1, rI: 0.5, aI: 1, theta: 20, vReset: 10, tauM: 20, tauRef: 2), -26.822046887968145327),   // k < 1 with inhibition
    ]

    @Test("Gamma free density: k = 1 is exponential, normalisation for k < 1 and k > 1; E+I density integrates to 1 with mean mu")
    func freeDensityChecks() throws {
        let e = ShotNoiseParameters(rE: 0.05, aE: 2, tauM: 20)          // k = 1
        expectRelative(exp(try ShotNoise.lnFreeDensity(at: 3, e)), exp(-1.5) / 2, 1e-14, "k = 1")
        #expect(try ShotNoise.lnFreeDensity(at: -1, e) == -.infinity)
        for p in [ShotNoiseParameters(rE: 0.02, aE: 1.5, tauM: 20), ShotNoiseParameters(rE: 3, aE: 0.5, rI: 1, aI: 0.5, tauM: 20),
                  ShotNoiseParameters(rE: 0.04, aE: 2, rI: 0.03, aI: 1, tauM: 20)] {
            let f: (Double) -> Double = { v in exp((try? ShotNoise.lnFreeDensity(at: v, p)) ?? .nan) }
            let lower = p.excitatoryOnly ? 0.0 : -200.0
            let mass = try ws.qagp(p.excitatoryOnly ? [0, 1, 400] : [lower, 0, 400], epsrel: 1e-11, f).value
            let mean = try ws.qagp(p.excitatoryOnly ? [0, 1, 400] : [lower, 0, 400], epsrel: 1e-11) { $0 * f($0) }.value
            expectRelative(mass, 1, 1e-9, "normalisation k = \(p.k), k_i = \(p.kI)")
            expectRelative(mean, p.freeMean, 1e-8, "mean k = \(p.k), k_i = \(p.kI)")
        }
    }

    @Test("the diffusion approximation approaches the exact rate as jumps shrink at fixed mu and Var-scaled input")
    func diffusionLimit() throws {
        // μ = 15 mV fixed, a_e → 0 with R_e = μ/(τ a_e): the shot noise becomes white noise of vanishing σ... keep σ fixed
        // instead with E+I: R_e a_e − R_i a_i = μ/τ, R_e a_e² + R_i a_i² = Var/τ, a_e = a_i = a.
        var previous = Double.infinity
        for a in [1.0, 0.3, 0.1, 0.03] {
            let mu = 15.0, variance = 12.5
            let sum = variance / (20 * a * a), diff = mu / (20 * a)        // R_e + R_i, R_e − R_i
            let p = ShotNoiseParameters(rE: (sum + diff) / 2, aE: a, rI: (sum - diff) / 2, aI: a, tauM: 20)
            let exact = try ShotNoise.rate(p, workspace: ws).rateHz
            let diffusion = try ShotNoise.diffusionRate(p, workspace: ws).rateHz
            let err = abs(diffusion - exact) / exact
            #expect(err < previous, "diffusion error should shrink with a: \(err) at a = \(a)")
            previous = err
        }
        #expect(previous < 0.02)
    }
}

@Suite struct ShotNoiseCLITests {
    func csv(_ r: ProcessResult) -> [String: String] {
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard lines.count >= 2 else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(lines[0], lines[1]))
    }

    @Test("eval shot-noise: Hz at the boundary, SN2 and SN3 outputs through the ABI, E+I marks the section 5.6 outputs not applicable")
    func evalThroughTheCLI() throws {
        let sn2 = try workbench(["eval", "shot-noise", "500", "2", "--v", "15", "--format", "csv"])
        #expect(sn2.code == 0, "\(sn2.stderr)")
        let o = csv(sn2)
        expectRelative(Double(o["rate_hz"] ?? "") ?? .nan, 30.3202403118962, 1e-10, "SN2 rate")
        expectRelative(Double(o["density_per_mv"] ?? "") ?? .nan, 0.0786341438335764, 1e-10, "SN2 P0(15)")
        expectRelative(Double(o["mean_v_mv"] ?? "") ?? .nan, 12.2533837952828, 1e-10, "SN2 mean V")
        expectRelative(Double(o["diffusion_rate_hz"] ?? "") ?? .nan, 37.4963841191733, 1e-10, "SN2 diffusion")
        expectRelative(Double(o["diffusion_model_error"] ?? "") ?? .nan, 1 - 30.3202403118962 / 37.4963841191733, 1e-9, "SN2 diffusion error, relative to the diffusion rate")
        let khz = try workbench(["eval", "shot-noise", "0.5kHz", "2", "--outputs", "rate_hz", "--format", "csv"])
        #expect(csv(khz)["rate_hz"] == o["rate_hz"], "0.5kHz and 500 Hz differ")
        let sn3 = try workbench(["eval", "shot-noise", "3kHz", "0.5", "--r-i", "1kHz", "--a-i", "0.5", "--v", "30", "--format", "json"])
        #expect(sn3.code == 0, "\(sn3.stderr)")
        #expect(sn3.stdout.contains("\"not_applicable\""), "\(sn3.stdout)")
        #expect(sn3.stdout.contains("density_per_mv") && sn3.stdout.contains("mean_v_mv"))
        #expect(sn3.stdout.contains("0.0078387244335"), "E+I free density P(30) = 0.00783872443350152: \(sn3.stdout)")
    }

    @Test("bad input exits 2 and names the parameter: a_e <= 0, r_e < 0, theta <= 0, v_reset >= theta, v_reset < 0 for the density, a_i missing")
    func badInput() throws {
        let cases: [([String], String)] = [
            (["2000", "0"], "a_e"), (["2000", "-1"], "a_e"), (["-5", "0.5"], "r_e"), (["0", "0.5"], "r_e"),
            (["2000", "0.5", "--theta", "0"], "theta"), (["2000", "0.5", "--theta", "-3"], "theta"),
            (["2000", "0.5", "--v-reset", "20"], "v_reset"), (["2000", "0.5", "--v-reset", "25"], "v_reset"),
            (["2000", "0.5", "--v-reset", "-1", "--v", "3"], "v_reset"), (["2000", "0.5", "--r-i", "100"], "a_i"),
            (["2000", "0.5", "--r-i", "-1", "--a-i", "1"], "r_i"), (["2000", "0.5", "--tau-m", "0"], "tau_m"),
        ]
        for (args, name) in cases {
            let r = try workbench(["eval", "shot-noise"] + args)
            #expect(r.code == 2, "\(args): exit \(r.code)")
            #expect(r.stderr.contains("'\(name)'"), "\(args): message does not name \(name): \(r.stderr)")
        }
        // v_reset < 0 is fine for the rate (THEORY §5.3 allows it); only §5.6 needs v_reset >= 0.
        let rate = try workbench(["eval", "shot-noise", "1000", "0.5", "--v-reset", "-10", "--format", "csv"])
        #expect(rate.code == 0, "\(rate.stderr)")
        #expect(abs((Double(csv(rate)["ln_rate_hz"] ?? "") ?? .nan) - (-9.3232081996693447386 + log(1000.0))) < 1e-10)
    }
}
