import ArgumentParser
import Foundation
import MonteCarlo
import NetworkTheory
import WorkbenchCore

/// A progress line on stderr for runs longer than ~1.5 s.
final class ProgressLine: @unchecked Sendable {
    let start = Date(), lock = NSLock()
    var lastPrint = 0.0, printed = false
    func update(_ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        let t = Date().timeIntervalSince(start)
        guard t > 1.5, t - lastPrint > 0.5 || done == total else { return }
        lastPrint = t; printed = true
        try? FileHandle.standardError.write(contentsOf: Data(String(format: "\r  simulating: %3.0f %% of %d blocks, %.1f s", 100 * Double(done) / Double(total), total, t).utf8))
    }
    func finish() { if printed { try? FileHandle.standardError.write(contentsOf: Data("\n".utf8)) } }
}

extension Workbench {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate a model (Monte Carlo) and print its observables ± standard errors.",
            usage: """
            workbench simulate <model> [<value> ...] [--<parameter> <value> ...]
                          [<options>]
                   workbench simulate --models
            """,
            discussion: """
            Models: lif-white (exact OU step), lif-colored (needs tau_s), and the models
            of the other estimators; 'workbench simulate --models' lists each with its
            parameters, observables and options. Positional values fill the required
            parameters in order; other parameters are options named after them.

            'workbench simulate network FILE' runs a recurrent network (see 'workbench
            network'): per population rate, CV and mean V, and with --spectrum the
            population-rate spectra, each ± SE. After FILE: --set path=value edits the
            file, --grid path=values sweeps it (CSV with each spectral peak), and
            --segments n sets the time segments of the SEs (default 20).

            Examples:
              workbench simulate lif-white 15 5 --neurons 4000 --time 5s --seed 7
              workbench simulate network examples/networks/brunel-A.yaml --time 1s
            """)

        @Argument(help: "The model (see --models).", completion: .custom(Completion.models))
        var model: String?

        @Argument(parsing: .allUnrecognized,
                  help: ArgumentHelp("Required values in order, then --<parameter> <value> pairs.",
                                     valueName: "value | --parameter value"),
                  completion: .custom(Completion.parameters))
        var parameters: [String] = []

        @Flag(help: "List the models with their parameters, observables and options.")
        var models = false

        @OptionGroup var size: RunSizeOptions
        @OptionGroup var recording: RecordingOptions

        @Option(help: ArgumentHelp("Write spike times and ISIs per neuron (CSV).", valueName: "file.csv"),
                completion: .file(extensions: ["csv"]))
        var spikes: String?

        @OptionGroup var format: FormatOption
        @OptionGroup var conventions: ConventionOptions

        /// The libm-per-neuron baseline of lif-white, for benchmarks only (prints spikes and speed).
        @Option(help: .hidden) var kernel: String?

        /// Every simulated model with its parameters, observables and options.
        static func modelList() -> String {
            var s = ""
            for m in ModelSimulators.all {
                s += "\(m.name): \(m.summary)\n  parameters: " + m.parameters.map { "\($0.name) [\($0.unit)]" + ($0.optional ? " (optional)" : "") }.joined(separator: ", ")
                s += "\n  observables: " + m.observables.map(\.name).joined(separator: ", ")
                s += "\n  options: \(m.sampleName)" + m.options.sorted().map { ", " + $0 }.joined() + "\n"
            }
            return s
        }

        func run() throws {
            if models { printOut(Self.modelList()); return }
            guard let model else {
                throw WorkbenchError.badInput("missing model name (\(ModelSimulators.allNames.joined(separator: ", ")))")
            }
            var extra = size.extra.merging(recording.extra) { a, _ in a }
            if model == "network" { return try runNetwork(extra) }
            if let spikes { extra["spikes"] = spikes }
            let args = try evalArguments(model, parameters, format: format.format, conventions: conventions,
                                         pluginPaths: [], extra: extra)
            let request = try ModelRunRequest(arguments: args)
            if let kernel {
                guard kernel == "scalar" || kernel == "simd" else {
                    throw WorkbenchError.badInput("option 'kernel' = '\(kernel)' is not one of: simd, scalar")
                }
                if kernel == "scalar" { return try runScalarReference(request) }
            }
            let progress = ProgressLine()
            let run = request.simulator.run(request.values, request.options, progress: progress.update)
            progress.finish()
            if let why = run.stopped { throw WorkbenchError.badInput(why) }
            if let file = request.spikesFile {
                try OutputFile.write(ModelRunReport.spikesCSV(run), to: file, what: "the spikes file")
            }
            printOut(ModelRunReport.render(request.simulator, request.values, request.options, run, format: request.format))
            for w in run.warnings { printError("warning: \(w)") }
        }

        /// `simulate network FILE`: the recurrent network (NetworkSimulation.swift); --grid sweeps like `network`.
        func runNetwork(_ extra: [String: String]) throws {
            let words = try NetworkRunWords.parse(parameters, command: "simulate")
            var extra = extra
            if spikes != nil { extra["spikes"] = spikes }
            if let s = words.segments { extra["segments"] = s }
            let options = try NetworkRun.options(extra, spectrum: extra["spectrum"])
            var runs: [(values: [(String, String)], result: NetworkSimulationResult, network: NetworkModel)] = []
            for values in try NetworkSweep.points(words.grid) {
                let network = try NetworkFile.load(path: words.file, overrides: words.overrides + values.flatMap {
                    paths, value in paths.split(separator: ",").map { "\($0)=\(value)" }
                })
                runs.append((values, try NetworkRun.simulate(network, options), network))
            }
            switch format.format ?? (words.grid.isEmpty ? .table : .csv) {
            case .json:
                let first = runs[0]
                printOut(words.grid.isEmpty ? NetworkSimulationReport.json(first.result, first.network, file: words.file)
                         : NetworkSimulationReport.sweepJSON(runs, file: words.file))
            case .csv:
                printOut(words.grid.isEmpty ? NetworkSimulationReport.csv(runs[0].result)
                         : NetworkSimulationReport.sweepCSV(runs.map { ($0.values, $0.result) }))
            case .table:
                for run in runs {
                    if !run.values.isEmpty {
                        printOut("\n== " + run.values.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + "\n")
                    }
                    printOut(NetworkSimulationReport.table(run.result, run.network))
                    printError(NetworkSimulationReport.speed(run.result))
                }
            }
        }

        func runScalarReference(_ request: ModelRunRequest) throws {
            guard let lif = request.simulator as? LIFPairSimulator, lif.name == "lif-white" else {
                throw WorkbenchError.badInput("the scalar kernel exists for lif-white only")
            }
            let o = lif.simulationOptions(request.options)
            let (spikes, seconds) = ScalarReference.simulateLIFWhite(lif.lifParameters(request.values), o)
            let steps = Double(o.neurons) * ((o.burnIn + o.time) / o.dt).rounded()
            printOut(String(format: "scalar reference: %d spikes (%.4g Hz); %.3g neuron-steps in %.2f s: %.3g neuron-steps/s on %d threads\n",
                            spikes, 1000 * Double(spikes) / (Double(o.neurons) * o.time), steps, seconds, steps / seconds, o.threads))
        }
    }
}
