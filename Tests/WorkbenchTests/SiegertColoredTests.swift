// THEORY §2: the coloured-noise estimator's vectors, limits, validity flags, and its validation
// against the two-dimensional simulation of §9.2 (which must reject Taylor at τ_s = 5 ms).
import Foundation
import GSLSupport
import SiegertNumerics
import Testing
import WorkbenchCore

struct SiegertColoredTests {
    @Test("THEORY §2.4 vectors", arguments: [
        (15.0, 5.0, 0.5, 7.23032921617333, 7.08739498577045), (15, 5, 1, 6.39577959348484, 6.10429852032946),
        (15, 5, 2, 5.31150924945128, 4.71399016578177), (15, 5, 5, 3.50704648959718, 1.95543476497297),
        (22, 3, 0.5, 28.6497924206241, 28.659711710543), (22, 3, 1, 27.7204884521744, 27.7400450270788),
        (22, 3, 2, 26.4012357611962, 26.4394399304609), (22, 3, 5, 23.7690102772896, 23.8588676409692),
    ])
    func vectors(_ mu: Double, _ sigma: Double, _ tauS: Double, _ shift: Double, _ taylor: Double) throws {
        let ws = IntegrationWorkspace(), p = LIFParameters(mu: mu, sigma: sigma)
        expectRelative(try ColoredNoise.rate(p, tauS: tauS, method: .shift, workspace: ws).rateHz, shift, 1e-12, "shift τ_s=\(tauS)")
        expectRelative(try ColoredNoise.rate(p, tauS: tauS, method: .taylor, workspace: ws).rateHz, taylor, 1e-12, "taylor τ_s=\(tauS)")
    }

    @Test func constantsAndCorner() throws {
        expectRelative(ColoredNoise.halfAlpha, 1.03262657611561, 1e-14, "α/2")
        let r = try ColoredNoise.rate(LIFParameters(mu: 0, sigma: 2), tauS: 1, method: .shift, workspace: IntegrationWorkspace())
        expectRelative(r.shift, 0.461804643913472, 1e-13, "δ at μ=0, σ=2, τ_s=1")
        expectLogRate(r.lnRateHz, -99.0111267733945, "corner ln ν (shift)")
    }

    @Test func whiteLimitIsSiegertExactly() throws {
        let ws = IntegrationWorkspace()
        for p in [LIFParameters(mu: 15, sigma: 5), LIFParameters(mu: 0, sigma: 0.5), LIFParameters(mu: 25, sigma: 0.01)] {
            let white = try Siegert.rate(p, workspace: ws).lnRateHz
            for m in [ColoredNoise.Method.shift, .taylor] {
                #expect(try ColoredNoise.rate(p, tauS: 0, method: m, workspace: ws).lnRateHz == white)
            }
        }
    }

    @Test func cliFlagsValidityAndRefusesNegativeTaylorRates() throws {
        let ok = try workbench(["eval", "siegert-colored", "15", "5", "1", "--format", "json"])
        #expect(ok.code == 0 && ok.stderr.isEmpty)
        let j = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        let out = try #require(j["outputs"] as? [String: Any])
        expectRelative(out["theta_eff_mv"] as! Double, 20 + 5 * 1.03262657611561 * (1.0 / 20).squareRoot(), 1e-13, "θ_eff")
        let flagged = try workbench(["eval", "siegert-colored", "15", "5", "1", "--method", "taylor", "--format", "json"])
        #expect(flagged.code == 0 && flagged.stderr.contains("outside the validity range"))
        let fj = try #require(try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [String: Any])
        #expect((fj["warnings"] as? [String])?.first?.contains("taylor: k^2 <= 0.02") == true)
        let negative = try workbench(["eval", "siegert-colored", "10", "1", "1", "--method", "taylor"])
        #expect(negative.code == 2 && negative.stderr.contains("use method=shift"), "\(negative.stderr)")
        #expect(negative.stdout.isEmpty)
        #expect(try workbench(["eval", "siegert-colored", "15", "5", "-1"]).code == 2)
        #expect(try workbench(["eval", "siegert-colored", "15", "5", "1", "--method", "exact"]).code == 2)
    }

    @Test func validationAcceptsShiftAndRejectsTaylorAtTauS5() throws {
        let shift = try workbench(["validate", "siegert-colored", "15", "5", "1", "--precision", "0.01", "--format", "json"])
        #expect(shift.code == 0, "\(shift.stdout)\(shift.stderr)")
        let taylor = try workbench(["validate", "siegert-colored", "15", "5", "5", "--method", "taylor", "--precision", "0.02"])
        #expect(taylor.code == 4 && taylor.stdout.contains("DISAGREE"), "\(taylor.stdout)")
    }
}

/// The gain and CV outputs (issue 22: NNMT has them): d rate/d mu of both methods against a central difference of
/// the method's own rate (NNMT's Taylor derivative loses the reset term once 1 + erf(y_r) underflows: at mu = 30,
/// sigma = 2 it gives 7.94 Hz/mV for a slope of 3.91), the CV at tau_s = 0 is siegert's.
struct SiegertColoredGainTests {
    func row(_ args: [String], _ outputs: String) throws -> [Double] {
        let r = try workbench(["eval", "siegert-colored"] + args + ["--outputs", outputs, "--format", "csv"])
        #expect(r.code == 0, "\(r.stderr)")
        let cells = CSV.parse(r.stdout)[1]
        return cells.compactMap(Double.init).suffix(outputs.split(separator: ",").count)
    }

    @Test(arguments: [("15", "5", "0.5"), ("22", "3", "1"), ("30", "2", "0.5"), ("10", "4", "0.2")])
    func gainIsTheSlopeOfTheRate(_ p: (String, String, String)) throws {
        let mu = Double(p.0)!, h = 1e-4
        for method in ["shift", "taylor"] {
            let g = try row([p.0, p.1, p.2, "--method", method], "drate_dmu_hz_per_mv")[0]
            let up = try row([String(mu + h), p.1, p.2, "--method", method], "rate_hz")[0]
            let down = try row([String(mu - h), p.1, p.2, "--method", method], "rate_hz")[0]
            let slope = (up - down) / (2 * h)
            #expect(abs(g / slope - 1) < 1e-7, "\(method) at \(p): gain \(g), slope \(slope)")
        }
    }

    @Test func cvIsSiegertsAtZeroTauSAndNotApplicableForTaylor() throws {
        let white = try workbench(["eval", "siegert", "15", "5", "--outputs", "cv", "--format", "csv"])
        let cv = Double(CSV.parse(white.stdout)[1][7])!
        #expect(try row(["15", "5", "0"], "cv,cv_model_error") == [cv, 0])
        let taylor = try workbench(["eval", "siegert-colored", "15", "5", "0.5", "--method", "taylor", "--outputs", "cv", "--format", "json"])
        #expect(taylor.stdout.contains("\"not_applicable\": [\"cv\"]"), "\(taylor.stdout)")
    }
}
