// End-to-end: the built `workbench` binary, as a user runs it.
import Foundation
import Testing
import WorkbenchCore

private func json(_ r: ProcessResult) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
}
private func output(_ r: ProcessResult, _ name: String) throws -> Double {
    let o = try #require(try json(r)["outputs"] as? [String: Any])
    return try #require(o[name] as? Double, "\(name) missing in \(r.stdout)")
}

struct CLITests {
    @Test func mainCommandPrintsAReadableTable() throws {
        let r = try workbench(["eval", "siegert", "15", "5"])
        #expect(r.code == 0, "\(r.stderr)")
        for s in ["rate_hz", "9.4607998057591", "Hz", "cv", "0.8147572116594", "mean_v_mv", "13.0713468358873 mV", "tau_ref", "2 ms"] {
            #expect(r.stdout.contains(s), "table lacks '\(s)':\n\(r.stdout)")
        }
    }

    @Test func jsonCarriesOutputsProvenanceAndWarnings() throws {
        let r = try workbench(["eval", "siegert", "15", "5", "--format", "json"])
        #expect(r.code == 0)
        let j = try json(r)
        expectRelative(try output(r, "rate_hz"), 9.46079980575913, 1e-12, "rate")
        expectRelative(try output(r, "cv"), 0.81475721165945, 1e-10, "cv")
        expectRelative(try output(r, "density_kink_per_mv2"), -0.0151372796892146, 1e-12, "kink -2ντ_m/σ² (THEORY §1.5)")
        expectRelative(try output(r, "var_isi_ms2"), 7416.52937118419, 1e-10, "Var(ISI)")
        #expect(try output(r, "y_theta") == 1 && output(r, "y_reset") == -1)
        #expect(j["workbench_version"] as? String == workbenchVersion)
        let plugin = try #require(j["plugin"] as? [String: Any])
        let file = try #require(plugin["file"] as? String)
        let sha = try #require(plugin["sha256"] as? String)
        // Our SHA-256 against coreutils.
        let sum = try runProcess("/usr/bin/env", ["sha256sum", file])
        #expect(sum.stdout.hasPrefix(sha), "sha256 \(sha) vs \(sum.stdout)")
        #expect((j["warnings"] as? [Any])?.isEmpty == true)
        #expect((j["not_applicable"] as? [String]) == ["density_per_mv"])

        let under = try workbench(["eval", "siegert", "0", "0.5", "--format", "json"])
        #expect(under.code == 0)
        #expect(try output(under, "rate_hz") == 0)
        expectLogRate(try output(under, "ln_rate_hz"), -1592.971775227900470, "S4 through the CLI (50-digit reference)")
        #expect(((try json(under))["warnings"] as? [String])?.contains { $0.contains("below the double range") } == true)
    }

    @Test func negativeValuesUnitsAndSpellingsAgree() throws {
        let neg = try workbench(["eval", "siegert", "-5", "5", "--outputs", "ln_rate_hz", "--format", "csv"])
        #expect(neg.code == 0, "\(neg.stderr)")
        let variants = [["--tau-m", "10"], ["--tau_m", "10ms"], ["--tau-m=0.01s"], ["--tau_m=10000us"]]
        var values: [String] = []
        for v in variants {
            let r = try workbench(["eval", "siegert", "15mV", "0.005V", "--outputs", "rate_hz", "--format", "csv"] + v)
            #expect(r.code == 0, "\(v): \(r.stderr)")
            values.append(r.stdout)
        }
        #expect(Set(values).count == 1, "\(values)")
        let free = try workbench(["eval", "siegert", "15", "--sigma-free", "\(5 / 2.0.squareRoot())", "--format", "json"])
        expectRelative(try output(free, "rate_hz"), 9.46079980575913, 1e-12, "--sigma-free 5/√2")
    }

