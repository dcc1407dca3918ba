// `workbench simulate <model>`: parameters as in `eval`, Monte-Carlo options, formatted observables.
import Foundation
import MonteCarlo

public struct SimulationRequest {
    public let model: SimulatorModel
    public let parameters: LIFModelParameters
    public let options: SimulationOptions
    public let spikesFile: String?
    public let format: OutputFormat

    static let commandOptions: Set<String> = ["neurons", "samples", "time", "dt", "burn_in", "scheme", "seed", "threads", "spikes", "density", "precision",
                                                      "modulate", "spectrum"]

    public init(words: [String]) throws {
        let args = try EvalArguments(words, commandOptions: Self.commandOptions)
        guard let model = SimulatorModel.named(args.estimator) else {
            throw WorkbenchError.badInput("unknown model '\(args.estimator)' (models: \(ModelSimulators.allNames.joined(separator: ", ")))")
        }
        self.model = model
        var values = [String: Double]()
        for (name, text) in args.named {
            guard let p = model.parameters.first(where: { $0.name == name }) else {
                throw WorkbenchError.badInput("unknown parameter '\(name)' for model \(model.name) (parameters: \(model.parameters.map(\.name).joined(separator: ", ")))")
            }
            values[p.name] = try Quantity.parse(text, unit: p.unit, name: p.name)
        }
        if let s = args.sigmaFree { values["sigma"] = try Quantity.parse(s, unit: "mV", name: "sigma_free") * 2.0.squareRoot() }
        var positionals = args.positionals[...]
        for p in model.parameters where p.defaultValue == nil && values[p.name] == nil {
            guard let t = positionals.popFirst() else {
                throw WorkbenchError.badInput("missing required parameter '\(p.name)' [\(p.unit)] of model \(model.name)")
            }
            values[p.name] = try Quantity.parse(t, unit: p.unit, name: p.name)
        }
        if !positionals.isEmpty { throw WorkbenchError.badInput("too many positional values: \(positionals.joined(separator: " "))") }
        if let e = try args.vRest.map({ try Quantity.parse($0, unit: "mV", name: "v_rest") }) {
            for n in ["theta", "v_reset"] {
                guard let v = values[n] else { throw WorkbenchError.badInput("with --v-rest, parameter '\(n)' must be given explicitly (absolute potential)") }
                values[n] = v - e
            }
        }
        for p in model.parameters {
            let v = values[p.name] ?? p.defaultValue!
            values[p.name] = v
            let bad = p.minExclusive ? !(v > p.min) : !(v >= p.min)
            let unit = p.unit == "1" ? "" : " " + p.unit
            if bad { throw WorkbenchError.badInput("parameter '\(p.name)' = \(formatNumber(v))\(unit) is out of range (valid: \(p.minExclusive ? ">" : ">=") \(formatNumber(p.min))\(unit))") }
        }
        guard values["v_reset"]! < values["theta"]! else {
            throw WorkbenchError.badInput("parameter 'v_reset' = \(formatNumber(values["v_reset"]!)) mV is out of range (valid: < theta = \(formatNumber(values["theta"]!)) mV)")
        }
        parameters = model.makeParameters(values)
        options = try Self.options(args.extra, parameters)
        spikesFile = args.extra["spikes"]
        format = args.format ?? .table
    }

    /// `vmin:vmax:bins`, potentials with units allowed (e.g. -10:20:60).
    static func densityGrid(_ d: String) throws -> DensityGrid {
        let parts = d.split(separator: ":").map(String.init)
        guard parts.count == 3, let bins = Int(parts[2]), bins >= 1, bins <= 10000 else {
            throw WorkbenchError.badInput("option 'density' = '\(d)': expected vmin:vmax:bins, e.g. -10:20:60")
        }
        let lo = try Quantity.parse(parts[0], unit: "mV", name: "density vmin"), hi = try Quantity.parse(parts[1], unit: "mV", name: "density vmax")
        guard lo < hi else { throw WorkbenchError.badInput("option 'density' = '\(d)': vmin must be below vmax") }
        guard (hi - lo).isFinite, (hi - lo) / Double(bins) > 0 else {
            throw WorkbenchError.badInput("option 'density' = '\(d)': the bin width (vmax - vmin)/bins must be a finite number > 0 mV")
        }
        return DensityGrid(vMin: lo, vMax: hi, bins: bins)
    }

