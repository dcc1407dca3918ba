import ArgumentParser
import Foundation
import MonteCarlo
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
            discussion: """
            workbench simulate <model> [required values...] [--<parameter> <value>...] [options]

              models: lif-white (exact OU step; --scheme bridge|naive), lif-colored (needs tau_s),
                      and the models of the other estimators (see 'workbench simulate --models')
              --neurons N        neurons (default 4000; ≥ 160); --samples N for walks and paths
              --time T           statistics window after burn-in (default 2000 ms)
              --burn-in B        discarded start (default max(500 ms, 10 tau_m))
              --dt D             time step (default 0.1 ms; tau_s/100 for lif-colored)
              --scheme S         threshold check: bridge (default) or naive
              --seed S           RNG seed (default 1); a run is a pure function of parameters and seed
              --threads N        threads (default: all cores); results do not depend on it
              --density a:b:n    also the non-refractory density on n bins over [a, b] mV
              --spikes FILE      write spike times and ISIs per neuron (CSV)
              --modulate mu:EPS:F   lif-white/lif-colored: mu + EPS cos(2 pi F t) (EPS in mV, F in Hz), or
                                 sigma2:EPS:F for sigma^2; adds the response (Fourier projection over whole
                                 periods: response_mu_abs/phase/re/im, Hz/mV or Hz/mV^2)
              --spectrum f1,f2   lif-white/lif-colored: spike-train power spectrum at these frequencies [Hz]
              --format table|json|csv

            Example: workbench simulate lif-white 15 5 --neurons 4000 --time 5s --seed 7
            """)

        @Argument(parsing: .captureForPassthrough, help: "Model, values and options (see discussion).")
        var words: [String] = []

        /// Every simulated model with its parameters, observables and options.
        static func models() -> String {
            var s = ""
            for m in ModelSimulators.all {
                s += "\(m.name): \(m.summary)\n  parameters: " + m.parameters.map { "\($0.name) [\($0.unit)]" + ($0.optional ? " (optional)" : "") }.joined(separator: ", ")
                s += "\n  observables: " + m.observables.map(\.name).joined(separator: ", ")
                s += "\n  options: \(m.sampleName)" + m.options.sorted().map { ", " + $0 }.joined() + "\n"
            }
            return s
        }

        func run() throws {
            if words.isEmpty { throw WorkbenchError.badInput("missing model name (\(ModelSimulators.allNames.joined(separator: ", ")))") }
            if words == ["--models"] { printOut(Self.models()); return }
            if words.contains("--help") || words.contains("-h") { printOut(Workbench.helpMessage(for: Simulate.self) + "\n"); return }
            // --kernel scalar: the libm-per-neuron baseline, for benchmarks only (prints spikes and speed).
            var words = words
            if let k = words.firstIndex(of: "--kernel"), k + 1 < words.count {
                let kernel = words[k + 1]
                words.removeSubrange(k...(k + 1))
                guard kernel == "scalar" || kernel == "simd" else { throw WorkbenchError.badInput("option 'kernel' = '\(kernel)' is not one of: simd, scalar") }
                if kernel == "scalar" {
                    let request = try ModelRunRequest(words: words)
                    guard let lif = request.simulator as? LIFPairSimulator, lif.name == "lif-white" else {
                        throw WorkbenchError.badInput("the scalar kernel exists for lif-white only")
                    }
                    let o = lif.simulationOptions(request.options)
                    let (spikes, seconds) = ScalarReference.simulateLIFWhite(lif.lifParameters(request.values), o)
                    let steps = Double(o.neurons) * ((o.burnIn + o.time) / o.dt).rounded()
                    printOut(String(format: "scalar reference: %d spikes (%.4g Hz); %.3g neuron-steps in %.2f s: %.3g neuron-steps/s on %d threads\n",
                                    spikes, 1000 * Double(spikes) / (Double(o.neurons) * o.time), steps, seconds, steps / seconds, o.threads))
                    return
                }
            }
            let request = try ModelRunRequest(words: words)
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
    }
}
