// `workbench simulate <model>` for every model behind `ModelSimulator`: canonical parameters by name, run
// options, and the report in table/json/csv.
import Foundation
import MonteCarlo

public struct ModelRunRequest {
    public let simulator: any ModelSimulator
    public let values: [String: Double]
    public let options: RunOptions
    public let format: OutputFormat
    /// `--spikes FILE`: where to write the spike trains.
    public let spikesFile: String?

    /// Options of `simulate` (and, with a few of its own, of `validate`).
    public static let commandOptions: Set<String> = ["neurons", "samples", "time", "dt", "burn_in", "scheme", "seed",
                                                     "threads", "spikes", "density", "precision", "modulate", "spectrum"]

    public init(words: [String]) throws {
        try self.init(arguments: EvalArguments(words, commandOptions: Self.commandOptions))
    }

    /// `arguments.estimator` names the model; its options are in `arguments.extra` by snake_case name.
    public init(arguments: EvalArguments) throws {
        var args = arguments
        guard let sim = ModelSimulators.named(args.estimator) else {
            throw WorkbenchError.badInput("unknown model '\(args.estimator)' (models: \(ModelSimulators.allNames.joined(separator: ", ")))")
        }
        args.promoteToParameters(Set(sim.parameters.map(\.name)).subtracting(sim.options))
        for (given, convention) in [(args.vRest, "v_rest"), (args.sigmaFree, "sigma_free")]
        where given != nil && !sim.conventions.contains(convention) {
            let applies = ModelSimulators.all.filter { $0.conventions.contains(convention) }.map(\.name)
            throw WorkbenchError.badInput("--\(convention.replacingOccurrences(of: "_", with: "-")) applies to "
                + "\(applies.joined(separator: " and ")) only, not to \(sim.name)")
        }
        var given = [String: Double]()
        for (name, text) in args.named {
            guard let p = sim.parameters.first(where: { $0.name == name }) else {
                throw WorkbenchError.badInput("unknown parameter '\(name)' for model \(sim.name) (parameters: \(sim.parameters.map(\.name).joined(separator: ", ")))")
            }
            guard given[p.name] == nil else { throw WorkbenchError.badInput("parameter '\(p.name)' given twice") }
            given[p.name] = try Self.parse(text, p)
        }
        if let s = args.sigmaFree {
            guard given["sigma"] == nil else { throw WorkbenchError.badInput("give either --sigma or --sigma-free, not both") }
            given["sigma"] = try Quantity.parse(s, unit: "mV", name: "sigma_free") * 2.0.squareRoot()
        }
        var positionals = args.positionals[...]
        for p in sim.parameters where p.defaultValue == nil && !p.optional && given[p.name] == nil {
            guard let t = positionals.popFirst() else {
                throw WorkbenchError.badInput("missing required parameter '\(p.name)' [\(p.unit)] of model \(sim.name)")
            }
            given[p.name] = try Self.parse(t, p)
        }
        if !positionals.isEmpty { throw WorkbenchError.badInput("too many positional values: \(positionals.joined(separator: " "))") }
        if let e = try args.vRest.map({ try Quantity.parse($0, unit: "mV", name: "v_rest") }) {
            for n in ["theta", "v_reset"] {
                guard let v = given[n] else {
                    throw WorkbenchError.badInput("with --v-rest, parameter '\(n)' must be given explicitly (absolute potential)")
                }
                given[n] = v - e
            }
        }
        self.values = try Self.complete(given, sim)
        self.simulator = sim
        self.options = try Self.options(args.extra, sim, values)
        format = args.format ?? .table
        spikesFile = args.extra["spikes"]
    }

    static func parse(_ text: String, _ p: SimulatorParameter) throws -> Double {
        if !p.choices.isEmpty {
            if let i = p.choices.firstIndex(of: text) { return Double(i) }
            throw WorkbenchError.badInput("parameter '\(p.name)' = '\(text)' is not one of: \(p.choices.joined(separator: ", "))")
        }
        return try Quantity.parse(text, unit: p.unit, name: p.name)
    }

