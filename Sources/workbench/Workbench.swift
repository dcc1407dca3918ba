// The `workbench` command line: a root command with subcommands in extensions (one file each).
import ArgumentParser
import Foundation
import WorkbenchCore

struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "LIF stochastic-process theory workbench: firing rates, ISI statistics, densities, first passage, initialisation.",
        discussion: """
        Estimators are plugins (lib*Plugin.so) found on --plugin-path,
        $WORKBENCH_PLUGIN_PATH, then next to this executable. Units: mV, ms, Hz;
        potentials relative to rest unless --v-rest is given.
        Exit codes: 0 ok, 2 bad input or usage, 3 plugin files failed to load
        (list/describe), 4 validation disagreement, 1 internal error.

        Start with:
          workbench list                      the estimators
          workbench describe siegert          parameters, outputs, validity
          workbench eval siegert 15 5         rate, CV, ... at mu = 15, sigma = 5 mV
          workbench validate siegert 15 5     the same against a simulation
          workbench plot siegert rate_hz --grid mu=-10:40:0.5 --grid sigma=2,5,10
          workbench repl                      a session with defaults: set tau_m 10ms
        Shell completion: workbench --generate-completion-script bash|zsh|fish
        """,
        version: workbenchVersion,
        subcommands: [Eval.self, Simulate.self, Validate.self, AtlasCommand.self, Init.self, Network.self, List.self, Describe.self, Plot.self, Repl.self, NotebookCommand.self])
}

extension Workbench {
    /// The words of the command being run (after `workbench`), for what records its own command line (plot's SVG).
    @TaskLocal static var commandLine: [String] = []
}

/// Options shared by the commands that load plugins.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"),
            help: ArgumentHelp("Directory to search for lib*Plugin.so first (repeatable, or colon-separated).",
                               valueName: "dir"),
            completion: .directory)
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
    Workbench.$commandLine.withValue(arguments) { executeParsed(arguments) }
}

private func executeParsed(_ arguments: [String]) -> Int32 {
    do {
        var command = try Workbench.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch let e as WorkbenchError {
        printError("error: \(e.message)")
        return e.code.rawValue
    } catch {
        let code = Workbench.exitCode(for: error).rawValue
        if code == 0 {
            let message = Workbench.fullMessage(for: error)     // --help, --version, a completion script
            if !message.isEmpty { printOut(message + "\n") }
            return 0
        }
        guard code == ExitCode.validationFailure.rawValue else { return code }
        // A usage error is one line, like every bad-input error: the parser's message and where the help is
        // (its full message repeats the usage, which the help shows better).
        let command = arguments.first.flatMap { w in Workbench.configuration.subcommands.first { $0._commandName == w } }
        let help = command.map { "'workbench \($0._commandName) --help'" } ?? "'workbench --help'"
        printError("error: \(Workbench.message(for: error)) (see \(help))")
        return 2
    }
}

func runMain() -> Never {
    exit(execute(Array(CommandLine.arguments.dropFirst())))
}
