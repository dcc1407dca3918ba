// `layered-threshold` (THEORY §9.7): a finite random network of width n, layer-0 potentials N(0, σ0²),
// u_l = W_l s_(l−1), s = H(u − θ), a fresh Gaussian W_l (variance c/n) per layer shared by S input
// samples. The model of `variance-flow-init`; finite width is what the mean-field map leaves out.
import Foundation

public struct LayeredThresholdSimulator: ModelSimulator {
    public let name = "layered-threshold"
    public let summary = "finite-width thresholded layers u_l = W_l s_(l-1), fresh Gaussian W per layer, S input samples (THEORY §9.7)"
    public let parameters = [
        SimulatorParameter(name: "theta", unit: "1", summary: "threshold", defaultValue: 1, min: 0, minExclusive: true),
        SimulatorParameter(name: "sigma_target", unit: "1", summary: "target std of the micheli init", defaultValue: 1, min: 0, minExclusive: true),
        SimulatorParameter(name: "scheme", unit: "1", summary: "weight init", defaultValue: 0, choices: ["micheli", "kaiming", "glorot", "custom"]),
        SimulatorParameter(name: "n_var_w", unit: "1", summary: "n Var[w] of the custom scheme", defaultValue: nil, min: 0, minExclusive: true, optional: true),
        SimulatorParameter(name: "n", unit: "1", summary: "width (= fan-in) of every layer", defaultValue: nil, min: 1, max: 20_000, integer: true),
        SimulatorParameter(name: "n_out", unit: "1", summary: "fan-out entering the glorot variance (default n)", defaultValue: nil, min: 1, optional: true, integer: true),
        SimulatorParameter(name: "sigma0", unit: "1", summary: "std of the layer-0 potentials", defaultValue: 1, min: 0, minExclusive: true),
        SimulatorParameter(name: "layer", unit: "1", summary: "layer whose statistics are reported", defaultValue: 0, min: 0, max: 1000, integer: true),
    ]
    public let observables = [
        ObservableSpec("p_spike", unit: "1", summary: "fraction of the layer's neurons above threshold, mean over samples"),
        ObservableSpec("var_u", unit: "1", summary: "mean over samples of the layer's E[u^2] across neurons"),
    ]
    public let options: Set<String> = []
    public let defaultSamples = 400
    public init() {}

    /// n Var[w] of the scheme (the same formulas as `variance-flow-init`).
    func c(_ v: [String: Double]) throws -> Double {
        let n = v["n"]!
        switch Int(v["scheme"]!) {
        case 0: let x = v["theta"]! / v["sigma_target"]!; return v["sigma_target"]! * v["sigma_target"]! / (0.5 * erfc(x / 2.0.squareRoot()))
        case 1: return 2
        case 2: return 2 * n / (n + (v["n_out"] ?? n))
        default:
            guard let c = v["n_var_w"] else { throw SimulatorInputError("scheme custom needs parameter 'n_var_w' (> 0)") }
            return c
        }
    }

    public func resolve(_ options: RunOptions, _ values: [String: Double]) throws -> RunOptions {
        _ = try c(values)
        let n = values["n"]!, layers = values["layer"]!
        guard n * n * max(layers, 1) <= 4e9 else { throw SimulatorInputError("n² × layer = \(n * n * layers) weight draws is too large (limit 4e9)") }
        return options
    }

    public func collapseThreshold(observable: String, values: [String: Double]) -> Double? {
        // Fewer than ten expected spikes per sample: the Gaussian map no longer describes the layer (§9.7).
        let n = values["n"]!
        switch observable {
        case "p_spike": return 10 / n
        case "var_u": return ((try? c(values)) ?? 0) * 10 / n      // Var[u_l] = c P_(l−1)
        default: return nil
        }
    }