    /// Defaults filled in and every value checked against its declared range.
    static func complete(_ given: [String: Double], _ sim: any ModelSimulator) throws -> [String: Double] {
        var values = given
        for p in sim.parameters {
            guard let v = values[p.name] ?? p.defaultValue else {
                if p.optional { continue }
                throw WorkbenchError.badInput("missing required parameter '\(p.name)' [\(p.unit)] of model \(sim.name)")
            }
            values[p.name] = v
            let low = p.minExclusive ? v > p.min : v >= p.min, high = p.maxExclusive ? v < p.max : v <= p.max
            if !(low && high) || (p.integer && v != v.rounded()) {
                var range: [String] = []
                if p.min > -.infinity { range.append("\(p.minExclusive ? ">" : ">=") \(formatNumber(p.min))") }
                if p.max < .infinity { range.append("\(p.maxExclusive ? "<" : "<=") \(formatNumber(p.max))") }
                if p.integer { range.append("integer") }
                if range.isEmpty { range.append("a finite number") }
                let unit = p.unit == "1" ? "" : " " + p.unit   // a dimensionless value has no unit to print
                throw WorkbenchError.badInput("parameter '\(p.name)' = \(formatNumber(v))\(unit) is out of range (valid: \(range.joined(separator: ", ")))")
            }
        }
        return values
    }

    /// Run options, parsed (units allowed) and checked by the simulator's `resolve`. An option the simulator
    /// does not declare is an error naming the ones it has.
    static func options(_ extra: [String: String], _ sim: any ModelSimulator, _ values: [String: Double]) throws -> RunOptions {
        var o = RunOptions(samples: sim.defaultSamples)
        if extra["neurons"] != nil && extra["samples"] != nil { throw WorkbenchError.badInput("give either --neurons or --samples, not both") }
        if let t = extra["samples"] ?? extra["neurons"] {
            let n = try Quantity.parse(t, unit: "1", name: sim.sampleName)
            guard n >= 160, n <= Double(sim.maxSamples), n == n.rounded() else {   // checked before Int(): no trap
                throw WorkbenchError.badInput("option '\(sim.sampleName)' = \(t) is out of range (valid: integer 160 to "
                    + "\(formatNumber(Double(sim.maxSamples))); ≥ 20 blocks of 8 for batch-means errors)")
            }
            o.samples = Int(n)
        }
        if let s = extra["seed"] { o.seed = try seedOption(s) }
        if let s = extra["threads"] { o.threads = try threadsOption(s, maximum: 1024) }
        for name in ["dt", "time", "burn_in", "scheme", "density", "modulate", "spectrum", "spikes"]
        where extra[name] != nil && !sim.options.contains(name) {
            throw WorkbenchError.badInput("option '\(name)' does not apply to model \(sim.name) (its options: \(sim.options.sorted().joined(separator: ", ")))")
        }
        if let t = extra["dt"] { o.dt = try Quantity.parse(t, unit: "ms", name: "dt") }
        if let t = extra["time"] { o.time = try Quantity.parse(t, unit: "ms", name: "time") }
        if let t = extra["burn_in"] { o.burnIn = try Quantity.parse(t, unit: "ms", name: "burn_in") }
        o.scheme = extra["scheme"]
        if let d = extra["density"] { o.density = try densityGrid(d) }
        if let m = extra["modulate"] { o.modulation = try modulation(m) }
        if let f = extra["spectrum"] { o.spectrumFrequencies = try spectrumFrequencies(f) }
        o.recordSpikes = extra["spikes"] != nil
        do { return try sim.resolve(o, values) } catch let e as SimulatorInputError { throw WorkbenchError.badInput(e.message) }
    }

    /// --seed: a non-negative integer (every simulator's).
    public static func seedOption(_ s: String) throws -> UInt64 {
        guard let seed = UInt64(s) else {
            throw WorkbenchError.badInput("option 'seed' = '\(s)' is not a non-negative integer")
        }
        return seed
    }