    /// `mu:EPS:F` or `sigma2:EPS:F` (EPS in mV or mV², F in Hz; units may be written, e.g. mu:0.5mV:10Hz).
    static func modulation(_ text: String, _ p: LIFModelParameters, _ o: SimulationOptions) throws -> Modulation {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let target = Modulation.Target(rawValue: parts[0]) else {
            throw WorkbenchError.badInput("option 'modulate' = '\(text)': expected mu:EPS:F or sigma2:EPS:F, e.g. mu:0.5:10 (EPS in mV or mV^2, F in Hz)")
        }
        let unit = target == .mu ? "mV" : "mV^2"
        let eps = try Quantity.parse(parts[1], unit: unit, name: "modulate amplitude")
        let f = try Quantity.parse(parts[2], unit: "Hz", name: "modulate frequency")
        guard eps > 0, eps.isFinite else {
            throw WorkbenchError.badInput("option 'modulate': amplitude = \(formatNumber(eps)) \(unit) is out of range (valid: > 0)")
        }
        if target == .sigma2 && !(eps < p.sigma * p.sigma) {
            throw WorkbenchError.badInput("option 'modulate': amplitude = \(formatNumber(eps)) mV^2 is out of range (valid: < sigma^2 = \(formatNumber(p.sigma * p.sigma)) mV^2, so that sigma^2(t) > 0)")
        }
        try checkFrequency(f, option: "modulate", o, stepsPerPeriod: 20)
        return Modulation(target: target, amplitude: eps, frequency: f)
    }

    /// Comma-separated frequencies [Hz], at most 64.
    static func spectrumFrequencies(_ text: String, _ o: SimulationOptions) throws -> [Double] {
        let fs = try text.split(separator: ",").map { try Quantity.parse(String($0), unit: "Hz", name: "spectrum") }
        guard !fs.isEmpty, fs.count <= 64 else {
            throw WorkbenchError.badInput("option 'spectrum' = '\(text)': expected 1 to 64 comma-separated frequencies in Hz, e.g. 1,10,100")
        }
        for f in fs { try checkFrequency(f, option: "spectrum", o, stepsPerPeriod: 2) }
        return fs
    }

    /// f > 0, at least one whole period in the window, and `stepsPerPeriod` time steps per period.
    static func checkFrequency(_ f: Double, option: String, _ o: SimulationOptions, stepsPerPeriod: Double) throws {
        let fMax = 1000 / (stepsPerPeriod * o.dt)
        guard f > 0, f <= fMax else {
            throw WorkbenchError.badInput("option '\(option)': frequency = \(formatNumber(f)) Hz is out of range (valid: > 0 and <= \(formatNumber(fMax)) Hz, \(formatNumber(stepsPerPeriod)) steps of dt = \(formatNumber(o.dt)) ms per period)")
        }
        guard wholePeriods(f, window: o.time) > 0 else {
            throw WorkbenchError.badInput("option '\(option)': frequency = \(formatNumber(f)) Hz has no whole period in the window T = \(formatNumber(o.time)) ms (valid: >= \(formatNumber(1000 / o.time)) Hz, or a longer --time)")
        }
    }

    static func number(_ extra: [String: String], _ name: String, unit: String, default d: Double) throws -> Double {
        guard let t = extra[name] else { return d }
        return try Quantity.parse(t, unit: unit, name: name)
    }

