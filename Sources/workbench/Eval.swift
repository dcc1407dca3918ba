import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate an estimator at one point, a CSV of points (--input) or a grid (--grid).",
            usage: """
            workbench eval <estimator> [<value> ...] [--<parameter> <value> ...]
                      [<options>]
            """,
            discussion: """
            Positional values fill the estimator's required parameters in order (those
            no option or --grid gives); other parameters are options named after them:
            --tau-m 10 or --tau_m=10ms. Numbers take units: 15mV, 0.015V, 10ms, 0.01s,
            10Hz. 'workbench describe <estimator>' lists parameters and outputs.

            Examples:
              workbench eval siegert 15 5
              workbench eval siegert 15 5 --tau-m 10ms --format json
              workbench eval siegert --grid mu=-20:40:0.5 --grid sigma=1,2,5 \\
                  --outputs rate_hz,cv
              workbench eval linear-response 15 5 --grid f=0.1:10000:log5 --format csv
            """)

        @Argument(help: "The estimator (see 'workbench list').", completion: .custom(Completion.estimators))
        var estimator: String

        @Argument(parsing: .allUnrecognized,
                  help: ArgumentHelp("Required values in order, then --<parameter> <value> pairs.",
                                     valueName: "value | --parameter value"),
                  completion: .custom(Completion.parameters))
        var parameters: [String] = []

        @OptionGroup var format: FormatOption

        @Option(help: ArgumentHelp("Outputs to compute and print (the others are not computed).",
                                   valueName: "a,b,..."),
                completion: .custom(Completion.outputs))
        var outputs: String?

        @Option(help: ArgumentHelp("One evaluation per row; the header names parameters (default units).",
                                   valueName: "file.csv"),
                completion: .file(extensions: ["csv"]))
        var input: String?

        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("""
            A grid axis (repeatable; cartesian product): name=a:b:step, name=v1,v2,..., or name=a:b:logN \
            (N log-spaced points per decade, e.g. f=0.1:1e4:log5).
            """, valueName: "name=values"),
                completion: .custom(Completion.gridAxes))
        var grid: [String] = []

        @OptionGroup var conventions: ConventionOptions

        @Flag(help: "Report the time spent inside the estimator (the ABI batch call) on stderr.")
        var timing = false

        @OptionGroup var plugins: PluginOptions

        func run() throws {
            var args = try evalArguments(estimator, parameters, format: format.format, conventions: conventions,
                                         pluginPaths: plugins.pluginPath)
            args.input = input
            args.grids = grid
            args.outputs = outputs.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            args.timing = timing
            let registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: args.pluginPaths))
            guard let estimator = registry.estimator(named: args.estimator) else {
                var m = "unknown estimator '\(args.estimator)' (available: \(registry.estimators.map(\.name).sorted().joined(separator: ", ")))"
                if !registry.failures.isEmpty {
                    m += "; plugin files that failed to load:\n" + registry.failures.map { "  \($0)" }.joined(separator: "\n")
                }
                throw WorkbenchError.badInput(m)
            }
            // For eval, broken neighbours are warnings, not failures.
            for f in registry.failures { printError("warning: plugin skipped: \(f)") }
            let evaluator = Evaluator(estimator: estimator, args: args)
            if evaluator.streams {
                // Earlier text printed through FileHandle is unbuffered, so the two cannot interleave.
                let summary = try evaluator.stream(to: StandardOutput.write)
                for line in summary.stderr { printError(line) }
                if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
                return
            }
            let result = try evaluator.run()
            printOut(result.stdout)
            for line in result.stderr { printError(line) }
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}
