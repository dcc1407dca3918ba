// linear-response: exact limits (f → 0: the Siegert gain and ν0 CV²; f → ∞: the asymptotes), a random sweep
// against four times shorter steps, the 30-digit reference of Tests/Fixtures/linear_response_reference.py,
// and the command line: modulated simulations, their determinism and `validate`.
import Foundation
import GSLSupport
import LinearResponseNumerics
import SiegertNumerics
import Testing
import WorkbenchCore

struct LinearResponseNumericsTests {
    func relative(_ p: LIFParameters, f: Double, rho: Double = 3) throws -> LinearResponse.Result {
        try LinearResponse.relative(yTheta: p.yTheta, yReset: p.yReset, omegaTauM: 2 * .pi * f * p.tauM / 1000,
                                    phase: 2 * .pi * f * p.tauRef / 1000, sigma: p.sigma, rho: rho)
    }

    static let regimes: [(mu: Double, sigma: Double, tauRef: Double)] = [
        (15, 5, 2), (22, 3, 2), (20, 4, 0), (30, 2, 2), (10, 4, 2), (0, 2, 2), (40, 1, 0), (-20, 2, 2),
    ]

    /// f → 0: ν1/ν0 → ∂ln ν/∂μ and ∂ln ν/∂σ² (THEORY §1.7, closed forms), S/ν0 → CV² (§1.3).
    @Test(arguments: regimes)
    func lowFrequencyIsTheStaticGain(_ r: (mu: Double, sigma: Double, tauRef: Double)) throws {
        let p = LIFParameters(mu: r.mu, sigma: r.sigma, tauRef: r.tauRef)
        let rate = try Siegert.rate(p)
        let g = Siegert.logGain(p, rate)
        let lr = try relative(p, f: 1e-7)
        #expect(abs(lr.relativeMu.real / g.dMu - 1) < 1e-12, "mu-gain at \(r)")
        #expect(abs(lr.relativeSigma2.real / (g.dSigma / (2 * p.sigma)) - 1) < 1e-12, "sigma^2-gain at \(r)")
        let cv = try Siegert.cv(p, rate, workspace: IntegrationWorkspace())
        // S(0)/ν0 = CV² is formed as 1 + 2 Re[...] - a difference: relative to CV² it keeps ~1e-13/CV².
        #expect(abs(lr.relativeSpectrum / (cv * cv) - 1) < 1e-12 / (cv * cv), "S(0) = nu0 CV^2 at \(r)")
    }

