import ArgumentParser
import Foundation
import NetworkTheory
import WorkbenchCore

extension Workbench {
    struct Network: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mean-field theory of a recurrent network: working points, stability, rate spectra.",
            usage: """
                workbench network <file.yaml> [--set <path=value> ...] [--grid <path=values> ...]
                                  [--spectrum <f1,f2,...>] [<options>]
                """,
            discussion: """
                Every self-consistent working point the solver finds (Newton from many
                starts), per population mu, sigma, rate and CV; its linear stability from
                the rate response and the delays (Nyquist: the number of growing modes, the
                frequency of the least stable one); with --spectrum, the power spectra of
                the population rates. The single-neuron theory comes from estimators by name.
                File format: see examples/networks/*.yaml and the README.

                Examples:
                  workbench network examples/networks/brunel-A.yaml
                  workbench network examples/networks/brunel-A.yaml \\
                      --set connections.1.J=-0.6mV --spectrum 1:1000:log10
                  workbench network examples/networks/brunel-A.yaml \\
                      --grid connections.1.J=-0.3,-0.4,-0.5,-0.6
                """)

        @Argument(help: "The network description (YAML).", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @Option(
            name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp(
                "Replace one value of the file (repeatable): populations.E.size=2000.",
                valueName: "path=value"))
        var overrides: [String] = []

        @Option(
            parsing: .unconditionalSingleValue,
            help: ArgumentHelp(
                """
                Sweep one value of the file (repeatable; cartesian product): path=v1,v2,... or path=a:b:step; \
                path1,path2=... sets both to each value.
                """, valueName: "path=values"))
        var grid: [String] = []

        @Option(
            help: ArgumentHelp(
                "Population-rate spectra at these frequencies (f1,f2,... or a:b:logN).",
                valueName: "Hz"))
        var spectrum: String?

        @Flag(inversion: .prefixedNo, help: "Linear stability of each working point.")
        var stability = true

        @Flag(
            name: .customLong("sigma2-channel"),
            help: """
                Include the input's sigma^2 modulation in the effective connectivity (white noise: it does not \
                decay with frequency).
                """)
        var sigma2Channel = false

        @Option(
            name: .customLong("rate-estimator"),
            help: ArgumentHelp("Rate estimator (default siegert; siegert-colored with tau_s > 0).", valueName: "name"),
            completion: .custom(Completion.estimators))
        var rateEstimator: String?

        @Option(
            name: .customLong("response-estimator"),
            help: ArgumentHelp(
                """
                Response estimator (default linear-response; linear-response-colored with tau_s > 0).
                """, valueName: "name"), completion: .custom(Completion.estimators))
        var responseEstimator: String?

        @OptionGroup var format: FormatOption
        @OptionGroup var plugins: PluginOptions

        func run() throws {
            var options = NetworkAnalysis.Options()
            options.rateEstimator = rateEstimator
            options.responseEstimator = responseEstimator
            options.stability = stability
            options.sigma2Channel = sigma2Channel
            options.pluginPaths = plugins.pluginPath
            // At most 100 000 frequencies: each is an estimator row per population and an n x n complex matrix.
            if let spectrum { options.spectrumFrequencies = try NetworkRun.frequencies(spectrum, limit: 100_000) }
            let sweep = try NetworkSweep.points(grid)
            var runs: [(values: [(String, String)], analysis: NetworkAnalysis)] = []
            for values in sweep {
                let model = try NetworkFile.load(path: file, overrides: overrides + values.flatMap { paths, value in
                    paths.split(separator: ",").map { "\($0)=\(value)" }
                })
                runs.append((values, try NetworkAnalysis.run(model, options)))
            }
            switch format.format ?? (grid.isEmpty ? .table : .csv) {
            case .json: printOut(NetworkReport.json(runs, file: file))
            case .csv: printOut(NetworkReport.csv(runs))
            case .table:
                for run in runs {
                    if !run.values.isEmpty {
                        printOut("\n== " + run.values.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + "\n")
                    }
                    printOut(NetworkReport.table(run.analysis, file: file))
                }
            }
        }
    }
}

/// `--grid path=values`: the axes of `eval --grid` (Evaluator.gridValues).
enum NetworkSweep {

    /// The cartesian product of the --grid axes (first axis slowest); one empty point without any. An axis may set
    /// several paths to the same value: populations.E.external.rate,populations.I.external.rate=10:40:10. A list
    /// keeps its values as written (a unit is the file's to read); a range takes plain numbers in the key's unit.
    static func points(_ grids: [String]) throws -> [[(String, String)]] {
        var points: [[(String, String)]] = [[]]
        for g in grids {
            guard let eq = g.firstIndex(of: "="), eq != g.startIndex else {
                throw WorkbenchError.badInput(
                    "--grid '\(g)': expected path=values, e.g. populations.E.external.rate=10:40:5")
            }
            let path = String(g[..<eq]), text = String(g[g.index(after: eq)...])
            let values = try Evaluator.gridValues(text, name: path, keepListText: true) { v in
                // A range's numbers are written without their unit, so they must come without one; a list entry
                // goes to the file as written, its unit checked there.
                if let number = Double(v), number.isFinite { return number }
                if !text.contains(":"), !v.isEmpty, Double(v.prefix { "+-.0123456789eE".contains($0) }) != nil { return 0 }
                throw WorkbenchError.badInput("--grid \(path)=\(text): '\(v)' is not a number"
                    + (text.contains(":") ? " (a:b:step takes numbers in the key's unit)" : ""))
            }
            points = points.flatMap { p in values.map { p + [(path, $0)] } }
            guard points.count <= 10_000 else { throw WorkbenchError.badInput("--grid: more than 10000 points") }
        }
        return points
    }
}

/// The words of `simulate network` and `validate network` after the word `network`: the file and its overrides.
/// (The run options --time, --dt, --burn-in, --seed, --threads and --spectrum are the commands' own.)
struct NetworkRunWords: ParsableArguments {
    @Argument(help: "The network description (YAML).") var file: String

    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Replace one value of the file (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Sweep one value of the file (repeatable), as 'network --grid'.",
                               valueName: "path=values"))
    var grid: [String] = []

    @Option(help: ArgumentHelp("Time segments of the standard errors and Welch spectra (default 20).",
                               valueName: "n"))
    var segments: String?

    func load() throws -> NetworkModel { try NetworkFile.load(path: file, overrides: overrides) }
}

/// `validate network`'s words: those of `simulate network` and the theory's choices.
struct NetworkValidateWords: ParsableArguments {
    @OptionGroup var run: NetworkRunWords

    @Flag(name: .customLong("sigma2-channel"), inversion: .prefixedNo,
          help: "The sigma^2 channel in the spectra and modes (default: on for delta synapses).")
    var sigma2Channel: Bool?

    @Option(name: .customLong("rate-estimator"), help: ArgumentHelp("Rate estimator.", valueName: "name"))
    var rateEstimator: String?

    @Option(name: .customLong("response-estimator"), help: ArgumentHelp("Response estimator.", valueName: "name"))
    var responseEstimator: String?

}

extension ParsableArguments {
    /// The words after `network` parsed as these arguments, with a one-line usage error naming the command.
    static func parse(_ words: [String], command: String) throws -> Self {
        do { return try parse(words) } catch {
            let first = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
            throw WorkbenchError.badInput("\(command) network: " + first)
        }
    }
}