    /// --threads: 1 to `maximum`.
    public static func threadsOption(_ s: String, maximum: Int) throws -> Int {
        guard let t = Int(s), t >= 1, t <= maximum else {
            throw WorkbenchError.badInput("option 'threads' = '\(s)' is out of range (valid: 1 to \(maximum))")
        }
        return t
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

    /// A modulation amplitude: > 0 and finite, in mV (mu) or mV² (sigma2); units may be written.
    static func amplitude(_ text: String, _ target: Modulation.Target) throws -> Double {
        let unit = target == .mu ? "mV" : "mV^2"
        let eps = try Quantity.parse(text, unit: unit, name: "modulate amplitude")
        guard eps > 0, eps.isFinite else {
            throw WorkbenchError.badInput("option 'modulate': amplitude = \(formatNumber(eps)) \(unit) is out of range (valid: > 0)")
        }
        return eps
    }

    /// `mu:EPS:F` or `sigma2:EPS:F` (EPS in mV or mV², F in Hz; units may be written, e.g. mu:0.5mV:10Hz). The
    /// simulator checks the ranges that depend on the run (σ²(t) > 0, steps per period, a whole period in T).
    static func modulation(_ text: String) throws -> Modulation {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let target = Modulation.Target(rawValue: parts[0]) else {
            throw WorkbenchError.badInput("option 'modulate' = '\(text)': expected mu:EPS:F or sigma2:EPS:F, e.g. mu:0.5:10 (EPS in mV or mV^2, F in Hz)")
        }
        let eps = try amplitude(parts[1], target)
        return Modulation(target: target, amplitude: eps, frequency: try Quantity.parse(parts[2], unit: "Hz", name: "modulate frequency"))
    }

    /// Comma-separated frequencies [Hz], at most 64.
    static func spectrumFrequencies(_ text: String) throws -> [Double] {
        let fs = try text.split(separator: ",").map { try Quantity.parse(String($0), unit: "Hz", name: "spectrum") }
        guard !fs.isEmpty, fs.count <= 64 else {
            throw WorkbenchError.badInput("option 'spectrum' = '\(text)': expected 1 to 64 comma-separated frequencies in Hz, e.g. 1,10,100")
        }
        return fs
    }
}

public enum ModelRunReport {
    public static func provenance(_ sim: any ModelSimulator, _ o: RunOptions, _ run: ModelRun) -> [(String, JSON)] {
        var p: [(String, JSON)] = [("workbench_version", .string(workbenchVersion)), ("model", .string(sim.name)),
                                   ("seed", .number(Double(o.seed))), (sim.sampleName, .number(Double(o.samples))),
                                   ("threads", .number(Double(o.threads)))]
        if let dt = o.dt { p.append(("dt_ms", .number(dt))) }
        if let t = o.time { p.append(("time_ms", .number(t))) }
        if let b = o.burnIn { p.append(("burn_in_ms", .number(b))) }
        if let s = o.scheme { p.append(("scheme", .string(s))) }
        p += run.details.map { ($0.0, .string($0.1)) }
        return p
    }

    static func parameterText(_ sim: any ModelSimulator, _ values: [String: Double]) -> String {
        sim.parameters.compactMap { p in
            values[p.name].map { v in "\(p.name) = " + (p.choices.isEmpty ? formatNumber(v) + (p.unit == "1" ? "" : " \(p.unit)") : p.choices[Int(v)]) }
        }.joined(separator: ", ")
    }

    /// The first line of a table report: what ran, with which options.
    public static func header(_ sim: any ModelSimulator, _ o: RunOptions, _ run: ModelRun) -> String {
        var parts = ["\(o.samples) \(sim.sampleName)"]
        if let t = o.time { parts.append("T = \(formatNumber(t)) ms") }
        if let b = o.burnIn { parts.append("burn-in \(formatNumber(b)) ms") }
        if let dt = o.dt { parts.append("dt = \(formatNumber(dt)) ms") }
        if let s = o.scheme { parts.append("scheme \(s)") }
        parts += run.details.map { "\($0.0) \($0.1)" }
        parts.append("seed \(o.seed)")
        return "\(sim.name) simulation — " + parts.joined(separator: ", ")
    }

    public static func speed(_ o: RunOptions, _ run: ModelRun) -> String {
        String(format: "%.3g %@ in %.2f s: %.3g %@/s on %d threads", run.work, run.workUnit, run.seconds,
               run.work / max(run.seconds, 1e-9), run.workUnit, o.threads)
    }

