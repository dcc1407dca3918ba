// The `workbench` command line: a root command with subcommands in extensions (one file each).
import ArgumentParser
import Foundation
import WorkbenchCore

struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "LIF stochastic-process theory workbench: firing rates, ISI statistics, densities, first passage, initialisation.",
        discussion: """
        Estimators are plugins (lib*Plugin.so) found on --plugin-path, $WORKBENCH_PLUGIN_PATH, then next \
        to this executable. Units: mV, ms, Hz; potentials relative to rest unless --v-rest is given.
        Exit codes: 0 ok, 2 bad input or usage, 3 plugin files failed to load (list/describe), \
        4 validation disagreement, 1 internal error.
        """,
        version: workbenchVersion,
        subcommands: [Eval.self, Simulate.self, Validate.self, Init.self, List.self, Describe.self, NotebookCommand.self])
}

/// Options shared by the commands that load plugins.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"), help: "Directory to search for lib*Plugin.so first (repeatable, or colon-separated).")
    var pluginPath: [String] = []

    func registry() -> PluginRegistry { PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: pluginPath)) }
}

enum TextOrJSON: String, ExpressibleByArgument, CaseIterable { case table, json }

func printError(_ s: String) { FileHandle.standardError.write((s.hasSuffix("\n") ? s : s + "\n").data(using: .utf8)!) }
func printOut(_ s: String) { FileHandle.standardOutput.write(s.data(using: .utf8)!) }

/// Exit codes of DESIGN.md §6: the parser's own usage code 64 becomes 2.
func runMain() -> Never {
    do {
        var command = try Workbench.parseAsRoot()
        try command.run()
        exit(0)
    } catch let e as WorkbenchError {
        printError("error: \(e.message)")
        exit(e.code.rawValue)
    } catch {
        let code = Workbench.exitCode(for: error).rawValue
        let message = Workbench.fullMessage(for: error)
        if code == 0 { if !message.isEmpty { printOut(message + "\n") }; exit(0) }
        if !message.isEmpty { printError(message) }
        exit(code == ExitCode.validationFailure.rawValue ? 2 : code)
    }
}
