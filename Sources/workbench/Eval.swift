import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate an estimator at one point, a CSV of points (--input) or a grid (--grid).",
            discussion: """
            workbench eval <estimator> [required values...] [--<parameter> <value>...] [options]

              Positional values fill the estimator's required parameters in order (those no option or --grid gives;
              see 'workbench describe').
              Other parameters: --tau-m 10 or --tau_m=10ms; units such as 15mV, 0.015V, 10ms, 0.01s, 10Hz.
              --format table|json|csv   output format (default: table; csv for batches)
              --outputs a,b,...         outputs to compute and print (others are not computed)
              --input FILE.csv          one evaluation per row; the header names parameters (default units)
              --grid name=a:b:step      a grid axis (repeatable; cartesian product; or name=v1,v2,...;
                                        name=a:b:logN: N log-spaced points per decade, e.g. f=0.1:1e4:log5)
              --v-rest E                potentials (theta, v_reset, v) are absolute; outputs reported absolute
              --sigma-free s            free-membrane std instead of sigma (sigma = sqrt(2) s)
              --plugin-path DIR         search DIR for plugins first

            Examples:
              workbench eval siegert 15 5
              workbench eval siegert 15 5 --tau-m 10ms --format json
              workbench eval siegert --grid mu=-20:40:0.5 --grid sigma=1,2,5 --outputs rate_hz,cv
              workbench eval linear-response 15 5 --grid f=0.1:10000:log5 --format csv
            """)

        @Argument(parsing: .captureForPassthrough, help: "Estimator name, values and options (see discussion).")
        var words: [String] = []

        func run() throws {
            // Words are captured raw (parameter options depend on the estimator), so help is ours to spot.
            if words.isEmpty || words.contains("--help") || words.contains("-h") {
                if words.isEmpty { throw WorkbenchError.badInput("missing estimator name (see 'workbench list' and 'workbench eval --help')") }
                printOut(Workbench.helpMessage(for: Eval.self) + "\n")
                return
            }
            let args = try EvalArguments(words)
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
