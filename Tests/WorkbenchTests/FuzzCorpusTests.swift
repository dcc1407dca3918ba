// The coverage-guided fuzzers' corpora (Tests/fuzz/corpus, grown and minimised by Tests/fuzz/run.sh) replayed
// through the same property checks in the ordinary build: every input that once found new code stays a test.
import Foundation
import Testing

struct FuzzCorpusTests {
    @Test(arguments: ["number", "csv", "elf"])
    func corpusHoldsEveryProperty(_ target: String) throws {
        let corpus = packageRoot + "/Tests/fuzz/corpus/" + target
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(inputs.count >= 50, "\(target): only \(inputs.count) corpus inputs")
        let r = try runProcess(buildDirectory + "/workbench-fuzz", ["replay", target, corpus])
        #expect(r.code == 0, "\(target): exit \(r.code)\n\(r.stderr.suffix(2000))")
        #expect(r.stdout.contains("\(target): \(inputs.count) inputs replayed, every property held"), "\(r.stdout)")
    }

    /// Replay reads what it is given and says when it cannot.
    @Test func replayRefusesMissingInputsAndUnknownTargets() throws {
        let dir = try temporaryDirectory("fuzz")
        // Two header bytes, then a text whose CSV reading both paths must agree on; a missing file is an error.
        try Data([7, 3] + Array("a,\"b\r\nc\",d\n".utf8)).write(to: URL(fileURLWithPath: dir + "/ok"))
        #expect(try runProcess(buildDirectory + "/workbench-fuzz", ["replay", "csv", dir]).code == 0)
        let missing = try runProcess(buildDirectory + "/workbench-fuzz", ["replay", "csv", dir + "/absent"])
        #expect(missing.code == 2 && missing.stderr.contains("no such file"), "\(missing.stderr)")
        let usage = try runProcess(buildDirectory + "/workbench-fuzz", ["replay", "yaml", dir])
        #expect(usage.code == 2 && usage.stderr.contains("usage"), "\(usage.stderr)")
    }
}