    static func options(_ extra: [String: String], _ p: LIFModelParameters) throws -> SimulationOptions {
        var o = SimulationOptions()
        if extra["samples"] != nil { throw WorkbenchError.badInput("the LIF models count neurons: use --neurons, not --samples") }
        let neurons = try number(extra, "neurons", unit: "1", default: 4000)
        guard neurons >= 160, neurons <= 100_000_000, neurons == neurons.rounded() else {   // checked before Int(): no trap
            throw WorkbenchError.badInput("option 'neurons' = \(formatNumber(neurons)) is out of range (valid: integer 160 to 1e8; ≥ 20 blocks of 8 for batch-means errors)")
        }
        o.neurons = Int(neurons)
        o.dt = try number(extra, "dt", unit: "ms", default: p.tauS > 0 ? min(0.1, p.tauS / 100) : 0.1)
        guard o.dt > 0, o.dt <= p.tauM / 10 else { throw WorkbenchError.badInput("option 'dt' = \(formatNumber(o.dt)) ms is out of range (valid: > 0 and <= tau_m/10 = \(formatNumber(p.tauM / 10)) ms)") }
        o.time = try number(extra, "time", unit: "ms", default: 2000)
        guard o.time >= 10 * o.dt else { throw WorkbenchError.badInput("option 'time' = \(formatNumber(o.time)) ms is out of range (valid: >= 10 dt)") }
        o.burnIn = try number(extra, "burn_in", unit: "ms", default: max(500, 10 * p.tauM))
        guard o.burnIn >= 0 else { throw WorkbenchError.badInput("option 'burn_in' = \(formatNumber(o.burnIn)) ms is out of range (valid: >= 0 ms)") }
        if let s = extra["scheme"] {
            guard let sc = ThresholdScheme(rawValue: s) else { throw WorkbenchError.badInput("option 'scheme' = '\(s)' is not one of: bridge, naive") }
            o.scheme = sc
        }
        if let s = extra["seed"] {
            guard let seed = UInt64(s) else { throw WorkbenchError.badInput("option 'seed' = '\(s)' is not a non-negative integer") }
            o.seed = seed
        }
        if let s = extra["threads"] {
            guard let t = Int(s), t >= 1, t <= 1024 else { throw WorkbenchError.badInput("option 'threads' = '\(s)' is out of range (valid: 1 to 1024)") }
            o.threads = t
        }
        if let d = extra["density"] { o.density = try densityGrid(d) }
        if let m = extra["modulate"] { o.modulation = try modulation(m, p, o) }
        if let f = extra["spectrum"] { o.spectrumFrequencies = try spectrumFrequencies(f, o) }
        o.recordSpikes = extra["spikes"] != nil
        let steps = Double(o.neurons) * (o.time + o.burnIn) / o.dt
        guard steps <= 1e13 else { throw WorkbenchError.badInput("run of \(steps) neuron-steps is too large (limit 1e13)") }
        return o
    }
}

public enum SimulationReport {
    static func provenance(_ r: SimulationResult) -> [(String, JSON)] {
        let o = r.options
        return [("workbench_version", .string(workbenchVersion)), ("model", .string(r.model)),
                ("seed", .number(Double(o.seed))), ("dt_ms", .number(o.dt)), ("scheme", .string(o.scheme.rawValue)),
                ("neurons", .number(Double(o.neurons))), ("time_ms", .number(o.time)), ("burn_in_ms", .number(o.burnIn)),
                ("threads", .number(Double(o.threads)))]
    }

    static func parameters(_ p: LIFModelParameters, model: String) -> [(String, Double, String)] {
        var list = [("mu", p.mu, "mV"), ("sigma", p.sigma, "mV"), ("theta", p.theta, "mV"), ("v_reset", p.vReset, "mV"),
                    ("tau_m", p.tauM, "ms"), ("tau_ref", p.tauRef, "ms")]
        if model == "lif-colored" { list.append(("tau_s", p.tauS, "ms")) }
        return list
    }

    static let units = ["rate_hz": "Hz", "cv": "", "mean_v_mv": "mV", "mean_v_all_mv": "mV"]
    static func unit(_ name: String) -> String {
        if let u = units[name] { return u }
        if name.hasPrefix("spectrum_hz") { return "Hz" }
        if name.hasSuffix("_rad") { return "rad" }
        if name.hasSuffix("_hz_per_mv2") { return "Hz/mV^2" }
        if name.hasSuffix("_hz_per_mv") { return "Hz/mV" }
        return ""
    }

