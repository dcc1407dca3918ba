// THEORY §3: the `wiener` estimator's vectors (§3.4, every one at 1e-12 relative or better, corners
// included), a 1500-point sweep against mpmath at 200 digits (Tests/Fixtures/wiener_reference.py),
// continuity where the stable forms switch branch, and bad input through the CLI.
import Foundation
import GSLSupport
import Testing
import WienerNumerics

struct WienerVectorTests {
    // W1: a = 10, m = 0.5, s = 1, τ_ref = 2.
    @Test("W1 moments and ISI rate/CV")
    func w1Moments() throws {
        let mo = try #require(Wiener.moments(a: 10, m: 0.5, s: 1, tauRef: 2))
        expectRelative(mo.mean, 20.0, 1e-15, "W1 E[T]")
        expectRelative(mo.variance, 80.0, 1e-15, "W1 Var[T]")
        expectRelative(mo.cv, 0.447213595499958, 1e-13, "W1 CV_FPT")
        expectRelative(mo.rateHz, 45.4545454545455, 1e-13, "W1 rate Hz")
        expectRelative(mo.cvISI, 0.406557814090871, 1e-13, "W1 CV_ISI")
        expectRelative(exp(mo.lnRateHz), mo.rateHz, 1e-15, "W1 ln rate")
    }

    @Test("W1 density and CDF at t = 1, 10, 20, 50", arguments: [
        (1.0, 1.00779353943e-19, 2.00077595680405e-21), (10, 0.0361444785336363, 0.0800667526058715),
        (20, 0.0446031029038193, 0.585288859162986), (50, 0.00118930289223629, 0.991236488677933),
    ])
    func w1DensityCDF(_ t: Double, _ f: Double, _ cdf: Double) {
        let r = Wiener.firstPassage(t: t, a: 10, m: 0.5, s: 1)
        // f(1) is printed to 12 digits in THEORY; the mpmath value to 20 is 1.0077935394300010396e-19.
        expectRelative(r.density, f, t == 1 ? 1e-11 : 1e-12, "W1 f(\(t))")
        expectRelative(r.cdf, cdf, 1e-12, "W1 F(\(t))")
        expectRelative(r.cdf + r.survival, 1, 2e-16, "F + S = 1 at t = \(t)")
    }

    @Test("W1 tail: S(200) and ln S(1000)")
    func w1Tail() {
        expectRelative(Wiener.firstPassage(t: 200, a: 10, m: 0.5, s: 1).survival, 1.72743293328179e-11, 1e-12, "W1 S(200)")
        let r = Wiener.firstPassage(t: 1000, a: 10, m: 0.5, s: 1)
        expectRelative(r.lnSurvival, -126.95999178352, 1e-13, "W1 ln S(1000)")
        expectRelative(log(r.survival), -126.95999178352, 1e-13, "W1 S(1000) itself")
    }

    @Test("W2 (m = 0): F(50), f(50)")
    func w2() {
        let r = Wiener.firstPassage(t: 50, a: 10, m: 0, s: 1)
        expectRelative(r.cdf, 0.157299207050285, 1e-12, "W2 F(50)")
        expectRelative(r.density, 0.00415107497420595, 1e-12, "W2 f(50)")
        expectRelative(r.cdf, GSL.erfc(10 / (100.0).squareRoot()), 1e-15, "W2 F = erfc(a/(s√(2t)))")
        #expect(Wiener.moments(a: 10, m: 0, s: 1, tauRef: 0) == nil)
        #expect(Wiener.hitProbability(a: 10, m: 0, s: 1).p == 1)
    }

    @Test("W3 (m = −0.2): P(ever), F(100), F(1e6) = P(ever)")
    func w3() {
        let hit = Wiener.hitProbability(a: 10, m: -0.2, s: 1)
        expectRelative(hit.p, 0.0183156388887342, 1e-13, "W3 P(ever)")
        #expect(hit.ln == -4)
        expectRelative(Wiener.firstPassage(t: 100, a: 10, m: -0.2, s: 1).cdf, 0.0167596645815553, 1e-12, "W3 F(100)")
        let far = Wiener.firstPassage(t: 1e6, a: 10, m: -0.2, s: 1)
        expectRelative(far.cdf, 0.0183156388887342, 1e-13, "W3 F(1e6)")
        expectRelative(far.survival, 1 - 0.0183156388887342, 1e-13, "W3 S(1e6) = 1 − P(ever)")
    }

