import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the estimators found on the plugin path.")
        @OptionGroup var plugins: PluginOptions
        @Option(help: "Output format: table or json.") var format: TextOrJSON = .table

        func run() throws {
            let registry = plugins.registry()
            if format == .json {
                let list = JSON.array(registry.estimators.map { e in
                    .object([("estimator", .string(e.name)), ("model", .string(e.model)), ("plugin", .string(e.file.path)),
                             ("summary", .string(e.summary))])
                })
                let failures = JSON.array(registry.failures.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })
                printOut(JSON.object([("workbench_version", .string(workbenchVersion)), ("estimators", list),
                                      ("failed_plugins", failures)]).render() + "\n")
            } else {
                let rows = [["estimator", "model", "plugin", "summary"]] + registry.estimators.map {
                    [$0.name, $0.model, ($0.file.path as NSString).lastPathComponent, $0.summary]
                }
                let w = (0..<3).map { c in rows.map { $0[c].count }.max()! }
                for r in rows { printOut((0..<3).map { r[$0].padding(toLength: w[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + r[3] + "\n") }
                if registry.estimators.isEmpty { printOut("(no estimators found; searched: \(registry.searchedDirectories.joined(separator: ", ")))\n") }
            }
            for f in registry.failures { printError("plugin failed to load: \(f)") }
            if !registry.failures.isEmpty { throw ExitCode(WorkbenchError.Code.pluginLoadFailures.rawValue) }
        }
    }
}
