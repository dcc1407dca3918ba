// Inputs that once trapped the process (Swift runtime traps on unchecked conversions, exit 132) or wrote
// invalid JSON: each must now be a clear error (exit 2) naming what is wrong, or valid output.
import Foundation
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
    ])
    func noTrap(_ args: [String], _ words: String) throws {
        let r = try workbench(args)
        #expect(r.code == 2, "\(args): exit \(r.code) \(r.stderr)")
        #expect(r.stderr.contains(words), "\(args): \(r.stderr)")
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

    @Test func jsonStaysValidForInfiniteInputs() throws {
        let dir = try temporaryDirectory("hostile-json")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "mu,sigma\n1e308V,5\n15,5\n".write(toFile: dir + "/j.csv", atomically: true, encoding: .utf8)
        let r = try workbench(["eval", "siegert", "--input", dir + "/j.csv", "--format", "json"])
        #expect((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) != nil, "invalid JSON: \(r.stdout)")
    }
}
