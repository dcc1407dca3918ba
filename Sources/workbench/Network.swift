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
            if let spectrum { options.spectrumFrequencies = try NetworkSweep.numbers(spectrum, what: "--spectrum") }
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

/// `--grid path=values` and `--spectrum`: lists of values.
enum NetworkSweep {
    /// v1,v2,... (each may carry a unit), a:b:step or a:b:logN (N per decade), as numbers.
    static func numbers(_ text: String, what: String) throws -> [Double] {
        try values(text, what: what).map { try Quantity.parse($0, unit: "Hz", name: what) }
    }

    static func values(_ text: String, what: String) throws -> [String] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else {
                throw WorkbenchError.badInput("\(what) '\(text)': expected v1,v2,..., a:b:step or a:b:logN")
            }
            return list
        }
        guard let a = Double(parts[0]), let b = Double(parts[1]), a.isFinite, b.isFinite, a <= b else {
            throw WorkbenchError.badInput("\(what) '\(text)': a:b needs finite numbers with a <= b")
        }
        var out: [Double] = []
        if parts[2].hasPrefix("log") {
            guard let n = Int(parts[2].dropFirst(3)), n >= 1, n <= 1000, a > 0 else {
                throw WorkbenchError.badInput("\(what) '\(text)': a:b:logN needs a > 0 and N from 1 to 1000 per decade")
            }
            let count = Int((Double(n) * log10(b / a)).rounded(.down))
            guard count <= 100_000 else { throw WorkbenchError.badInput("\(what) '\(text)': more than 100000 values") }
            out = (0...count).map { a * pow(10, Double($0) / Double(n)) }
        } else {
            guard let step = Double(parts[2]), step > 0, step.isFinite else {
                throw WorkbenchError.badInput("\(what) '\(text)': the step must be a number > 0")
            }
            let count = ((b - a) / step * (1 + 1e-12)).rounded(.down)
            guard count <= 100_000 else { throw WorkbenchError.badInput("\(what) '\(text)': more than 100000 values") }
            out = (0...Int(count)).map { a + Double($0) * step }
        }
        return out.map(formatNumber)
    }

    /// The cartesian product of the --grid axes (first axis slowest); one empty point without any. An axis may set
    /// several paths to the same value: populations.E.external.rate,populations.I.external.rate=10:40:10.
    static func points(_ grids: [String]) throws -> [[(String, String)]] {
        var points: [[(String, String)]] = [[]]
        for g in grids {
            guard let eq = g.firstIndex(of: "="), eq != g.startIndex else {
                throw WorkbenchError.badInput(
                    "--grid '\(g)': expected path=values, e.g. populations.E.external.rate=10:40:5")
            }
            let path = String(g[..<eq])
            let values = try values(String(g[g.index(after: eq)...]), what: "--grid \(path)")
            points = points.flatMap { p in values.map { p + [(path, $0)] } }
            guard points.count <= 10_000 else { throw WorkbenchError.badInput("--grid: more than 10000 points") }
        }
        return points
    }
}