    /// f → ∞: ν1_μ → ν0 √2/(σ √(iωτ_m)) (amplitude and phase -π/4), ν1_σ² → ν0/σ² (the noise's flux through
    /// θ, -p0'(θ) ε/(2σ²), passes instantly), S → ν0. The approach is O(|y_θ|/√(ωτ_m)): the deviation at 1e6 Hz is
    /// small or shrinks by √10 from 1e6 to 1e7 Hz.
    @Test(arguments: regimes)
    func highFrequencyAsymptotes(_ r: (mu: Double, sigma: Double, tauRef: Double)) throws {
        let p = LIFParameters(mu: r.mu, sigma: r.sigma, tauRef: r.tauRef)
        func deviations(_ f: Double) throws -> [Double] {
            let lr = try relative(p, f: f)
            let wTau = 2 * Double.pi * f * p.tauM / 1000
            #expect(abs(lr.relativeSpectrum - 1) < 1e-9, "\(r)")
            return [abs(lr.relativeMu.length * p.sigma * wTau.squareRoot() / 2.0.squareRoot() - 1),
                    abs(lr.relativeMu.phase + .pi / 4), (lr.relativeSigma2.multiplied(by: p.sigma * p.sigma) - 1).length]
        }
        let d6 = try deviations(1e6), d7 = try deviations(1e7)
        for k in 0..<3 { #expect(d6[k] < 2e-3 || d7[k] < d6[k] / 2.5, "\(r): \(d6) at 1 MHz, \(d7) at 10 MHz") }
    }

    /// A random sweep: ρ = 3 (the production step) against ρ = 0.5 (six times shorter steps).
    @Test func randomSweepAgainstShortSteps() throws {
        var g = SystemRandomNumberGenerator()
        var worst = 0.0, worstModerate = 0.0      // all points; points with |y_θ|, |y_r| ≤ 30
        for _ in 0..<300 {
            let sigma = pow(10, Double.random(in: -0.5...1.3, using: &g))
            let mu = Double.random(in: -10...45, using: &g)
            let f = pow(10, Double.random(in: -1...4, using: &g))
            let p = LIFParameters(mu: mu, sigma: sigma, tauRef: Bool.random(using: &g) ? 0 : 2)
            let a = try relative(p, f: f), b = try relative(p, f: f, rho: 0.5)
            var d = 0.0
            for (x, y) in [(a.relativeMu, b.relativeMu), (a.relativeSigma2, b.relativeSigma2)] {
                d = max(d, (x - y).length / y.length)
            }
            // S/ν0 = 1 + 2 Re[E j_r/j_a]: a small CV² (mean-driven, small σ) is a difference of O(1) terms.
            d = max(d, abs(a.relativeSpectrum - b.relativeSpectrum) / max(b.relativeSpectrum, 1e-2))
            if d > 2e-11 { print("sweep: mu \(mu) sigma \(sigma) f \(f) tau_ref \(p.tauRef): \(d)") }
            worst = max(worst, d)
            if abs(p.yTheta) <= 30 && abs(p.yReset) <= 30 { worstModerate = max(worstModerate, d) }
        }
        // Beyond |y| = 30 the rate is below e^{-900} and the response is made within 1/|y_θ| of threshold.
        #expect(worstModerate < 2e-11 && worst < 1e-10, "largest relative differences \(worstModerate), \(worst)")
    }

    /// Every row of the 30-digit reference (mpmath parabolic cylinder functions, an independent method).
    @Test func thirtyDigitReference() throws {
        let path = packageRoot + "/Tests/Fixtures/linear_response_reference.csv"
        let table = CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
        let h = table[0]
        let col = { (n: String) in h.firstIndex(of: n)! }
        var worst = (mu: 0.0, sigma2: 0.0, spectrum: 0.0, ln: 0.0)
        for row in table.dropFirst() where row.count == h.count {
            let v = { (n: String) in Double(row[col(n)])! }
            let p = LIFParameters(mu: v("mu"), sigma: v("sigma"), theta: v("theta"), vReset: v("v_reset"),
                                  tauM: v("tau_m"), tauRef: v("tau_ref"))
            let lr = try relative(p, f: v("f_hz"))
            let rel = LinearResponse.C(v("mu_rel_re"), v("mu_rel_im"))
            worst.mu = max(worst.mu, (lr.relativeMu - rel).length / rel.length)
            let lnRate = try Siegert.rate(p).lnRateHz
            worst.ln = max(worst.ln, abs(lnRate + log(lr.relativeMu.length) - v("ln_mu_abs")))
            if v("rate_hz") > 1e-200 {
                let s2 = LinearResponse.C(v("sigma2_re"), v("sigma2_im")).divided(by: v("rate_hz"))
                worst.sigma2 = max(worst.sigma2, (lr.relativeSigma2 - s2).length / s2.length)
                worst.spectrum = max(worst.spectrum, abs(lr.relativeSpectrum - v("spectrum_hz") / v("rate_hz")) / (v("spectrum_hz") / v("rate_hz")))
            }
        }
        print("linear-response vs 30-digit reference (\(table.count - 1) rows), worst relative errors: \(worst)")
        #expect(worst.mu < 1e-10 && worst.sigma2 < 1e-10 && worst.spectrum < 1e-10 && worst.ln < 1e-10, "\(worst)")
    }
}

struct LinearResponseCommandTests {
    @Test func zeroFrequencyIsSiegertsGain() throws {
        let lr = try workbench(["eval", "linear-response", "15", "5", "--f", "0", "--format", "csv",
                                "--outputs", "response_mu_re_hz_per_mv,response_sigma2_re_hz_per_mv2,spectrum_hz"])
        let s = try workbench(["eval", "siegert", "15", "5", "--format", "csv", "--outputs", "drate_dmu_hz_per_mv,drate_dsigma_hz_per_mv,cv,rate_hz"])
        #expect(lr.code == 0 && s.code == 0)
        let a = CSV.parse(lr.stdout)[1], b = CSV.parse(s.stdout)[1]
        let n = { (x: String) in Double(x)! }
        #expect(abs(n(a[7]) / n(b[7]) - 1) < 1e-14)                       // drate/dmu, Hz/mV
        #expect(abs(n(a[8]) / (n(b[8]) / 10) - 1) < 1e-14)                // d rate/d sigma^2 = (d rate/d sigma)/(2 sigma)
        #expect(abs(n(a[9]) / (n(b[10]) * n(b[9]) * n(b[9])) - 1) < 1e-12)  // rate CV^2
    }

