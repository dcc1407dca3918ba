// `workbench atlas`: per-point seeds, shards and merge byte-identical to one process, resume after a
// kill, recorded errors, compared estimator rows on the same simulations, Slurm array variables.
import Foundation
import Testing
import WorkbenchCore

@Suite struct AtlasTests {
    /// A small, fast atlas: siegert over mu x sigma, short runs.
    static let words = ["atlas", "siegert", "--grid", "mu=10,15,20", "--grid", "sigma=3,5", "--neurons", "160",
                        "--time", "300ms", "--burn-in", "100ms", "--threads", "1", "--seed", "7"]

    func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in ["atlas.csv", "atlas.json", "heatmap-rate_hz.svg", "heatmap-cv.svg", "manifest.json"] {
            let data = FileManager.default.contents(atPath: dir + "/" + name) ?? Data()
            #expect(!data.isEmpty, "\(dir)/\(name)")
            out[name] = data
        }
        return out
    }

    @Test func shardsMergedAreByteIdenticalToOneProcess() throws {
        let root = try temporaryDirectory("atlas")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = try workbench(Self.words + ["--out", root + "/one"])
        #expect(one.code == 0, "\(one.stderr)")
        #expect(one.stdout.contains("atlas: 6 points over mu (3) x sigma (2)"), "\(one.stdout)")
        for k in 0..<4 {
            let r = try workbench(Self.words + ["--out", root + "/shard\(k)", "--shard", "\(k)/4"])
            #expect(r.code == 0 && r.stdout.contains("shard \(k)/4"), "\(r.stdout) \(r.stderr)")
        }
        let merged = try workbench(["atlas", "merge"] + (0..<4).map { root + "/shard\($0)" } + ["--out", root + "/merged"])
        #expect(merged.code == 0, "\(merged.stderr)")
        #expect(try files(root + "/one") == files(root + "/merged"), "merged shards differ from the one-process atlas")
        // Incomplete shards do not merge into a table.
        let partial = try workbench(["atlas", "merge", root + "/shard0", "--out", root + "/partial"])
        #expect(partial.code == 2 && partial.stderr.contains("missing"), "\(partial.stderr)")
    }

    @Test func resumeFinishesAKilledRunWithTheSameTable() throws {
        let root = try temporaryDirectory("atlas-resume")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try workbench(Self.words + ["--out", root + "/full"]).code == 0)
        // A killed run: some points finished, one torn temporary file left behind.
        #expect(try workbench(Self.words + ["--out", root + "/killed", "--shard", "1/3"]).code == 0)
        _ = FileManager.default.createFile(atPath: root + "/killed/points/p00000003.csv.123.tmp", contents: Data("torn".utf8))
        let again = try workbench(Self.words + ["--out", root + "/killed"])
        #expect(again.code == 2 && again.stderr.contains("--resume"), "\(again.stderr)")
        let resumed = try workbench(Self.words + ["--out", root + "/killed", "--resume"])
        #expect(resumed.code == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("atlas: 4 points"), "only the missing points run: \(resumed.stderr)")
        #expect(try files(root + "/full") == files(root + "/killed"))
        // Another specification into the same directory is refused.
        var other = Self.words
        other[other.firstIndex(of: "7")!] = "8"
        let clash = try workbench(other + ["--out", root + "/full", "--resume"])
        #expect(clash.code == 2 && clash.stderr.contains("another specification"), "\(clash.stderr)")
    }

    /// SIGKILL in the middle of a run: the finished points survive, nothing torn is read, --resume finishes.
    @Test func aRealKillLosesOnlyThePointInFlight() throws {
        let root = try temporaryDirectory("atlas-kill")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let words = ["atlas", "siegert", "--grid", "mu=14:20:1", "--grid", "sigma=4,5", "--neurons", "2000", "--time", "2s",
                     "--burn-in", "100ms", "--threads", "1", "--seed", "5"]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: buildDirectory + "/workbench")
        p.arguments = words + ["--out", root + "/k"]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        let started = Date()
        var finished = 0
        while Date().timeIntervalSince(started) < 60 {
            finished = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/k/points")) ?? []).filter { $0.hasSuffix(".csv") }.count
            if finished >= 2 { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(finished >= 2 && finished < 14, "killed after \(finished) points")
        let resumed = try workbench(words + ["--out", root + "/k", "--resume"])
        #expect(resumed.code == 0, "\(resumed.stderr)")
        #expect(try workbench(words + ["--out", root + "/full"]).code == 0)
        let a = try String(contentsOfFile: root + "/k/atlas.csv", encoding: .utf8)
        let b = try String(contentsOfFile: root + "/full/atlas.csv", encoding: .utf8)
        #expect(a == b, "the resumed atlas differs from an uninterrupted one")
    }

    @Test func errorsAreRecordedAndComparedRowsShareTheSimulation() throws {
        let root = try temporaryDirectory("atlas-cmp")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try workbench(["atlas", "siegert-colored", "--grid", "mu=15", "--grid", "sigma=-1,2,5", "--grid", "tau_s=0.3,2",
                               "--compare", "method=taylor", "--neurons", "160", "--time", "300ms", "--burn-in", "100ms",
                               "--out", root + "/a"])
        #expect(r.code == 0, "\(r.stderr)")
        let table = CSV.parse(try String(contentsOfFile: root + "/a/atlas.csv", encoding: .utf8))
        let h = table[0], rows = Array(table.dropFirst())
        let col = { (n: String) in h.firstIndex(of: n)! }
        // sigma = -1: the point failed and says why; the others ran.
        let bad = rows.filter { $0[col("sigma")] == "-1" }
        #expect(bad.count == 2 && bad.allSatisfy { $0[col("status")] == "error" && $0[col("error")].contains("sigma") })
        // taylor at sigma = 2, tau_s = 2 ms cannot be evaluated (its correction exceeds the rate): that row failed alone.
        let t4 = rows.filter { $0[col("sigma")] == "2" && $0[col("tau_s")] == "2" }
        #expect(t4.contains { $0[col("variant")] == "siegert-colored" && $0[col("status")] == "ok" })
        #expect(t4.contains { $0[col("variant")].contains("taylor") && $0[col("status")] == "error" })
        // Where both rows ran, their MC columns are the same simulation.
        let ok = rows.filter { $0[col("sigma")] == "5" && $0[col("tau_s")] == "0.3" && $0[col("quantity")] == "rate_hz" }
        #expect(ok.count == 2 && ok[0][col("mc")] == ok[1][col("mc")] && ok[0][col("mc_se")] == ok[1][col("mc_se")])
        #expect(ok[0][col("estimator")] != ok[1][col("estimator")])
        // The point's seed reproduces it with validate.
        let seed = ok[0][col("seed")]
        let v = try workbench(["validate", "siegert-colored", "15", "5", "0.3", "--neurons", "160", "--time", "300ms",
                               "--burn-in", "100ms", "--seed", seed, "--format", "csv"])
        #expect(v.stdout.contains(ok[0][col("mc")]), "validate --seed \(seed) reproduces the point")
        let svg = try String(contentsOfFile: root + "/a/heatmap-rate_hz.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("sigma [mV]") && svg.contains("tau_s = 2") && svg.contains("data-verdict"))
    }

    @Test("a specification no point can run is refused up front", arguments: [
        (["atlas", "siegert", "--grid", "mu=10,15", "--out"], "missing required parameter 'sigma'"),
        (["atlas", "siegert", "5", "--mu", "12", "--grid", "mu=10,15", "--out"], "given twice"),
        (["atlas", "siegert", "--grid", "mu=15", "--sigma", "5", "--compare", "mu=25", "--out"], "parameter of the simulated model"),
        (["atlas", "siegert", "--grid", "mu=15", "--sigma", "5", "--compare", "neurons=5", "--out"], "run options"),
        (["atlas", "siegert", "--grid", "mu=15", "--sigma", "5", "--compare", "estimator=siegert", "--out"], "appears twice"),
        (["atlas", "siegert", "--grid", "mu=15", "--sigma", "5", "--neurons", "16", "--out"], "every point failed"),
    ])
    func refusedSpecifications(_ words: [String], _ message: String) throws {
        let root = try temporaryDirectory("atlas-bad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try workbench(words + [root + "/a"])
        #expect(r.code == 2 && r.stderr.contains(message), "\(words): \(r.code) \(r.stderr)")
    }

    /// An empty (torn by a crash before the data reached the disk) point file is run again; the thread
    /// count is not part of the atlas, so a resume on other cores is the same atlas.
    @Test func emptyPointFilesAreRunAgainAndThreadsAreNotPartOfTheAtlas() throws {
        let root = try temporaryDirectory("atlas-torn")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try workbench(Self.words + ["--out", root + "/a"]).code == 0)
        let reference = try String(contentsOfFile: root + "/a/atlas.csv", encoding: .utf8)
        _ = FileManager.default.createFile(atPath: root + "/a/points/p00000002.csv", contents: Data())
        _ = FileManager.default.createFile(atPath: root + "/a/points/p7.csv", contents: Data("junk".utf8))
        var other = Self.words
        other[other.firstIndex(of: "--threads")! + 1] = "2"
        let r = try workbench(other + ["--out", root + "/a", "--resume"])
        #expect(r.code == 0 && r.stderr.contains("atlas: 1 point in"), "\(r.stderr)")
        #expect(try String(contentsOfFile: root + "/a/atlas.csv", encoding: .utf8) == reference)
    }

    @Test func seedsAndShardsArePureFunctions() throws {
        let spec = AtlasSpec(words: ["siegert"], axes: [AtlasAxis(name: "mu", unit: "mV", values: ["1", "2", "3"]),
                                                        AtlasAxis(name: "sigma", unit: "mV", values: ["4", "5"])],
                             compare: [], seed: 1, color: .rel)
        #expect(Atlas.values(of: 0, spec) == ["1", "4"] && Atlas.values(of: 5, spec) == ["3", "5"])
        #expect(Atlas.seed(of: ["2", "5"], spec) == Atlas.seed(of: ["2", "5"], spec))
        #expect(Set((0..<6).map { Atlas.seed(of: Atlas.values(of: $0, spec), spec) }).count == 6)
        #expect(Atlas.shard(1, of: 4, spec) == [1, 5])
        #expect(try Atlas.shard(option: nil, environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == (3, 4))
        #expect(try Atlas.shard(option: nil, environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4",
                                                           "SLURM_ARRAY_TASK_MIN": "4"]) == (1, 4))
        #expect(try Atlas.shard(option: "2/3", environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"]) == (2, 3))
        #expect(try Atlas.shard(option: nil, environment: [:]) == (0, 1))
        // --array=0-6:2 gives tasks 0, 2, 4, 6: shards 0 to 3 of 4.
        #expect(try Atlas.shard(option: nil, environment: ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "4",
                                                           "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "2"]) == (3, 4))
        #expect(throws: WorkbenchError.self) { try Atlas.shard(option: "3/3", environment: [:]) }
        #expect(throws: WorkbenchError.self) { try Atlas.shard(option: "a/b", environment: [:]) }
    }
}
