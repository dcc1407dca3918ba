import ArgumentParser
import Foundation
import NetworkTheory
import WorkbenchCore

extension Workbench {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an estimator against a Monte-Carlo simulation of the model it declares (THEORY §9.0).",
            usage: """
            workbench validate <estimator> [<value> ...] [--<parameter> <value> ...]
                               [<options>]
            """,
            discussion: """
            Parameters as for 'eval'. By default the run length is chosen from the
            estimator's own rate and CV so that the rate's SE is --precision of it.
            Exit 0 when every quantity agrees, 4 when any disagrees or nothing could be
            compared. An estimator with a frequency parameter f (linear-response) is
            checked on a simulation modulated at f: --modulate mu (default; amplitude
            sigma/10, or mu:EPS), sigma2[:EPS], or none (the stationary rate and
            spectrum).

            'workbench validate network FILE' checks a network's mean-field theory
            (see 'workbench network') against its simulation: rates, CVs, mean V and
            spectra within 4 SE + the model error the theory estimates for itself, or,
            at an unstable working point, an oscillation near the predicted frequency.
            After FILE: --set path=value, --[no-]sigma2-channel (default: on for delta
            synapses), --rate-estimator, --response-estimator, --segments n.

            Examples:
              workbench validate siegert 15 5
              workbench validate network examples/networks/brunel-A.yaml
            """)

        @Argument(help: "The estimator (see 'workbench list').", completion: .custom(Completion.estimators))
        var estimator: String

        @Argument(parsing: .allUnrecognized,
                  help: ArgumentHelp("Required values in order, then --<parameter> <value> pairs.",
                                     valueName: "value | --parameter value"),
                  completion: .custom(Completion.parameters))
        var parameters: [String] = []

        @Option(help: ArgumentHelp("Relative SE of the rate that sizes the run (default 0.003).", valueName: "p"))
        var precision: String?

        @Flag(help: """
            Treat every estimator output as exact (model error 0): shows that the check rejects an approximation.
            """)
        var assumeExact = false

        @OptionGroup var size: RunSizeOptions
        @OptionGroup var recording: RecordingOptions
        @OptionGroup var format: FormatOption
        @OptionGroup var conventions: ConventionOptions
        @OptionGroup var plugins: PluginOptions

        func run() throws {
            var extra = size.extra.merging(recording.extra) { a, _ in a }
            if estimator == "network" { return try runNetwork(extra) }
            if let precision { extra["precision"] = precision }
            var args = try evalArguments(estimator, parameters, format: format.format, conventions: conventions,
                                         pluginPaths: plugins.pluginPath, extra: extra)
            args.assumeExact = assumeExact
            let progress = ProgressLine()
            let (reports, _, format) = try Validation.run(arguments: args, progress: progress.update)
            progress.finish()
            let report = reports[0]
            printOut(Validation.render(report, format: format))
            if !report.allAgree {
                if format != .table { printError(report.verdictLine) }     // the table ends with it already
                throw ExitCode(WorkbenchError.Code.disagreement.rawValue)
            }
        }

        /// `validate network FILE`: theory and simulation of a recurrent network (NetworkValidation.swift).
        func runNetwork(_ extra: [String: String]) throws {
            let words = try NetworkValidateWords.parse(parameters, command: "validate")
            var extra = extra
            if let s = words.run.segments { extra["segments"] = s }
            if precision != nil || assumeExact {
                throw WorkbenchError.badInput("--precision and --assume-exact do not apply to a network")
            }
            guard words.run.grid.isEmpty else {
                throw WorkbenchError.badInput("validate network: --grid is not taken (one network per validation; "
                    + "sweep with simulate network --grid and network --grid)")
            }
            let network = try words.run.load()
            var theory = NetworkAnalysis.Options()
            theory.rateEstimator = words.rateEstimator
            theory.responseEstimator = words.responseEstimator
            theory.pluginPaths = plugins.pluginPath
            // Delta synapses modulate the input variance with the presynaptic rates as much as its mean; the
            // sigma^2 channel puts that in the spectra and modes (without it Brunel A's modes are ~2x too fast).
            theory.sigma2Channel = words.sigma2Channel ?? !network.populations.contains { $0.tauS > 0 }
            if let spectrum = extra["spectrum"] { theory.spectrumFrequencies = try NetworkRun.frequencies(spectrum) }
            extra["spectrum"] = nil
            let options = try NetworkRun.options(extra, spectrum: nil)
            let result = try NetworkValidation.run(network, theory: theory, simulation: options)
            switch format.format ?? .table {
            case .json: printOut(result.json(file: words.run.file))
            case .csv: printOut(result.csv())
            case .table: printOut(result.table(file: words.run.file))
            }
            if !result.allAgree {
                if format.format != nil && format.format != .table { printError(result.verdictLine) }
                throw ExitCode(WorkbenchError.Code.disagreement.rawValue)
            }
        }
    }
}
