import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct NotebookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notebook", abstract: "Run text notebooks (notebooks-txt/*.txt).", subcommands: [Run.self])

        struct Run: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Execute every command of the notebooks and report outputs that differ (exit 4).",
                discussion: """
                Format: prose; '$ workbench ...' commands; their expected output indented by
                two spaces; '~ rel 1e-9' / '~ abs 1e-12' / '~ exact' tolerance lines;
                '~ exit N' for the next command.
                """)
            @Argument(help: "Notebook files.") var files: [String]
            @Flag(help: "Rewrite the expected outputs with the actual ones.") var update = false

            func run() throws {
                let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
                var failed = 0
                for f in files {
                    let m = try Notebook.run(file: f, workbenchPath: exe, update: update)
                    for x in m { printError("\(x)") }
                    failed += m.count
                    printOut("\(f): \(update ? "updated" : (m.isEmpty ? "ok" : "\(m.count) command(s) differ"))\n")
                }
                if failed > 0 { throw ExitCode(WorkbenchError.Code.disagreement.rawValue) }
            }
        }
    }
}
