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

        Plots: 'workbench plot siegert rate_hz --grid mu=-10:40:0.5 --grid sigma=2,5,10' writes an SVG (first grid = x axis, the others = series; --log-y; --mc adds Monte-Carlo points; see 'workbench plot --help').
        Interactive: 'workbench repl' runs the same commands in one session with session defaults ('set tau_m 10ms' adds --tau-m 10ms to every later command whose estimator or model has tau_m), history and line editing on a terminal; from a pipe it reads one command per line.
        """,
        version: workbenchVersion,
        subcommands: [Eval.self, Simulate.self, Validate.self, AtlasCommand.self, Init.self, List.self, Describe.self, Plot.self, Repl.self, NotebookCommand.self])
}

/// Options shared by the commands that load plugins.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"), help: "Directory to search for lib*Plugin.so first (repeatable, or colon-separated).")
    var pluginPath: [String] = []

    func registry() -> PluginRegistry { PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: pluginPath)) }
}

enum TextOrJSON: String, ExpressibleByArgument, CaseIterable { case table, json }

/// Writes to stderr; a failure there has nowhere to be reported, so it is ignored.
func printError(_ s: String) { try? FileHandle.standardError.write(contentsOf: Data((s.hasSuffix("\n") ? s : s + "\n").utf8)) }

/// Writes to stdout. FileHandle.write(_:) traps on an error (a full disk, a closed pipe): the throwing
/// form is used, and a failed write ends the command with exit 1 and the reason on stderr.
func printOut(_ s: String) {
    do { try FileHandle.standardOutput.write(contentsOf: Data(s.utf8)) } catch {
        let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? "\(error)"
        printError("error: cannot write the output to standard output: \(reason.contains("No space") ? "no space left on the device" : reason)")
        exit(WorkbenchError.Code.internalError.rawValue)
    }
}

/// Runs one command line (without the program name) in this process and returns its exit status,
/// having printed what the command and its errors print. Exit codes of DESIGN.md §6: the parser's own
/// usage code 64 becomes 2. Shared by `main` and the REPL, so both print the same messages.
func execute(_ arguments: [String]) -> Int32 {
    do {
        var command = try Workbench.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch let e as WorkbenchError {
        printError("error: \(e.message)")
        return e.code.rawValue
    } catch {
        let code = Workbench.exitCode(for: error).rawValue
        let message = Workbench.fullMessage(for: error)
        if code == 0 { if !message.isEmpty { printOut(message + "\n") }; return 0 }
        if !message.isEmpty { printError(message) }
        return code == ExitCode.validationFailure.rawValue ? 2 : code
    }
}

func runMain() -> Never {
    exit(execute(Array(CommandLine.arguments.dropFirst())))
}
