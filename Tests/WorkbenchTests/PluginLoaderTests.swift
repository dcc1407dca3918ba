// Hostile plugin files: each is reported by path and reason, and `siegert` keeps working.
import CWorkbenchPlugin
import EstimatorKit
import Foundation
import Testing
import WorkbenchCore

let pluginInclude = packageRoot + "/Sources/CWorkbenchPlugin/include"

func compileC(_ source: String, to path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    let src = dir + "/src-\(UUID().uuidString.prefix(6)).c"
    try source.write(toFile: src, atomically: true, encoding: .utf8)
    let r = try runProcess("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O2", "-I", pluginInclude, src, "-o", path, "-lm"])
    #expect(r.code == 0, "cc failed: \(r.stderr)")
}

struct PluginLoaderTests {
    @Test func hostileFilesAreReportedAndSkipped() throws {
        let dir = try temporaryDirectory("hostile")
        let real = buildDirectory + "/libSiegertPlugin.so"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: real))
        try FileManager.default.copyItem(atPath: real, toPath: dir + "/libSiegertPlugin.so")
        try bytes.prefix(1000).write(to: URL(fileURLWithPath: dir + "/libTruncatedPlugin.so"))
        var g = SplitMix64(state: 1)
        try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &g) }).write(to: URL(fileURLWithPath: dir + "/libRandomPlugin.so"))
        try Data().write(to: URL(fileURLWithPath: dir + "/libEmptyPlugin.so"))
        try compileC("int not_a_plugin(void) { return 42; }\n", to: dir + "/libNoABIPlugin.so")
        try compileC("""
            #include "workbench_plugin.h"
            uint32_t workbench_plugin_abi_version(void) { return 99; }
            const wb_estimator *const *workbench_plugin_estimators(size_t *count) { *count = 0; return 0; }
            """, to: dir + "/libWrongABIPlugin.so")
        // A copy of siegert under a later name: a duplicate estimator name.
        try FileManager.default.copyItem(atPath: real, toPath: dir + "/libZDuplicatePlugin.so")
        // Ignored: not named lib*Plugin.so.
        try Data("junk".utf8).write(to: URL(fileURLWithPath: dir + "/notes.so"))

        let registry = PluginRegistry(searchPath: [dir])
        func reason(_ file: String) -> String? { registry.failures.first { $0.path == dir + "/" + file }?.reason }
        #expect(reason("libTruncatedPlugin.so")?.contains("truncated") == true, "\(registry.failures)")
        #expect(reason("libRandomPlugin.so")?.contains("not an ELF") == true, "\(registry.failures)")
        #expect(reason("libEmptyPlugin.so") == "empty file")
        #expect(reason("libNoABIPlugin.so")?.contains("missing entry symbols workbench_plugin_abi_version, workbench_plugin_estimators") == true)
        #expect(reason("libWrongABIPlugin.so")?.contains("incompatible plugin ABI version 99") == true)
        let dup = reason("libZDuplicatePlugin.so") ?? ""
        #expect(dup.contains("duplicate estimator name 'siegert'") && dup.contains(dir + "/libSiegertPlugin.so"), "\(dup)")
        #expect(registry.failures.count == 6, "\(registry.failures)")
        #expect(!registry.failures.contains { $0.path.hasSuffix("notes.so") })

        let siegert = try #require(registry.estimator(named: "siegert"))
        #expect(siegert.file.path == dir + "/libSiegertPlugin.so")
        let r = siegert.evaluate([15, 5, 20, 10, 20, 2, .nan])
        expectRelative(r.value(0, 0), 9.46079980575913, 1e-12, "siegert next to hostile files")

        // Through the CLI: list reports (exit 3), eval warns and works (exit 0).
        let list = try workbench(["list", "--plugin-path", dir])
        #expect(list.code == 3)
        #expect(list.stderr.contains("libTruncatedPlugin.so") && list.stderr.contains("libWrongABIPlugin.so"))
        let eval = try workbench(["eval", "siegert", "15", "5", "--outputs", "rate_hz", "--format", "csv"], pluginPath: dir)
        #expect(eval.code == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("9.46079980575912") || eval.stdout.contains("9.46079980575913"))
        #expect(eval.stderr.contains("libRandomPlugin.so"))
        let unknown = try workbench(["eval", "nothing-here", "1"], pluginPath: dir)
        #expect(unknown.code == 2 && unknown.stderr.contains("unknown estimator 'nothing-here'") && unknown.stderr.contains("libEmptyPlugin.so"))
    }

    /// Large files named like plugins are refused from their size or first bytes, not read whole on every
    /// command (sparse files: no disk used).
    @Test func largeFilesAreRefusedUnread() throws {
        let dir = try temporaryDirectory("large-plugins")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, magic, size) in [("libDataPlugin.so", [UInt8](repeating: 0, count: 4), 100 << 20),
                                    ("libHugePlugin.so", [0x7f, 0x45, 0x4c, 0x46], 600 << 20)] {
            let path = dir + "/" + name
            #expect(FileManager.default.createFile(atPath: path, contents: Data(magic)))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
        }
        let registry = PluginRegistry(searchPath: [dir])
        let reasons = Dictionary(uniqueKeysWithValues: registry.failures.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        #expect(reasons["libDataPlugin.so"] == "not an ELF file (bad magic)", "\(reasons)")
        #expect(reasons["libHugePlugin.so"]?.contains("too large for a plugin (limit 512 MiB)") == true, "\(reasons)")
    }

    @Test func searchOrderIsExplicitThenEnvironmentThenExecutableDirectory() {
        let path = PluginRegistry.defaultSearchPath(explicit: ["/a:/b"], environment: ["WORKBENCH_PLUGIN_PATH": "/c::/d"])
        #expect(Array(path.prefix(4)) == ["/a", "/b", "/c", "/d"])
        #expect(path.count == 5)
    }

    @Test func hostRefusesASwiftPluginFromAnotherToolchain() throws {
        // A C plugin that claims to be Swift from another compiler: refused before evaluate is called.
        let dir = try temporaryDirectory("toolchain")
        var source = try String(contentsOfFile: packageRoot + "/Examples/CPlugin/deterministic_lif.c", encoding: .utf8)
        source = source.replacingOccurrences(of: "\"lif-deterministic\", \"c\",", with: "\"lif-deterministic\", \"swift-5.9\",")
        try compileC(source, to: dir + "/libOldSwiftPlugin.so")
        let registry = PluginRegistry(searchPath: [dir])
        #expect(registry.estimators.isEmpty)
        #expect(registry.failures.first?.reason.contains("built with swift-5.9, this host with \(hostSwiftToolchain)") == true,
                "\(registry.failures)")
    }

    @Test func elfPrecheckAcceptsTheRealPluginAndRejectsItsPrefixes() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: buildDirectory + "/libSiegertPlugin.so"))
        try ELFPrecheck.check(bytes)
        for n in [0, 10, 63, 64, 500, 1000, 4096, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ELFPrecheck.Failure.self, "prefix of \(n) bytes accepted") { try ELFPrecheck.check(bytes.prefix(n)) }
        }
    }
}