    public func run(_ values: [String: Double], _ o: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun {
        let start = Date()
        let n = Int(values["n"]!), layers = Int(values["layer"]!), samples = o.samples
        let theta = values["theta"]!, sigma0 = values["sigma0"]!
        let wStd = (((try? c(values)) ?? 0) / Double(n)).squareRoot()
        let nBlocks = (samples + 7) / 8
        // Spikes of every sample's current layer (samples × n), and the per-block statistics of the last layer.
        var spikes = [UInt8](repeating: 0, count: samples * n)
        var stats = [(p: [Double], v: [Double])](repeating: ([], []), count: nBlocks)

        // Layer 0: u ~ N(0, σ0²), one stream per sample block.
        let layer0 = BlockRunner.run(blocks: nBlocks, threads: o.threads) { b -> ([UInt8], [Double], [Double]) in
            var normals = NormalBuffer(LaneRNG(seed: o.seed, stream: UInt64(b)))
            defer { normals.release() }
            let count = min(8, samples - 8 * b)
            var s = [UInt8](repeating: 0, count: count * n), ps: [Double] = [], vs: [Double] = []
            for k in 0..<count {
                var fired = 0, sq = 0.0
                var i = 0
                while i < n {
                    let z = normals.next() * sigma0
                    for lane in 0..<min(8, n - i) {
                        let u = z[lane]
                        if u > theta { s[k * n + i + lane] = 1; fired += 1 }
                        sq += u * u
                    }
                    i += 8
                }
                ps.append(Double(fired) / Double(n)); vs.append(sq / Double(n))
            }
            return (s, ps, vs)
        }
        for b in 0..<nBlocks {
            spikes.replaceSubrange((8 * b * n)..<(8 * b * n + layer0[b].0.count), with: layer0[b].0)
            stats[b] = (layer0[b].1, layer0[b].2)
        }
        var weightDraws = 0.0, additions = 0.0
        if layers > 0 {
            for l in 1...layers {
                // W_l row-major by presynaptic neuron: u = Σ_{j fired} W[j, :] adds contiguous rows.
                let w = Self.gaussianMatrix(n: n, std: wStd, seed: o.seed, layer: l, threads: o.threads)
                weightDraws += Double(n * n)
                let current = spikes
                let out = BlockRunner.run(blocks: nBlocks, threads: o.threads) { b -> ([UInt8], [Double], [Double], Double) in
                    let count = min(8, samples - 8 * b)
                    var s = [UInt8](repeating: 0, count: count * n), ps: [Double] = [], vs: [Double] = []
                    var u = [Double](repeating: 0, count: n), adds = 0.0
                    for k in 0..<count {
                        let sample = 8 * b + k
                        for i in 0..<n { u[i] = 0 }
                        w.withUnsafeBufferPointer { wp in
                            u.withUnsafeMutableBufferPointer { up in
                                for j in 0..<n where current[sample * n + j] != 0 {
                                    let row = wp.baseAddress! + j * n
                                    for i in 0..<n { up[i] += row[i] }
                                    adds += Double(n)
                                }
                            }
                        }
                        var fired = 0, sq = 0.0
                        for i in 0..<n {
                            if u[i] > theta { s[k * n + i] = 1; fired += 1 }
                            sq += u[i] * u[i]
                        }
                        ps.append(Double(fired) / Double(n)); vs.append(sq / Double(n))
                    }
                    return (s, ps, vs, adds)
                }
                for b in 0..<nBlocks {
                    spikes.replaceSubrange((8 * b * n)..<(8 * b * n + out[b].0.count), with: out[b].0)
                    stats[b] = (out[b].1, out[b].2)
                    additions += out[b].3
                }
                progress?(l, layers)
            }
        }
        // Samples are independent given the weights: batch means over sample blocks (THEORY §9.7's SE).
        func estimate(_ f: ((p: [Double], v: [Double])) -> [Double]) -> Estimate {
            let perBlock = stats.map(f)
            let all = perBlock.flatMap { $0 }
            let values = BatchMeans.batches(perBlock).map { batch -> Double in
                let group = batch.flatMap { $0 }
                return group.reduce(0, +) / Double(group.count)
            }
            return BatchMeans.estimate(pooled: all.reduce(0, +) / Double(all.count), batchValues: values)
        }
        var run = ModelRun(observables: [("p_spike", estimate { $0.p }), ("var_u", estimate { $0.v })],
                           work: weightDraws + additions, workUnit: "weight draws + synaptic additions", seconds: Date().timeIntervalSince(start))
        run.details = [("width", String(n)), ("layers", String(layers))]
        return run
    }

    /// n × n normals of the given std for layer l: rows in blocks of 8, each from its own stream (seed, l, row block).
    static func gaussianMatrix(n: Int, std: Double, seed: UInt64, layer: Int, threads: Int) -> [Double] {
        let rowBlocks = (n + 7) / 8
        let parts = BlockRunner.run(blocks: rowBlocks, threads: threads) { rb -> [Double] in
            var normals = NormalBuffer(LaneRNG(seed: seed, stream: (UInt64(layer) << 32) | UInt64(rb)))
            defer { normals.release() }
            let rows = min(8, n - 8 * rb)
            var part = [Double](repeating: 0, count: rows * n)
            var k = 0
            while k < part.count {
                let z = normals.next() * std
                for lane in 0..<min(8, part.count - k) { part[k + lane] = z[lane] }
                k += 8
            }
            return part
        }
        return parts.flatMap { $0 }
    }
}
