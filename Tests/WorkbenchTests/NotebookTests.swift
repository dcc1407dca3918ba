// The documentation runs: every notebook in notebooks-txt/ executes with the built binary, and the
// runner itself catches a wrong output, a wrong exit code and honours tolerances.
import Foundation
import Testing
import WorkbenchCore

struct NotebookTests {
    static let notebooks: [String] = {
        let dir = packageRoot + "/notebooks-txt"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") }.sorted().map { dir + "/" + $0 }
    }()

    @Test func thereAreNotebooks() { #expect(Self.notebooks.count >= 3) }

    @Test(arguments: notebooks)
    func notebookRuns(_ file: String) throws {
        let r = try workbench(["notebook", "run", file])
        #expect(r.code == 0, "\(file):\n\(r.stderr)")
    }

    @Test func runnerDetectsMismatchesAndUpdates() throws {
        let dir = try temporaryDirectory("nb")
        let file = dir + "/t.txt"
        try """
        Prose.
        ~ rel 1e-6
        $ workbench eval siegert 15 5 --outputs rate_hz --format csv
          mu,sigma,theta,v_reset,tau_m,tau_ref,v,rate_hz,status,error
          15,5,20,10,20,2,,9.4610,ok,
        ~ exit 2
        $ workbench eval siegert 15 -5
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let loose = try workbench(["notebook", "run", file])
        #expect(loose.code == 4, "9.4610 is 2e-5 off: must differ at rel 1e-6")
        #expect(loose.stderr.contains("expected: 15,5,20,10,20,2,,9.4610,ok,"))
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "~ rel 1e-6", with: "~ rel 1e-4")
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try workbench(["notebook", "run", file]).code == 0)
        try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "~ exit 2\n", with: "")
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try workbench(["notebook", "run", file]).code == 4, "an unexpected exit code must fail")
        #expect(try workbench(["notebook", "run", "--update", file]).code == 0)
        let updated = try String(contentsOfFile: file, encoding: .utf8)
        #expect(updated.contains("  15,5,20,10,20,2,,9.460799805759125,ok,") && updated.hasPrefix("Prose."))
    }

    /// A tolerance that cannot compare (`~ rel nan` passed anything, a negative one failed everything) is an error.
    @Test func toleranceMustBeAFiniteNonNegativeNumber() throws {
        let dir = try temporaryDirectory("nbtol")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for bad in ["~ rel nan", "~ abs -1", "~ rel inf"] {
            let file = dir + "/t.txt"
            try "\(bad)\n$ workbench eval siegert 15 5 --outputs rate_hz --format csv\n  anything\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let r = try workbench(["notebook", "run", file])
            #expect(r.code == 2 && r.stderr.contains("bad tolerance"), "\(bad): exit \(r.code) \(r.stderr)")
        }
    }

    /// A command killed by a signal is reported as a crash, not as "exit code 4" (SIGILL's number).
    @Test func aCrashedCommandIsReportedAsACrash() throws {
        let dir = try temporaryDirectory("nbcrash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = dir + "/workbench"
        try "#!/bin/sh\nkill -ILL $$\n".write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        try "$ workbench eval siegert 15 5\n  anything\n".write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
        let mismatches = try Notebook.run(file: dir + "/t.txt", workbenchPath: fake, update: false)
        #expect(mismatches.count == 1)
        #expect(mismatches.first?.detail.contains("the command crashed (killed by signal 4, SIGILL") == true, "\(mismatches)")
    }
}