struct ExternalPluginTests {
    @Test func plainCPluginLoadsFromTheEnvironmentPath() throws {
        let dir = try temporaryDirectory("cplugin")
        let source = try String(contentsOfFile: packageRoot + "/Examples/CPlugin/deterministic_lif.c", encoding: .utf8)
        try compileC(source, to: dir + "/libDeterministicLIFPlugin.so")
        let r = try workbench(["eval", "lif-deterministic", "25", "--format", "json"], pluginPath: dir)
        #expect(r.code == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let outputs = json["outputs"] as! [String: Any]
        expectRelative(outputs["rate_hz"] as! Double, 41.7149068741483, 1e-13, "1000/(2 + 20 ln 3)")
        let silent = try workbench(["eval", "lif-deterministic", "15", "--format", "json"], pluginPath: dir)
        let s = try JSONSerialization.jsonObject(with: Data(silent.stdout.utf8)) as! [String: Any]
        #expect((s["outputs"] as! [String: Any])["rate_hz"] as? Double == 0)
        #expect((s["not_applicable"] as! [String]) == ["ln_rate_hz", "mean_isi_ms"])
        let registry = PluginRegistry(searchPath: [dir])
        checkEstimator(try #require(registry.estimator(named: "lif-deterministic")), simulated: false)
    }

    /// A third-party estimator of model lif-white whose output names an observable the simulator lacks: validate
    /// refuses it before any run, naming the output, the observable and the simulator's observables.
    @Test func validateRefusesAnObservableTheSimulatorLacks() throws {
        let dir = try temporaryDirectory("typo-plugin")
        var source = try String(contentsOfFile: packageRoot + "/Examples/CPlugin/deterministic_lif.c", encoding: .utf8)
        for (old, new) in [("enum { P_MU,", "enum { P_SIGMA, P_MU,"),
                           ("{\"mu\", \"mV\", \"mean input\"", "{\"sigma\", \"mV\", \"noise\", 5, 0, INFINITY, 0, 0, NULL},\n    {\"mu\", \"mV\", \"mean input\""),
                           ("{\"rate_hz\", \"Hz\", \"firing rate\", NULL", "{\"rate_hz\", \"Hz\", \"firing rate\", \"rate_hz_typo\""),
                           ("\"lif-deterministic\", \"Noiseless", "\"typo-observable\", \"Noiseless"),
                           ("(mean-driven limit)\", \"lif-deterministic\"", "(mean-driven limit)\", \"lif-white\"")] {
            #expect(source.contains(old), "the example changed: \(old)")
            source = source.replacingOccurrences(of: old, with: new)
        }
        try compileC(source, to: dir + "/libTypoPlugin.so")
        let r = try workbench(["validate", "typo-observable", "25", "--sigma", "5"], pluginPath: dir)
        #expect(r.code == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("output 'rate_hz' names observable 'rate_hz_typo', which the lif-white simulation does not have"),
                "\(r.stderr)")
        // The shared conformance suite catches the broken contract too, before anyone runs validate.
        let typo = try #require(PluginRegistry(searchPath: [dir]).estimator(named: "typo-observable"))
        withKnownIssue("rate_hz_typo is not an observable of lif-white") { checkEstimator(typo) }
    }

