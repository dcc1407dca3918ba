// The typed kit: parameter and output indices from one enum per list, checked against the spec when the
// plugin is exported; a mismatched estimator is left out and reported, never exported with wrong indices.
import CWorkbenchPlugin
import EstimatorKit
import Foundation
import Testing
import WorkbenchCore

/// Every case-name shape the built-in estimators use.
private enum Shapes: Int, EstimatorField { case tauRef, lnPHitEver, varFptMs2, sigma0, `init`, mu, sigmaW2, xC }

/// The canonical LIF parameters in order; output 0 reads sigma through the field, so a wrong index would show.
private struct MatchingEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case mu, sigma, theta, vReset, tauM, tauRef }
    enum Output: Int, EstimatorField { case sigmaMv, modelError }
    let info = EstimatorInfo(
        name: "typed-matching", summary: "test", reference: "test", model: "lif-white",
        parameters: CanonicalParameters.lif,
        outputs: [OutputSpec(Output.sigmaMv, unit: "mV", modelErrorOutput: .modelError, summary: "sigma"),
                  OutputSpec(Output.modelError, unit: "1", summary: "error")])
    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        out.set(Output.sigmaMv, p[Parameter.sigma])
        out.set(Output.modelError, 0)
        return 0
    }
}

/// tau_ref and tau_m swapped in the enum: parameter 4 disagrees with the spec.
private struct SwappedEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case mu, sigma, theta, vReset, tauRef, tauM }
    enum Output: Int, EstimatorField { case rateHz }
    let info = EstimatorInfo(name: "typed-swapped", summary: "test", reference: "test", model: "lif-white",
                             parameters: CanonicalParameters.lif,
                             outputs: [OutputSpec(Output.rateHz, unit: "Hz", summary: "rate")])
    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        out.set(Output.rateHz, p[Parameter.tauM])
        return 0
    }
}

/// An output case without a spec, and raw values that do not start at 0.
private struct MiscountedEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case mu = 1, sigma, theta, vReset, tauM, tauRef }
    enum Output: Int, EstimatorField { case rateHz, cv }
    let info = EstimatorInfo(name: "typed-miscounted", summary: "test", reference: "test", model: "lif-white",
                             parameters: CanonicalParameters.lif,
                             outputs: [OutputSpec("rate_hz", unit: "Hz", summary: "rate")])
    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        0
    }
}