    @Test func badModulationsAreNamed() throws {
        for (args, needle) in [
            (["--modulate", "mu:0:10"], "amplitude = 0 mV"),
            (["--modulate", "sigma2:30:10"], "< sigma^2 = 25"),
            (["--modulate", "mu:1:0.1", "--time", "2000"], "no whole period"),
            (["--modulate", "mu:1:1000"], "<= 500 Hz"),
            (["--modulate", "theta:1:10"], "expected mu:EPS:F"),
            (["--spectrum", "10,-1"], "frequency = -1 Hz"),
        ] {
            let r = try workbench(["simulate", "lif-white", "15", "5", "--neurons", "160", "--time", "500"] + args)
            #expect(r.code == 2 && r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }

    /// A modulated run and its spectra are a function of the seed only: 1 and 2 threads give the same bytes.
    @Test func modulatedRunsAreDeterministic() throws {
        for model in [["lif-white", "15", "5"], ["lif-colored", "15", "5", "--tau-s", "1"]] {
            let args = ["simulate"] + model + ["--modulate", "mu:0.5:10", "--spectrum", "5,50", "--neurons", "320",
                                               "--time", "1000", "--format", "csv", "--seed", "9"]
            let one = try workbench(args + ["--threads", "1"]), two = try workbench(args + ["--threads", "2"])
            #expect(one.code == 0 && one.stdout == two.stdout, "\(model)")
            #expect(one.stdout.contains("response_mu_re_hz_per_mv,") && one.stdout.contains("spectrum_hz@50,"))
        }
    }

    /// validate at a fluctuation- and a mean-driven point, f = 1, 10, 100 Hz (reduced precision; the notebook
    /// runs the full-length ones), and the quasi-static gain at 100 Hz on the same simulation is rejected.
    @Test(arguments: [("15", "5"), ("22", "3")])
    func validatePasses(_ point: (String, String)) throws {
        for f in ["1", "10", "100"] {
            let r = try workbench(["validate", "linear-response", point.0, point.1, "--f", f, "--precision", "0.006",
                                   "--seed", "3", "--format", "csv"])
            #expect(r.code == 0, "mu \(point.0), sigma \(point.1), f = \(f): \(r.stdout)\(r.stderr)")
        }
    }

    @Test func quasiStaticGainIsRejectedAt100Hz() throws {
        let words = ["linear-response", "15", "5", "--f", "100", "--precision", "0.006", "--seed", "3"]
        let (reports, failed, _) = try Validation.run(words: words, alongside: [["linear-response", "15", "5", "--f", "0"]])
        #expect(failed.isEmpty && reports.count == 2)
        #expect(reports[0].allAgree, "the exact response agrees")
        #expect(!reports[1].allAgree, "the static gain at 100 Hz must be rejected")
    }
}