    @Test func outOfTreeSwiftPackageBuildsAndLoads() throws {
        let scratch = packageRoot + "/.build-external"
        let command = ["swift", "build", "-c", "release", "--package-path", packageRoot + "/Examples/ExternalPlugin", "--scratch-path", scratch]
        var build = try runProcess("/usr/bin/env", command)
        if build.code != 0 {
            // A reused scratch directory can hold a stale build plan of the root package (SwiftPM missed a
            // file added to EstimatorKit); a clean second attempt settles it. A real failure fails twice.
            print("external plugin build failed once, retrying from a clean scratch directory:\n\(build.stdout.suffix(2000))\n\(build.stderr.suffix(2000))")
            try? FileManager.default.removeItem(atPath: scratch)
            build = try runProcess("/usr/bin/env", command)
        }
        try #require(build.code == 0, "external plugin build failed:\n\(build.stdout)\n\(build.stderr)")
        let dir = scratch + "/release"
        let r = try workbench(["eval", "lif-linear-noise", "25", "0.01", "--format", "json"], pluginPath: dir)
        #expect(r.code == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rate = (json["outputs"] as! [String: Any])["rate_hz"] as! Double
        expectRelative(rate, 41.714937809774, 1e-9, "linear-noise rate at S5 vs siegert")
        let registry = PluginRegistry(searchPath: [dir])
        #expect(registry.failures.isEmpty, "the example's enums and spec disagree: \(registry.failures)")
        checkEstimator(try #require(registry.estimator(named: "lif-linear-noise")))
    }
}

/// Plugin files that crash or hang in dlopen, a constructor, an entry point or evaluate: the probe child
/// (PluginProbe) takes the blow, the file is reported with its path and reason, every other estimator works.
@Suite struct PluginProbeTests {
    static let hostile = packageRoot + "/python/tests/hostile_plugin.c"

    func build(_ dir: String, _ name: String, _ defines: [String]) throws {
        let r = try runProcess("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O1", "-I", pluginInclude]
                                + defines.map { "-D" + $0 } + [Self.hostile, "-o", dir + "/lib\(name)Plugin.so", "-lm"])
        #expect(r.code == 0, "cc failed: \(r.stderr)")
    }

    @Test func crashingAndHangingPluginsDoNotTakeTheHostDown() throws {
        let dir = try temporaryDirectory("probe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let classes: [(String, [String], String)] = [
            ("CtorCrash", ["CONSTRUCTOR_CRASHES"], "crashed the probe process (signal 11)"),
            ("EvalCrash", ["EVALUATE_CRASHES"], "crashed the probe process (signal 11)"),
            ("HugeCount", ["HUGE_COUNT"], ""),
            ("DataEntry", ["ESTIMATORS_IS_DATA"], ""),
            ("Hangs", ["CONSTRUCTOR_HANGS"], "the file hangs"),
        ]
        for (name, defines, _) in classes { try build(dir, name, defines + ["NAME=\"p-\(name)\""]) }
        var env = ProcessInfo.processInfo.environment
        env["WORKBENCH_PLUGIN_PATH"] = dir
        env["WORKBENCH_PROBE_TIMEOUT"] = "2"
        env["XDG_CACHE_HOME"] = dir + "/cache"
        let wb = buildDirectory + "/workbench"
        let eval = try runProcess(wb, ["eval", "siegert", "15", "5", "--outputs", "rate_hz", "--format", "csv"], environment: env)
        #expect(eval.code == 0 && eval.stdout.contains("9.46079980575912"), "\(eval.code) \(eval.stderr)")
        let list = try runProcess(wb, ["list"], environment: env)
        #expect(list.code == 3, "list reports the failed files with exit 3: \(list.code)")
        for (name, _, reason) in classes {
            let line = list.stderr.split(separator: "\n").first { $0.contains("lib\(name)Plugin.so") } ?? ""
            #expect(!line.isEmpty && (reason.isEmpty || line.contains(reason)), "\(name): \(line)")
        }
        // Crashes and hangs are not cached: the next command probes them again (and survives again).
        let cache = try String(contentsOfFile: dir + "/cache/workbench/host-probe-v1.json", encoding: .utf8)
        #expect(!cache.contains("CtorCrash") && !cache.contains("Hangs"), "\(cache)")
        #expect(try runProcess(wb, ["eval", "siegert", "15", "5"], environment: env).code == 0)
    }
}
