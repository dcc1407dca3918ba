import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an estimator against a Monte-Carlo simulation of the model it declares (THEORY §9.0).",
            discussion: """
            workbench validate <estimator> [required values...] [--<parameter> <value>...] [options]

              Parameters as for 'eval'; simulation options as for 'simulate' (--neurons, --time, --dt,
              --burn-in, --scheme, --seed, --threads, --density). By default the run length is chosen from
              the estimator's own rate and CV so that the rate's SE is --precision (default 0.003) of it.
              --assume-exact treats every estimator output as exact (model error 0): how to show that the
              check rejects an approximation. Exit 0 when every quantity agrees, 4 when any disagrees.
              An estimator with a frequency parameter f (linear-response) is checked on a simulation modulated
              at f: --modulate mu (default; amplitude sigma/10, or mu:EPS), sigma2[:EPS], or none (the
              stationary rate and spectrum).

            Example: workbench validate siegert 15 5
            """)

        @Argument(parsing: .captureForPassthrough, help: "Estimator, values and options (see discussion).")
        var words: [String] = []

        func run() throws {
            if words.isEmpty { throw WorkbenchError.badInput("missing estimator name (see 'workbench list')") }
            if words.contains("--help") || words.contains("-h") { printOut(Workbench.helpMessage(for: Validate.self) + "\n"); return }
            let progress = ProgressLine()
            let (report, format) = try Validation.run(words: words, progress: progress.update)
            progress.finish()
            printOut(Validation.render(report, format: format))
            if !report.allAgree {
                if format != .table { printError(report.verdictLine) }     // the table ends with it already
                throw ExitCode(WorkbenchError.Code.disagreement.rawValue)
            }
        }
    }
}