struct TypedFieldTests {
    @Test func caseNamesBecomeSnakeCase() {
        #expect(Shapes.allCases.map(\.name)
                == ["tau_ref", "ln_p_hit_ever", "var_fpt_ms2", "sigma0", "init", "mu", "sigma_w2", "x_c"])
        #expect(Shapes.allCases.map(\.rawValue) == Array(0..<8))
        #expect(snakeCase("drateDmuHzPerMv") == "drate_dmu_hz_per_mv")
    }

    @Test func typedSubscriptReadsTheFieldsIndex() {
        let row: [Double] = [15, 5, 20, 10, 20, 2]
        row.withUnsafeBufferPointer { p in
            #expect(p[MatchingEstimator.Parameter.sigma] == 5)
            #expect(p[MatchingEstimator.Parameter.tauRef] == p[5])
        }
    }

    @Test func specInitialisersTakeTheNameAndIndexFromTheField() {
        let p = ParameterSpec(Shapes.tauRef, unit: "ms", .defaulted(2), min: 0, summary: "refractory")
        #expect(p.name == "tau_ref" && p.min == 0)
        let o = OutputSpec(Shapes.varFptMs2, unit: "ms^2", modelErrorOutput: .xC, summary: "variance")
        #expect(o.name == "var_fpt_ms2" && o.modelErrorOutput == Shapes.xC.rawValue)
    }

    /// In-process: the mismatched estimators are not in the table, the good one is and evaluates through it,
    /// and each problem names the estimator and both names.
    @Test func exportLeavesOutAMismatchedEstimatorAndSaysWhy() throws {
        let export = PluginExport([SwappedEstimator(), MatchingEstimator(), MiscountedEstimator()])
        var count = 0
        let table = export.table(&count)
        #expect(count == 1)
        let d = try #require(table[0])
        #expect(String(cString: d.pointee.name) == "typed-matching")
        #expect(d.pointee.outputs[0].model_error_output == 1)

        #expect(export.problems.contains(
            "estimator 'typed-swapped': parameter 4 is 'tau_m' in the spec but 'tau_ref' in enum Parameter"),
                "\(export.problems)")
        #expect(export.problems.contains { $0.hasPrefix("estimator 'typed-miscounted': case 'mu' of enum Parameter "
                                                        + "has raw value 1, but its position is 0") }, "\(export.problems)")
        #expect(export.problems.contains("estimator 'typed-miscounted': the spec has 1 outputs but enum Output has 2 "
                                         + "cases (first case without a spec: 'cv')"), "\(export.problems)")
        #expect(!export.problems.contains { $0.contains("typed-matching") })
        let text = try #require(export.problemText)
        #expect(String(cString: text) == export.problems.joined(separator: "\n"))

        // The exported estimator reads its row through the fields.
        var row: [Double] = [15, 5, 20, 10, 20, 2], out = [Double](repeating: 0, count: 2)
        var na: UInt64 = 0, status: Int32 = 0
        let evaluate = try #require(d.pointee.evaluate)
        let rc = evaluate(d, 1, &row, nil, &out, &na, &status, nil, 0)
        #expect(rc == 0 && status == 0 && out == [5, 0])

        let clean = PluginExport([MatchingEstimator()])
        #expect(clean.problems.isEmpty && clean.problemText == nil)
    }

    @Test func hostSplitsThePluginsProblemText() {
        #expect(PluginRegistry.problemLines(nil).isEmpty)
        let lines = "estimator 'a': one\n\n  estimator 'b': two  \n".withCString { PluginRegistry.problemLines($0) }
        #expect(lines == ["estimator 'a': one", "estimator 'b': two"])
        let many = (0..<150).map { "problem \($0)" }.joined(separator: "\n")
        let capped = many.withCString { PluginRegistry.problemLines($0) }
        #expect(capped.count == 101 && capped.last == "... and 50 more problems reported by the plugin")
    }

    /// Every built-in plugin exports the optional entry, and it reports nothing.
    @Test func builtInPluginsExportAnEmptyProblemList() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: buildDirectory)
            .filter { $0.hasPrefix("lib") && $0.hasSuffix("Plugin.so") }
        #expect(names.count >= 7, "\(names)")
        for name in names {
            let handle = try #require(dlopen(buildDirectory + "/" + name, RTLD_NOW | RTLD_LOCAL), "\(name)")
            let sym = try #require(dlsym(handle, WB_ENTRY_PROBLEMS), "\(name) lacks \(WB_ENTRY_PROBLEMS)")
            #expect(unsafeBitCast(sym, to: wb_problems_entry.self)() == nil, "\(name)")
        }
    }

    /// A C plugin that declares two refused estimators: each line is a failure of that file, its good estimator
    /// still loads, in-process and through the CLI (where the probe child must not fail the whole file).
    @Test func hostReportsDeclaredProblemsAndKeepsTheGoodEstimators() throws {
        let dir = try temporaryDirectory("declared-problems")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = ["estimator 'lif-broken': parameter 3 is 'tau_m' in the spec but 'tau_ref' in enum Parameter",
                     "estimator 'lif-other': the spec has 2 outputs but enum Output has 3 cases"]
        var source = try String(contentsOfFile: packageRoot + "/Examples/CPlugin/deterministic_lif.c", encoding: .utf8)
        source += "\nconst char *workbench_plugin_problems(void) { return \"\(lines.joined(separator: "\\n"))\"; }\n"
        let path = dir + "/libDeclaredProblemsPlugin.so"
        try compileC(source, to: path)

        let registry = PluginRegistry(searchPath: [dir])
        #expect(registry.failures.map(\.path) == [path, path], "\(registry.failures)")
        #expect(registry.failures.map(\.reason) == lines)
        #expect(registry.failures.allSatisfy { $0.declaredByPlugin })
        #expect(registry.estimator(named: "lif-deterministic") != nil)

        let list = try workbench(["list", "--plugin-path", dir])
        #expect(list.code == 3, "\(list.stdout)\(list.stderr)")
        for line in lines { #expect(list.stderr.contains("\(path): \(line)"), "\(list.stderr)") }
        #expect(list.stdout.contains("lif-deterministic"), "\(list.stdout)")
        let eval = try workbench(["eval", "lif-deterministic", "25", "--outputs", "rate_hz", "--format", "csv"],
                                 pluginPath: dir)
        #expect(eval.code == 0, "\(eval.stderr)")
        #expect(eval.stderr.contains(lines[0]), "\(eval.stderr)")
    }
}
