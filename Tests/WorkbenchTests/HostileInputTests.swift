// Inputs that once trapped the process (Swift runtime traps on unchecked conversions, exit 132) or wrote
// invalid JSON: each must now be a clear error (exit 2) naming what is wrong, or valid output.
import Foundation
import GSLSupport
import Testing

struct HostileInputTests {
    @Test("no trap, exit 2 naming the culprit", arguments: [
        (["eval", "siegert-colored", "15", "5", "1", "--method", "inf"], "method"),
        (["eval", "siegert-colored", "15", "5", "1", "--method", "5e223"], "method"),
        (["eval", "leaky-discrete", "0.9", "0.05", "0.3", "--mode", "1e19"], "mode"),
        (["eval", "siegert", "--grid", "mu=0:10:1e-300", "--sigma", "5"], "too many points"),
        (["eval", "siegert", "--grid", "mu=-1e308:1e308:1e307", "--sigma", "5"], "too many points"),
        (["plot", "siegert", "rate_hz", "--grid", "mu=-1e308:1e308:1e307", "--sigma", "5", "-o", "/dev/null"], "too many points"),
        (["simulate", "lif-white", "15", "5", "--neurons", "1e300"], "neurons"),
        (["simulate", "lif-white", "15", "5", "--neurons", "200.5"], "neurons"),
        (["eval", "random-walk", "1", "1e-5", "1", "10"], "E[N]"),
        (["eval", "siegert", "0x10", "5"], "hexadecimal"),
        (["eval", "siegert", "15", "-0X1p3"], "hexadecimal"),
        (["eval", "shot-noise", "5e-324", "2"], "'r_e' = 5e-324 Hz is out of range"),
        (["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--sigma", "-5", "-o", "/dev/null"], "'sigma' = -5 mV"),
        (["validate", "leaky-discrete", "0.9", "0.1", "1", "--time-step", "1e-300", "--neurons", "200", "--time", "0.2s"],
         "run too large: 4e+304 neuron-steps"),
        (["simulate", "gaussian-walk", "1e6", "1e-6", "1", "10", "--samples", "200"], "run too large: about 2e+14 walk-steps"),
        (["simulate", "gaussian-walk", "1", "1", "1", "10", "--samples", "100"], "'samples' = 100 is out of range"),
        (["init", "--layers", "1000,1000", "--scheme", "rate-collapse", "--nu", "0"], "'--nu' = 0 Hz is out of range"),
        (["eval", "random-walk", "1", "5e-324", "10", "10"], "|m|/s and (a - x0)/s must be 0 (m only) or at least 2.2e-308"),
        // One simulator family: options and conventions a model does not have are named, for every model alike.
        (["simulate", "wiener", "0.5", "1", "10", "--spikes", "/dev/null"], "option 'spikes' does not apply to model wiener"),
        (["simulate", "wiener", "0.5", "1", "10", "--modulate", "mu:1:10"], "option 'modulate' does not apply to model wiener"),
        (["simulate", "wiener", "0.5", "1", "10", "--v-rest", "-65"], "--v-rest applies to lif-white and lif-colored only"),
        (["simulate", "lif-colored", "15", "5", "--tau-s", "1", "--scheme", "naive"], "'scheme' = 'naive' does not apply"),
        (["simulate", "lif-white", "15", "5", "--neurons", "2e8"], "'neurons' = 2e8 is out of range (valid: integer 160 to 100000000"),
        (["validate", "siegert", "15", "5", "--modulate", "mu"], "option 'modulate' applies to an estimator with a frequency"),
        (["simulate", "lif-white", "15", "5", "--sigma", "5"], "too many positional values: 5"),
        (["validate", "wiener", "0.5", "1", "10", "--modulate", "mu"], "option 'modulate' does not apply to model wiener"),
    ])
    func noTrap(_ args: [String], _ words: String) throws {
        let r = try workbench(args)
        #expect(r.code == 2, "\(args): exit \(r.code) \(r.stderr)")
        #expect(r.stderr.contains(words), "\(args): \(r.stderr)")
    }