    @Test("Two barriers a = 10, b = 5, s = 1: m = 0.1, 0, −0.1", arguments: [
        (0.1, 0.665240955774822, 49.7861433662233), (0.0, 1.0 / 3, 50.0), (-0.1, 0.0900305731703805, 36.4954140244429),
    ])
    func twoBarriers(_ m: Double, _ pUp: Double, _ meanExit: Double) {
        let e = Wiener.exit(a: 10, b: 5, m: m, s: 1)
        expectRelative(e.pUp, pUp, 1e-13, "P_up m=\(m)")
        expectRelative(e.pDown, 1 - pUp, 1e-13, "P_down m=\(m)")
        expectRelative(e.meanTime, meanExit, 1e-13, "E[T] m=\(m)")
        expectRelative(exp(e.lnPUp), e.pUp, 1e-15, "ln P_up")
        expectRelative(exp(e.lnPDown), e.pDown, 1e-15, "ln P_down")
    }

    @Test("Corners: ln P_up = −10000 (m = −5, s = 0.1), ln P_down = −5000 (m = +5)")
    func twoBarrierCorners() {
        let down = Wiener.exit(a: 10, b: 5, m: -5, s: 0.1)
        #expect(down.pUp == 0 && down.pDown == 1)
        expectRelative(down.lnPUp, -10000.0, 1e-15, "ln P_up")
        #expect(down.lnPDown == 0 || abs(down.lnPDown) < 1e-300)
        expectRelative(down.meanTime, 1.0, 1e-15, "E[T] = b/|m| when the lower barrier always wins")
        let up = Wiener.exit(a: 10, b: 5, m: 5, s: 0.1)
        #expect(up.pDown == 0 && up.pUp == 1)
        expectRelative(up.lnPDown, -5000.0, 1e-15, "ln P_down")
        expectRelative(up.meanTime, 2.0, 1e-15, "E[T] = a/m")
    }

    @Test("Running maximum T = 20, s = 1, m = 0.5: P(M ≥ 5, 10, 15), E[M]; m = −0.5, 0: E[M]")
    func runningMaximum() {
        for (y, ref) in [(5.0, 0.927309277888911), (10, 0.585288859162986), (15, 0.168854657261174)] {
            let c = Wiener.maximumCDF(y: y, t: 20, m: 0.5, s: 1)
            expectRelative(c.atOrAbove, ref, 1e-12, "P(M ≥ \(y))")
            expectRelative(c.below, 1 - ref, 1e-12, "P(M < \(y))")
        }
        expectRelative(Wiener.meanMaximum(t: 20, m: 0.5, s: 1), 10.9943659135545, 1e-13, "E[M] m=0.5")
        expectRelative(Wiener.meanMaximum(t: 20, m: -0.5, s: 1), 0.994365913554455, 1e-13, "E[M] m=-0.5")
        expectRelative(Wiener.meanMaximum(t: 20, m: 0, s: 1), 3.56824823230554, 1e-13, "E[M] m=0")
    }
}

struct WienerSweepTests {
    struct Row { var v: [String: Double] }