    @Test func absolutePotentialsWithVRest() throws {
        let r = try workbench(["eval", "siegert", "15", "5", "--v-rest", "-65", "--theta", "-45", "--v-reset", "-55",
                               "--v", "-53", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        expectRelative(try output(r, "rate_hz"), 9.46079980575913, 1e-12, "rate is frame-independent")
        expectRelative(try output(r, "mean_v_mv"), 13.0713468358873 - 65, 1e-12, "mean V reported absolute")
        expectRelative(try output(r, "density_per_mv"), 0.113167869670229, 1e-12, "P0 at V = 12 mV above rest")
        let missing = try workbench(["eval", "siegert", "15", "5", "--v-rest", "-65"])
        #expect(missing.code == 2 && missing.stderr.contains("'theta'") && missing.stderr.contains("absolute"))
    }

    @Test func densityAtAPotential() throws {
        let r = try workbench(["eval", "siegert", "15", "5", "--v", "12", "--outputs", "density_per_mv", "--format", "json"])
        expectRelative(try output(r, "density_per_mv"), 0.113167869670229, 1e-12, "P0(12)")
    }

    @Test func batchFromCSVKeepsGoingPastBadRows() throws {
        let dir = try temporaryDirectory("batch")
        let file = dir + "/params.csv"
        try "mu,sigma,tau_ref\n15,5,2\n22,3,\n15,-1,2\nabc,5,2\n30,10,0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try workbench(["eval", "siegert", "--input", file, "--outputs", "rate_hz,cv"])
        #expect(r.code == 2)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(r.stdout)")
        #expect(lines[0] == "mu,sigma,theta,v_reset,tau_m,tau_ref,v,rate_hz,cv,status,error")
        #expect(lines[1].hasPrefix("15,5,20,10,20,2,,9.46079980575912") && lines[1].hasSuffix(",ok,"), "\(lines[1])")
        #expect(lines[2].contains("30.87998349062") && lines[2].hasSuffix(",ok,"))
        #expect(lines[3].contains(",error,") && lines[3].contains("parameter 'sigma' = -1 mV is out of range (valid: > 0 mV)"))
        #expect(lines[4].contains(",error,") && lines[4].contains("'abc' is not a number"))
        let alone = try workbench(["eval", "siegert", "30", "10", "--tau-ref", "0", "--outputs", "rate_hz,cv", "--format", "csv"])
        #expect(lines[5] == alone.stdout.split(separator: "\n")[1], "batch row = single evaluation")
        #expect(r.stderr.contains("2 of 5 rows failed"))
    }

    @Test func gridGeneratesTheCartesianProduct() throws {
        let r = try workbench(["eval", "siegert", "--grid", "mu=-20:40:0.5", "--grid", "sigma=1,2,5", "--outputs", "rate_hz,cv"])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 121 * 3)
        #expect(lines[1].hasPrefix("-20,1,20,10,20,2,,"))
        #expect(lines.last!.hasPrefix("40,5,"))
        let j = try workbench(["eval", "siegert", "--grid", "mu=15,22", "--grid", "sigma=5", "--format", "json", "--outputs", "rate_hz"])
        let rows = try #require(try json(j)["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        let alone = try workbench(["eval", "siegert", "22", "5", "--format", "json"])
        #expect((rows[1]["outputs"] as! [String: Any])["rate_hz"] as! Double == (try output(alone, "rate_hz")))
    }

    @Test func hundredThousandRowBatch() throws {
        let r = try workbench(["eval", "siegert", "--grid", "mu=-20:40:0.06", "--grid", "sigma=0.5:50:0.5", "--outputs", "rate_hz,ln_rate_hz"])
        #expect(r.code == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 1001 * 100)
        #expect(!r.stdout.contains(",error,"))
    }

    @Test("Bad input: one line naming the parameter, exit 2", arguments: [
        (["15", "nan"], "'sigma'"), (["inf", "5"], "'mu'"), (["15", "-inf"], "'sigma'"), (["15", "0"], "'sigma'"),
        (["15", "5", "--v-reset", "20"], "'v_reset'"), (["15", "5", "--v_reset", "25"], "'v_reset'"),
        (["15", "5", "--tau-m", "0"], "'tau_m'"), (["15", "5", "--tau-m", "-1"], "'tau_m'"),
        (["15", "5", "--tau-ref", "-0.1"], "'tau_ref'"), (["15", "5", "--gamma", "1"], "unknown parameter 'gamma'"),
        (["15", "5", "--tau-m", "1.2.3"], "'tau_m'"), (["15", "5", "--tau-m", "10kg"], "'tau_m'"),
        (["15", "5", "--tau-m", "10mV"], "'tau_m'"), (["15x", "5"], "'mu'"), (["15"], "'sigma'"),
        (["15", "5", "7"], "too many positional"), (["15", "5", "--outputs", "rate"], "unknown output 'rate'"),
        (["15", "5", "--format", "xml"], "--format"), (["15", "1e-320"], "'sigma'"),
    ])
    func badInput(_ args: [String], _ expected: String) throws {
        let r = try workbench(["eval", "siegert"] + args)
        #expect(r.code == 2, "\(args): exit \(r.code), \(r.stderr)")
        #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(args): not one line: \(r.stderr)")
        #expect(r.stdout.isEmpty && !r.stderr.contains("Fatal") && !r.stderr.contains("gsl:"))
    }

    @Test func usageErrorsExitTwoNotSixtyFour() throws {
        for args in [["evl"], ["eval"], ["describe"], ["list", "--bogus"], ["eval", "no-such-estimator", "1"]] {
            let r = try workbench(args)
            #expect(r.code == 2, "\(args): exit \(r.code)")
        }
        #expect(try workbench(["--version"]).stdout.contains(workbenchVersion))
        #expect(try workbench(["eval", "--help"]).code == 0)
    }

    @Test func listAndDescribe() throws {
        let list = try workbench(["list"])
        #expect(list.code == 0 && list.stdout.contains("siegert") && list.stdout.contains("lif-white") && list.stdout.contains("libSiegertPlugin.so"))
        let d = try workbench(["describe", "siegert"])
        #expect(d.code == 0)
        for s in ["tau_ref", "[ms]", "default: 2", "range: >= 0 ms", "range: > 0 mV", "rate_hz", "[Hz]", "Brunel", "reference:"] {
            #expect(d.stdout.contains(s), "describe lacks '\(s)'")
        }
        let dj = try workbench(["describe", "siegert", "--format", "json"])
        let params = try #require(try json(dj)["parameters"] as? [[String: Any]])
        #expect(params.map { $0["name"] as! String } == ["mu", "sigma", "theta", "v_reset", "tau_m", "tau_ref", "v"])
        #expect(try workbench(["describe", "nope"]).code == 2)
    }
}