    /// A small walk run still has ≥ 20 batches: 1000 walks gave 2 blocks of 512 and an SE 30 times too small.
    @Test func smallWalkRunsHaveHonestStandardErrors() throws {
        for samples in ["160", "1000"] {
            let r = try workbench(["simulate", "gaussian-walk", "1", "0.2", "1", "3", "--samples", samples, "--format", "csv"])
            #expect(r.code == 0, "\(r.stderr)")
            let row = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("p_cross_by_n,") }).split(separator: ",")
            let p = try #require(Double(row[1])), se = try #require(Double(row[2])), n = Double(samples)!
            let binomial = (p * (1 - p) / n).squareRoot()
            #expect(se > 0.5 * binomial && se < 2 * binomial, "samples \(samples): SE \(se), binomial \(binomial)")
        }
    }

    /// The walk depends on (a - x0)/s and m/s only: subnormal inputs give the numbers of ordinary ones.
    @Test func randomWalkIsScaleInvariant() throws {
        let tiny = try workbench(["eval", "random-walk", "1e-320", "-1e-320", "1e-320", "10", "--format", "csv"])
        let unit = try workbench(["eval", "random-walk", "1", "-1", "1", "10", "--format", "csv"])
        #expect(tiny.code == 0 && unit.code == 0, "\(tiny.stderr)")
        let outputs = { (text: String) in text.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false).dropFirst(5) }
        #expect(Array(outputs(tiny.stdout)) == Array(outputs(unit.stdout)), "\(tiny.stdout)\n\(unit.stdout)")
    }

    /// No ISI in the window: the CV is "n/a (no data)", never "nan ± nan".
    @Test func simulationsSayWhenThereIsNoData() throws {
        let r = try workbench(["simulate", "lif-white", "15", "5", "--tau-ref", "1e300", "--neurons", "160", "--time", "200ms"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("n/a (no data)") && !r.stdout.contains("nan"), "\(r.stdout)")
    }

    @Test func aBatchWithABadChoiceKeepsItsGoodRows() throws {
        let dir = try temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "mu,sigma,tau_s,method\n15,5,1,shift\n15,5,1,1e300\n".write(toFile: dir + "/c.csv", atomically: true, encoding: .utf8)
        let r = try workbench(["eval", "siegert-colored", "--input", dir + "/c.csv", "--format", "csv"])
        #expect(r.code == 2)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[1].hasSuffix(",ok,") && lines[2].contains(",error,"), "\(r.stdout)")
    }

    /// GSL's erf/erfc/log_erfc return NaN beyond |x| ≈ 5e61; the wrappers give the limits there.
    @Test func errorFunctionsAtHugeArguments() {
        for x in [1e60, 7e99, 1e200, Double.greatestFiniteMagnitude] {
            #expect(GSL.erfc(x) == 0 && GSL.erfc(-x) == 2 && GSL.erf(x) == 1 && GSL.erf(-x) == -1)
            #expect(GSL.logErfc(-x) == log(2.0))
        }
        #expect(abs(GSL.logErfc(7e99) / -(7e99 * 7e99) - 1) < 1e-15)
        #expect(GSL.erfc(.nan).isNaN && GSL.logErfc(.nan).isNaN)
        #expect(GSL.erfc(1e59) == 0 && GSL.erf(-1e59) == -1, "GSL's own values below the cut agree with the limits")
    }

    /// Wiener first passage at t = 1e-200 and 1e200 ms: once NaN CDFs with ln_fpt_cdf = 0.
    @Test func wienerAtExtremeTimes() throws {
        let early = try workbench(["eval", "wiener", "1", "1", "1", "--t", "1e-200", "--outputs", "fpt_cdf,ln_fpt_cdf", "--format", "csv"])
        #expect(early.code == 0 && early.stdout.contains(",0,-4.999999999999998e+199,ok"), "\(early.stdout)")
        let late = try workbench(["eval", "wiener", "1", "1", "1", "--t", "1e200", "--outputs", "fpt_cdf,ln_fpt_survival", "--format", "csv"])
        #expect(late.code == 0 && late.stdout.contains(",1,-4.999999999999998e+199,ok"), "\(late.stdout)")
    }

    /// A relative error against an approximation of 0 is not applicable, not NaN.
    @Test func randomWalkRelativeErrorOfAZeroApproximation() throws {
        let r = try workbench(["eval", "random-walk", "20", "0.1", "0.388", "1", "--outputs", "p_cross_by_n_siegmund,siegmund_rel_error",
                               "--format", "json"])
        #expect(r.code == 0 && r.stdout.contains("\"not_applicable\": [\"siegmund_rel_error\"]"), "\(r.stdout)")
    }

    @Test func describeDoesNotCutTheRangeColumn() throws {
        let r = try workbench(["describe", "variance-flow-init"])
        #expect(r.stdout.contains("range: an integer in [0, 100000]"), "\(r.stdout)")
    }

    /// A full disk is an error (exit 1), not exit 0 and not a trap; a device given as the output file is
    /// written in place, never replaced by a rename.
    @Test func writeErrorsExitNonZeroAndDevicesSurvive() throws {
        var info = stat()
        try #require(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "this machine has no /dev/full")
        for args in [["eval", "siegert", "15", "5"], ["list"], ["describe", "siegert"], ["init", "--layers", "10,10", "--scheme", "variance-flow"]] {
            let r = try runProcess("/bin/sh", ["-c", "'\(buildDirectory)/workbench' \(args.joined(separator: " ")) > /dev/full"])
            #expect(r.code == 1 && r.stderr.contains("no space left"), "\(args): exit \(r.code) \(r.stderr)")
        }
        let plot = try workbench(["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--sigma", "5", "-o", "/dev/full"])
        #expect(plot.code == 1 && plot.stderr.contains("No space left on device"), "\(plot.stderr)")
        let spikes = try workbench(["simulate", "lif-white", "15", "5", "--neurons", "160", "--time", "100ms", "--spikes", "/dev/full"])
        #expect(spikes.code == 1, "\(spikes.stderr)")
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "/dev/full must still be the device")
        let dir = try workbench(["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--sigma", "5", "-o", "/"])
        #expect(dir.code == 2 && dir.stderr.contains("is a directory"), "\(dir.stderr)")
    }

    /// A failed row echoes what it was given (not defaults): the bad cell as its text, the others parsed.
    @Test func errorRowsEchoTheirInputs() throws {
        let dir = try temporaryDirectory("hostile-echo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "mu,sigma,tau_m\nnan,5,7\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        let r = try workbench(["eval", "siegert", "--input", dir + "/e.csv", "--format", "json"])
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let row = try #require((j["rows"] as? [[String: Any]])?.first?["parameters"] as? [String: Any])
        #expect(row["mu"] as? String == "nan" && row["sigma"] as? Double == 5 && row["tau_m"] as? Double == 7, "\(row)")
    }

    @Test func jsonStaysValidForInfiniteInputs() throws {
        let dir = try temporaryDirectory("hostile-json")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "mu,sigma\n1e308V,5\n15,5\n".write(toFile: dir + "/j.csv", atomically: true, encoding: .utf8)
        let r = try workbench(["eval", "siegert", "--input", dir + "/j.csv", "--format", "json"])
        #expect((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) != nil, "invalid JSON: \(r.stdout)")
    }

    /// validate never calls zero comparisons agreement: a barrier 30 s away in one step is never crossed by 160
    /// walks (0 ± 0 against P = 5e-198: no spread to judge by) and P(N < ∞) is not simulated at m = 0, so
    /// nothing is compared (exit 4, saying so); a standard error of 0 confirms only an exact match.
    @Test func validateNeverAgreesOverZeroComparisons() throws {
        let none = try workbench(["validate", "random-walk", "30", "0", "1", "1", "--samples", "160", "--assume-exact"])
        #expect(none.code == 4, "\(none.stdout)\(none.stderr)")
        #expect(none.stdout.contains("verdict: nothing compared"), "\(none.stdout)")
        let json = try workbench(["validate", "random-walk", "30", "0", "1", "1", "--samples", "160", "--assume-exact",
                                      "--format", "json"])
        #expect(json.code == 4 && json.stderr.contains("nothing compared"), "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["all_agree"] as? Bool == false)
        let exact = try workbench(["validate", "random-walk", "5", "0.1", "1", "50", "--seed", "11", "--format", "csv"])
        #expect(exact.code == 0, "\(exact.stdout)\(exact.stderr)")
        #expect(exact.stdout.contains("p_cross_ever,1,1,1,0,,0,0,agree"), "\(exact.stdout)")
    }

    /// θ so small that θ² underflows: the fixed points are still found (in ln x), not a GSL error.
    @Test func varianceFlowFixedPointsAtTinyThresholds() throws {
        for theta in ["1e-308", "1e-300", "1e-200"] {
            let r = try workbench(["eval", "variance-flow-init", "--theta", theta, "--outputs", "sigma_stable,sigma_unstable",
                                   "--format", "csv"])
            #expect(r.code == 0, "\(theta): \(r.stderr)")
            let cells = r.stdout.split(separator: "\n").last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
            #expect(cells.count > 9 && Double(cells[8]).map { abs($0 - 1) < 1e-12 } == true, "\(theta): \(r.stdout)")
        }
    }
}