    static func reference() throws -> [Row] {
        let text = try String(contentsOfFile: packageRoot + "/Tests/Fixtures/wiener_reference.csv", encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        return lines.map { line in
            let cells = line.split(separator: ",").map { Double($0) ?? -.infinity }
            return Row(v: Dictionary(uniqueKeysWithValues: zip(header, cells)))
        }
    }

    /// Relative error, with values below the double range compared through their logs instead.
    static func rel(_ x: Double, _ ref: Double) -> Double {
        if ref == 0 || ref < 0x1p-1000 { return 0 }
        return abs(x - ref) / abs(ref)
    }

    @Test("1500 random points vs mpmath at 200 digits: F, S, ln S, f, P_up, P_down, logs, E[exit], P(M<y), E[M]")
    func sweepAgainstMpmath() throws {
        let rows = try Self.reference()
        #expect(rows.count == 1500)
        var worst: [String: (Double, String)] = [:]
        func note(_ k: String, _ e: Double, _ r: Row) {
            if e > (worst[k]?.0 ?? -1) { worst[k] = (e, "m=\(r.v["m"]!) s=\(r.v["s"]!) a=\(r.v["a"]!) t=\(r.v["t"]!) b=\(r.v["b"]!) y=\(r.v["y"]!)") }
        }
        let ws = IntegrationWorkspace()
        for r in rows {
            let m = r.v["m"]!, s = r.v["s"]!, a = r.v["a"]!, t = r.v["t"]!, b = r.v["b"]!, y = r.v["y"]!
            let f = Wiener.firstPassage(t: t, a: a, m: m, s: s, workspace: ws)
            note("density", Self.rel(f.density, r.v["density"]!), r)
            note("cdf", Self.rel(f.cdf, r.v["cdf"]!), r)
            note("survival", Self.rel(f.survival, r.v["survival"]!), r)
            let lnS = r.v["ln_survival"]!
            note("ln_survival", abs(f.lnSurvival - lnS) / max(1, abs(lnS)), r)
            let lnF = r.v["ln_cdf"]!
            if lnF.isFinite { note("ln_cdf", abs(f.lnCDF - lnF) / max(abs(lnF), 1e-200), r) }
            let e = Wiener.exit(a: a, b: b, m: m, s: s)
            note("p_up", Self.rel(e.pUp, r.v["p_up"]!), r)
            note("p_down", Self.rel(e.pDown, r.v["p_down"]!), r)
            note("ln_p_up", abs(e.lnPUp - r.v["ln_p_up"]!) / max(1, abs(r.v["ln_p_up"]!)), r)
            note("ln_p_down", abs(e.lnPDown - r.v["ln_p_down"]!) / max(1, abs(r.v["ln_p_down"]!)), r)
            note("mean_exit", Self.rel(e.meanTime, r.v["mean_exit"]!), r)
            note("max_cdf", Self.rel(Wiener.maximumCDF(y: y, t: t, m: m, s: s, workspace: ws).below, r.v["max_cdf"]!), r)
            note("mean_max", Self.rel(Wiener.meanMaximum(t: t, m: m, s: s), r.v["mean_max"]!), r)
        }
        for (k, w) in worst.sorted(by: { $0.key < $1.key }) { print("wiener sweep worst \(k): \(w.0) at \(w.1)") }
        // Tolerances: the THEORY default 1e-12; logs absolute below |ln| = 1, relative above.
        for (k, w) in worst { #expect(w.0 <= 1e-12, "\(k): worst relative error \(w.0) at \(w.1)") }
    }
}

struct WienerContinuityTests {
    @Test("Mean exit time is continuous through m = 0 and across the |κ|(a+b) = 1 branch switch")
    func meanExitContinuity() {
        let zero = Wiener.exit(a: 10, b: 5, m: 0, s: 1).meanTime
        #expect(zero == 50)
        for m in [1e-300, 1e-200, 1e-12, 1e-8, 1e-6] {
            for sign in [1.0, -1.0] {
                let e = Wiener.exit(a: 10, b: 5, m: sign * m, s: 1).meanTime
                // E[T] = ab/s² + O(m): the slope is (a b (b − a))/(3 s⁴)·2/s²·... bounded by 100 here.
                #expect(abs(e - zero) <= 100 * m + 1e-13, "m = \(sign * m): \(e)")
            }
        }
        // Both forms agree where the switch happens (κ(a+b) = 1 ⇔ m = s²/(2(a+b))).
        let mSwitch = 1.0 / 30
        for m in [mSwitch * (1 - 1e-12), mSwitch * (1 + 1e-12), -mSwitch * (1 - 1e-12), -mSwitch * (1 + 1e-12)] {
            let below = Wiener.exit(a: 10, b: 5, m: m, s: 1).meanTime
            let p = Wiener.exit(a: 10, b: 5, m: m, s: 1)
            let direct = (10 * p.pUp - 5 * p.pDown) / m
            expectRelative(below, direct, 1e-12, "both forms of E[T] at m = \(m)")
        }
    }

    @Test("E[M_t] is continuous through m = 0 and P_up tends to b/(a+b)")
    func meanMaxAndPUpContinuity() {
        let zero = Wiener.meanMaximum(t: 20, m: 0, s: 1)
        expectRelative(zero, (2 * 20 / Double.pi).squareRoot(), 1e-15, "s√(2T/π)")
        for m in [1e-300, 1e-100, 1e-12, 1e-8] {
            for sign in [1.0, -1.0] {
                let e = Wiener.meanMaximum(t: 20, m: sign * m, s: 1)
                // dE/dm at 0 is T/2 = 10.
                #expect(abs(e - zero - sign * m * 10) <= 1e-14 * zero + 20 * m * m, "m = \(sign * m): \(e) vs \(zero)")
            }
            let e = Wiener.exit(a: 10, b: 5, m: m, s: 1)
            expectRelative(e.pUp, 1.0 / 3, 20 * m + 1e-15, "P_up at m = \(m)")
            expectRelative(e.pUp + e.pDown, 1, 2e-16, "P_up + P_down")
        }
    }

    @Test("Survival: erfcx-difference branches (series above 26, quadrature when close) agree with the reference forms")
    func survivalBranches() throws {
        // Small a relative to s√t: the plain erfcx difference would lose ~5 digits (ln S vs mpmath).
        // mpmath: m = 1, s = 1, a = 0.001, t = 100 → S = 1.4964077033320726e-28 (S = Φ(−z1) − e^{κa}Φ(−z2)).
        let r = Wiener.firstPassage(t: 100, a: 0.001, m: 1, s: 1)
        expectRelative(r.survival, 1.4964077033320726e-28, 1e-12, "quadrature branch")
        // Far tail (w1 > 26): t = 1e4, a = 10, m = 0.5, s = 1.
        let far = Wiener.firstPassage(t: 1e4, a: 10, m: 0.5, s: 1)
        expectRelative(far.lnSurvival, -1255.3586167920431, 1e-14, "series branch ln S(1e4)")
        #expect(far.survival == 0 && far.lnSurvival.isFinite)
        // F + S = 1 and the densities integrate: spot check F(t2) − F(t1) = ∫ f by QAG.
        let ws = IntegrationWorkspace()
        for (m, s, a) in [(0.5, 1.0, 10.0), (-0.3, 2.0, 1.0), (0.0, 0.5, 3.0), (3.0, 0.2, 0.5)] {
            let q = try ws.qag(0.5, 7) { Wiener.firstPassage(t: $0, a: a, m: m, s: s).density }
            let f1 = Wiener.firstPassage(t: 0.5, a: a, m: m, s: s), f2 = Wiener.firstPassage(t: 7, a: a, m: m, s: s)
            // F(7) − F(0.5) from the survivals when both CDFs are near 1 (the difference of two values near 1 cancels).
            let d = f1.cdf > 0.5 ? f1.survival - f2.survival : f2.cdf - f1.cdf
            expectRelative(q.value, d, 1e-12, "∫f = ΔF at m=\(m) s=\(s) a=\(a)")
        }
    }
}

struct WienerCLITests {
    private func json(_ args: [String]) throws -> [String: Any] {
        let r = try workbench(["eval", "wiener"] + args + ["--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return j
    }

    @Test("CLI: W1 point, outputs not applicable without t/b/y and for m ≤ 0, plain numbers for mV/ms units")
    func cliOutputsAndNotApplicable() throws {
        let j = try json(["0.5", "1", "10", "--tau-ref", "2", "--t", "20", "--b", "5", "--y", "10"])
        let out = try #require(j["outputs"] as? [String: Any])
        expectRelative(out["fpt_cdf"] as! Double, 0.585288859162986, 1e-12, "F(20)")
        expectRelative(out["max_cdf"] as! Double, 1 - 0.585288859162986, 1e-12, "P(M<10)")
        expectRelative(out["rate_hz"] as! Double, 45.4545454545455, 1e-13, "rate")
        expectRelative(out["cv"] as! Double, 0.406557814090871, 1e-13, "CV ISI")
        #expect((j["not_applicable"] as? [String])?.isEmpty != false)

        let bare = try json(["0.5mV/ms", "1", "10"])
        let na = Set(bare["not_applicable"] as? [String] ?? [])
        #expect(na.isSuperset(of: ["fpt_cdf", "fpt_survival", "p_up", "mean_exit_ms", "max_cdf", "mean_max_mv"]), "\(na)")
        #expect(!na.contains("mean_fpt_ms") && !na.contains("rate_hz"))

        let zero = try json(["0", "1", "10", "--t", "50"])
        let naZero = Set(zero["not_applicable"] as? [String] ?? [])
        #expect(naZero.isSuperset(of: ["cv_fpt", "cv"]), "\(naZero)")
        let oz = try #require(zero["outputs"] as? [String: Any])
        // Infinite by theory is a value (JSON: the string "inf"), not "not applicable".
        #expect(naZero.isDisjoint(with: ["mean_fpt_ms", "var_fpt_ms2", "ln_rate_hz"]), "\(naZero)")
        #expect(oz["mean_fpt_ms"] as? String == "inf" && oz["var_fpt_ms2"] as? String == "inf")
        #expect(oz["ln_rate_hz"] as? String == "-inf")
        #expect(oz["rate_hz"] as? Double == 0 && oz["p_hit_ever"] as? Double == 1)
        expectRelative(oz["fpt_cdf"] as! Double, 0.157299207050285, 1e-12, "W2 via CLI")

        let corner = try json(["-5", "0.1", "10", "--b", "5"])
        let oc = try #require(corner["outputs"] as? [String: Any])
        // κ = 2m/s² with s² = 0.010000000000000002 in binary: −10000 to 2e-16.
        expectRelative(try #require(oc["ln_p_up"] as? Double), -10000, 1e-15, "corner ln P_up via CLI")
        #expect(oc["p_up"] as? Double == 0)
    }

    @Test("CLI: s ≤ 0, a ≤ 0, b ≤ 0, t ≤ 0, y ≤ 0 and y without t exit 2 naming the parameter")
    func cliBadInput() throws {
        let cases: [([String], String)] = [
            (["0.5", "0", "10"], "'s'"), (["0.5", "-1", "10"], "'s'"), (["0.5", "1", "0"], "'a'"), (["0.5", "1", "-3"], "'a'"),
            (["0.5", "1", "10", "--b", "0"], "'b'"), (["0.5", "1", "10", "--t", "0"], "'t'"), (["0.5", "1", "10", "--t", "-1"], "'t'"),
            (["0.5", "1", "10", "--t", "5", "--y", "0"], "'y'"), (["0.5", "1", "10", "--y", "3"], "'y'"),
            (["0.5", "1", "10", "--tau-ref", "-1"], "'tau_ref'"), (["0.5mV", "1", "10"], "'m'"),
        ]
        for (args, name) in cases {
            let r = try workbench(["eval", "wiener"] + args)
            #expect(r.code == 2 && r.stderr.contains(name), "\(args): exit \(r.code), \(r.stderr)")
        }
    }

    @Test("CLI: validate wiener agrees at the §9.3 point and at a two-barrier point (exit 0); bad simulator options exit 2")
    func cliValidate() throws {
        let w1 = try workbench(["validate", "wiener", "0.5", "1", "10", "--tau-ref", "2", "--t", "20", "--y", "10", "--seed", "3", "--format", "json"])
        #expect(w1.code == 0, "\(w1.stdout)\(w1.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(w1.stdout.utf8)) as? [String: Any])
        #expect(j["all_agree"] as? Bool == true)
        let compared = (j["quantities"] as? [[String: Any]] ?? []).filter { $0["verdict"] as? String == "agree" }.map { $0["quantity"] as? String ?? "" }
        #expect(Set(compared).isSuperset(of: ["fpt_cdf", "mean_fpt_ms", "cv_fpt", "rate_hz", "cv", "max_cdf", "mean_max_mv"]), "\(compared)")
        let two = try workbench(["validate", "wiener", "-0.1", "1", "10", "--b", "5", "--t", "30", "--seed", "3", "--precision", "0.01"])
        #expect(two.code == 0 && two.stdout.contains("p_up") && two.stdout.contains("mean_exit_ms"), "\(two.stdout)\(two.stderr)")
        let bad = try workbench(["simulate", "wiener", "0.5", "1", "1", "--b", "1", "--dt", "1"])
        #expect(bad.code == 2 && bad.stderr.contains("'dt'"), "\(bad.stderr)")
        let scheme = try workbench(["simulate", "wiener", "0.5", "1", "1", "--scheme", "exact"])
        #expect(scheme.code == 2 && scheme.stderr.contains("'scheme'"), "\(scheme.stderr)")
    }
}