    /// "spikes: 1234, isis: 1200, ..." (nil without counts).
    public static func countsLine(_ run: ModelRun) -> String? {
        run.counts.isEmpty ? nil : run.counts.map { "\($0.0): \(formatNumber($0.1))" }.joined(separator: ", ")
    }

    public static func render(_ sim: any ModelSimulator, _ values: [String: Double], _ o: RunOptions, _ run: ModelRun,
                              format: OutputFormat) -> String {
        let unit = { (n: String) in sim.unit(ofObservable: n) }
        switch format {
        case .json:
            var obs: [(String, JSON)] = run.observables.map { ($0.name, .object([("value", .num($0.estimate.value)), ("se", .num($0.estimate.standardError)), ("unit", .string(unit($0.name)))])) }
            if let g = o.density, let d = run.density {
                obs.append(("density_per_mv", .object([("v_mv", .array((0..<g.bins).map { .number(g.center($0)) })),
                                                       ("value", .array(d.map { .num($0.value) })), ("se", .array(d.map { .num($0.standardError) }))])))
            }
            let params: [(String, JSON)] = sim.parameters.compactMap { p in values[p.name].map { (p.name, p.choices.isEmpty ? .number($0) : .string(p.choices[Int($0)])) } }
            // "neuron-steps" → neuron_steps_per_second; any other character of a unit separates words.
            let words = run.workUnit.lowercased().split { !($0.isLetter || $0.isNumber) }
            let rateKey = words.joined(separator: "_") + "_per_second"
            return JSON.object(provenance(sim, o, run) + [("parameters", .object(params)), ("observables", .object(obs))]
                               + run.counts.map { ($0.0, .number($0.1)) }
                               + [("work", .number(run.work)), ("work_unit", .string(run.workUnit)), ("seconds", .number(run.seconds)),
                                  (rateKey, .number((run.work / max(run.seconds, 1e-9)).rounded())),
                                  ("notes", .array(run.notes.map(JSON.string))),
                                  ("warnings", .array(run.warnings.map(JSON.string)))]).render() + "\n"
        case .csv:
            var lines = ["observable,value,se,unit"]
            for ob in run.observables { lines.append("\(ob.name),\(csvNumber(ob.estimate.value)),\(csvNumber(ob.estimate.standardError)),\(unit(ob.name))") }
            if let g = o.density, let d = run.density {
                for b in 0..<g.bins { lines.append("density_per_mv@\(formatNumber(g.center(b))),\(csvNumber(d[b].value)),\(csvNumber(d[b].standardError)),1/mV") }
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var s = header(sim, o, run) + "\n"
            s += "parameters: " + parameterText(sim, values) + "\n\n"
            let width = max(16, (run.observables.map(\.name.count).max() ?? 0) + 2)
            for ob in run.observables {
                let u = unit(ob.name)
                s += "  " + ob.name.padding(toLength: width, withPad: " ", startingAt: 0)
                s += ob.estimate.text + (u.isEmpty || u == "1" ? "" : " " + u) + "\n"
            }
            if let g = o.density, let d = run.density {
                s += "\n  density_per_mv (non-refractory time per bin / all time / bin width)\n"
                for b in 0..<g.bins { s += String(format: "    V = %-10.4g ", g.center(b)) + d[b].text + "\n" }
            }
            for n in run.notes { s += "note: \(n)\n" }
            s += "\n"
            if let c = countsLine(run) { s += c + "\n" }
            s += speed(o, run) + "\n"
            return s
        }
    }

    /// `--spikes FILE`: one line per spike, the ISI since the neuron's previous spike in the window.
    public static func spikesCSV(_ run: ModelRun) -> String {
        var lines = ["neuron,spike_time_ms,isi_ms"]
        for (neuron, train) in (run.spikeTrains ?? []).enumerated() {
            var last: Double? = nil
            for t in train {
                lines.append("\(neuron),\(formatNumber(t)),\(last.map { formatNumber(t - $0) } ?? "")")
                last = t
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