    public static func render(_ r: SimulationResult, format: OutputFormat) -> String {
        let t = r.total
        let rateSteps = r.neuronSteps / max(r.seconds, 1e-9)
        let main = r.observables.filter { !$0.name.hasPrefix("density") }
        switch format {
        case .json:
            var obs: [(String, JSON)] = main.map { ($0.name, .object([("value", .num($0.estimate.value)), ("se", .num($0.estimate.standardError))])) }
            if let g = r.options.density {
                obs.append(("density_per_mv", .object([
                    ("v_mv", .array((0..<g.bins).map { .number(g.center($0)) })),
                    ("value", .array((0..<g.bins).map { .num(r.density(bin: $0)!.value) })),
                    ("se", .array((0..<g.bins).map { .num(r.density(bin: $0)!.standardError) }))])))
            }
            let warnings: [JSON] = t.censored > 0 ? [.string("\(t.censored) ISIs still open one window after the window end were dropped: the CV may be biased low")] : []
            return JSON.object(provenance(r) + [
                ("parameters", .object(parameters(r.parameters, model: r.model).map { ($0.0, .number($0.1)) })),
                ("observables", .object(obs)), ("spikes", .number(Double(t.spikes))), ("isis", .number(Double(t.isiCount))),
                ("censored_isis", .number(Double(t.censored))), ("neuron_steps_per_second", .number(rateSteps.rounded())),
                ("warnings", .array(warnings))]).render() + "\n"
        case .csv:
            var lines = ["observable,value,se,unit"]
            for o in main { lines.append("\(o.name),\(csvNumber(o.estimate.value)),\(csvNumber(o.estimate.standardError)),\(unit(o.name))") }
            if let g = r.options.density {
                for b in 0..<g.bins { let e = r.density(bin: b)!; lines.append("density_per_mv@\(formatNumber(g.center(b))),\(csvNumber(e.value)),\(csvNumber(e.standardError)),1/mV") }
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            let o = r.options
            var s = "\(r.model) simulation — \(o.neurons) neurons, T = \(formatNumber(o.time)) ms after \(formatNumber(o.burnIn)) ms burn-in, dt = \(formatNumber(o.dt)) ms, scheme \(r.model == "lif-colored" && r.parameters.tauS > 0 ? "euler" : o.scheme.rawValue), seed \(o.seed)\n"
            s += "parameters: " + parameters(r.parameters, model: r.model).map { "\($0.0) = \(formatNumber($0.1)) \($0.2)" }.joined(separator: ", ") + "\n\n"
            let width = max(16, (main.map(\.name.count).max() ?? 0) + 2)
            if let m = o.modulation {
                s += "modulation: \(m.target.rawValue)(t) = \(m.target == .mu ? "mu" : "sigma^2") + \(formatNumber(m.amplitude)) \(m.target == .mu ? "mV" : "mV^2") cos(2 pi \(formatNumber(m.frequency)) Hz t)\n\n"
            }
            for ob in main {
                s += "  " + ob.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let u = unit(ob.name)
                s += ob.estimate.text + (u.isEmpty ? "" : " " + u) + "\n"
            }
            if let g = r.options.density {
                s += "\n  density_per_mv (non-refractory time per bin / all time / bin width)\n"
                for b in 0..<g.bins {
                    let e = r.density(bin: b)!
                    s += String(format: "    V = %-10.4g ", g.center(b)) + e.text + "\n"
                }
            }
            s += "\nspikes: \(t.spikes), ISIs: \(t.isiCount)\(t.censored > 0 ? " (\(t.censored) censored)" : ""), batches: \(r.observable("rate_hz")!.batches)\n"
            s += String(format: "%.3g neuron-steps in %.2f s: %.3g neuron-steps/s on %d threads\n", r.neuronSteps, r.seconds, rateSteps, o.threads)
            return s
        }
    }

    public static func spikesCSV(_ r: SimulationResult) -> String {
        var lines = ["neuron,spike_time_ms,isi_ms"]
        var neuron = 0
        for b in r.blocks {
            for train in b.spikeTimes {
                var last: Double? = nil
                for t in train {
                    lines.append("\(neuron),\(formatNumber(t)),\(last.map { formatNumber(t - $0) } ?? "")")
                    last = t
                }
                neuron += 1
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
