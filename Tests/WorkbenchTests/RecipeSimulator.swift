// The README's "Add a simulator" recipe, compiled and checked by the test suite (SimulatorConformance.swift):
// a Poisson spike train, the smallest complete simulator. To add a model, copy this file to
// Sources/MonteCarlo/, rename it, and list an instance in `ModelSimulators.all`.
import Foundation
import MonteCarlo

struct PoissonSpikesSimulator: ModelSimulator {
    let name = "poisson-spikes"
    let summary = "homogeneous Poisson spike train: exponential ISIs (the recipe of README, 'Add a simulator')"
    // Canonical parameters: the names (and units) the model's estimators use.
    let parameters = [
        SimulatorParameter(name: "rate", unit: "Hz", summary: "firing rate", defaultValue: nil,
                           min: 0, minExclusive: true, max: 1e6),
    ]
    // Observables under the names of the estimator outputs that predict them.
    let observables = [
        ObservableSpec("rate_hz", unit: "Hz", summary: "spike count / (samples T)"),
        ObservableSpec("cv", unit: "1", summary: "CV of the ISIs"),
    ]
    let options: Set<String> = ["time"]
    let defaultSamples = 1000

    /// Defaults of the options it reads, and every check that names the value and its range.
    func resolve(_ options: RunOptions, _ v: [String: Double]) throws -> RunOptions {
        var o = options
        o.time = o.time ?? 10_000
        guard o.time! > 0, o.time! <= 1e7 else {
            throw SimulatorInputError("option 'time' = \(o.time!) ms is out of range (valid: > 0 and <= 1e7 ms)")
        }
        guard Double(o.samples) * o.time! * v["rate"]! / 1000 <= 1e10 else {
            throw SimulatorInputError("run too large: more than 1e10 spikes (lower samples, time or rate)")
        }
        return o
    }

    /// One block = 8 samples (SIMD lanes) from its own RNG stream: bit-identical on any thread count.
    struct Block { var spikes = 0.0, isiSum = 0.0, isiSquares = 0.0, isis = 0.0, samples = 0.0 }

    func run(_ v: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let rate = v["rate"]! / 1000, time = o.time!         // per ms
        let nBlocks = (o.samples + 7) / 8
        let blocks = BlockRunner.run(blocks: nBlocks, threads: o.threads, progress: progress) { b -> Block in
            var rng = LaneRNG(seed: o.seed, stream: UInt64(b))
            let lanes = min(8, o.samples - 8 * b)
            var r = Block(samples: Double(lanes))
            var t = -VectorMath.log(rng.uniform()) / rate
            while (0..<lanes).contains(where: { t[$0] < time }) {
                let isi = -VectorMath.log(rng.uniform()) / rate
                for lane in 0..<lanes where t[lane] < time {
                    r.spikes += 1
                    guard t[lane] + isi[lane] < time else { continue }     // an ISI that ends in the window
                    r.isis += 1; r.isiSum += isi[lane]; r.isiSquares += isi[lane] * isi[lane]
                }
                t += isi
            }
            return r
        }
        // Batch means over contiguous groups of blocks give the standard errors.
        func rateHz(_ g: ArraySlice<Block>) -> Double {
            1000 * g.reduce(0) { $0 + $1.spikes } / (g.reduce(0) { $0 + $1.samples } * time)
        }
        func cv(_ g: ArraySlice<Block>) -> Double {
            let n = g.reduce(0) { $0 + $1.isis }, m = g.reduce(0) { $0 + $1.isiSum } / n
            return (g.reduce(0) { $0 + $1.isiSquares } / n - m * m).squareRoot() / m
        }
        let batches = BatchMeans.batches(blocks)
        return ModelRun(observables: [
            ("rate_hz", BatchMeans.estimate(pooled: rateHz(blocks[...]), batchValues: batches.map(rateHz))),
            ("cv", BatchMeans.estimate(pooled: cv(blocks[...]), batchValues: batches.map(cv))),
        ], work: blocks.reduce(0) { $0 + $1.spikes }, workUnit: "spikes", seconds: Date().timeIntervalSince(start))
    }
}
