// `workbench simulate <model>` for the models behind `ModelSimulator` (everything but the LIF pair):
// canonical parameters by name, run options, and the report in table/json/csv.
import Foundation
import MonteCarlo

public struct ModelRunRequest {
    public let simulator: any ModelSimulator
    public let values: [String: Double]
    public let options: RunOptions
    public let format: OutputFormat

    public init(words: [String]) throws {
        var args = try EvalArguments(words, commandOptions: SimulationRequest.commandOptions)
        guard let sim = ModelSimulators.named(args.estimator) else {
            throw WorkbenchError.badInput("unknown model '\(args.estimator)' (models: \(ModelSimulators.allNames.joined(separator: ", ")))")
        }
        args.promoteToParameters(Set(sim.parameters.map(\.name)).subtracting(sim.options))
        if args.vRest != nil || args.sigmaFree != nil {
            throw WorkbenchError.badInput("--v-rest and --sigma-free apply to the LIF models only, not to \(sim.name)")
        }
        var given = [String: Double]()
        for (name, text) in args.named {
            guard let p = sim.parameters.first(where: { $0.name == name }) else {
                throw WorkbenchError.badInput("unknown parameter '\(name)' for model \(sim.name) (parameters: \(sim.parameters.map(\.name).joined(separator: ", ")))")
            }
            guard given[p.name] == nil else { throw WorkbenchError.badInput("parameter '\(p.name)' given twice") }
            given[p.name] = try Self.parse(text, p)
        }
        var positionals = args.positionals[...]
        for p in sim.parameters where p.defaultValue == nil && !p.optional && given[p.name] == nil {
            guard let t = positionals.popFirst() else {
                throw WorkbenchError.badInput("missing required parameter '\(p.name)' [\(p.unit)] of model \(sim.name)")
            }
            given[p.name] = try Self.parse(t, p)
        }
        if !positionals.isEmpty { throw WorkbenchError.badInput("too many positional values: \(positionals.joined(separator: " "))") }
        self.values = try Self.complete(given, sim)
        self.simulator = sim
        self.options = try Self.options(args.extra, sim, values)
        format = args.format ?? .table
        if args.extra["spikes"] != nil { throw WorkbenchError.badInput("option 'spikes' applies to lif-white and lif-colored only") }
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
                let unit = p.unit == "1" ? "" : " " + p.unit   // a dimensionless value has no unit to print
                throw WorkbenchError.badInput("parameter '\(p.name)' = \(formatNumber(v))\(unit) is out of range (valid: \(range.joined(separator: ", ")))")
            }
        }
        return values
    }

    static func options(_ extra: [String: String], _ sim: any ModelSimulator, _ values: [String: Double]) throws -> RunOptions {
        var o = RunOptions(samples: sim.defaultSamples)
        if extra["neurons"] != nil && extra["samples"] != nil { throw WorkbenchError.badInput("give either --neurons or --samples, not both") }
        if let t = extra["samples"] ?? extra["neurons"] {
            let n = try Quantity.parse(t, unit: "1", name: "samples")
            guard n >= 160, n <= 1e9, n == n.rounded() else {
                throw WorkbenchError.badInput("option 'samples' = \(t) is out of range (valid: integer 160 to 1e9; ≥ 20 blocks of 8 for batch-means errors)")
            }
            o.samples = Int(n)
        }
        if let s = extra["seed"] {
            guard let seed = UInt64(s) else { throw WorkbenchError.badInput("option 'seed' = '\(s)' is not a non-negative integer") }
            o.seed = seed
        }
        if let s = extra["threads"] {
            guard let t = Int(s), t >= 1, t <= 1024 else { throw WorkbenchError.badInput("option 'threads' = '\(s)' is out of range (valid: 1 to 1024)") }
            o.threads = t
        }
        for name in ["dt", "time", "burn_in", "scheme", "density"] where extra[name] != nil && !sim.options.contains(name) {
            throw WorkbenchError.badInput("option '\(name)' does not apply to model \(sim.name) (its options: \(sim.options.sorted().joined(separator: ", ")))")
        }
        if let t = extra["dt"] { o.dt = try Quantity.parse(t, unit: "ms", name: "dt") }
        if let t = extra["time"] { o.time = try Quantity.parse(t, unit: "ms", name: "time") }
        if let t = extra["burn_in"] { o.burnIn = try Quantity.parse(t, unit: "ms", name: "burn_in") }
        o.scheme = extra["scheme"]
        if let d = extra["density"] { o.density = try SimulationRequest.densityGrid(d) }
        do { return try sim.resolve(o, values) } catch let e as SimulatorInputError { throw WorkbenchError.badInput(e.message) }
    }
}

public enum ModelRunReport {
    public static func provenance(_ sim: any ModelSimulator, _ o: RunOptions, _ run: ModelRun) -> [(String, JSON)] {
        var p: [(String, JSON)] = [("workbench_version", .string(workbenchVersion)), ("model", .string(sim.name)),
                                   ("seed", .number(Double(o.seed))), ("samples", .number(Double(o.samples))),
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
        var parts = ["\(o.samples) samples"]
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

    public static func render(_ sim: any ModelSimulator, _ values: [String: Double], _ o: RunOptions, _ run: ModelRun,
                              format: OutputFormat) -> String {
        let unit = { (n: String) in sim.observables.first { $0.name == n }?.unit ?? "" }
        switch format {
        case .json:
            var obs: [(String, JSON)] = run.observables.map { ($0.name, .object([("value", .num($0.estimate.value)), ("se", .num($0.estimate.standardError)), ("unit", .string(unit($0.name)))])) }
            if let g = o.density, let d = run.density {
                obs.append(("density_per_mv", .object([("v_mv", .array((0..<g.bins).map { .number(g.center($0)) })),
                                                       ("value", .array(d.map { .num($0.value) })), ("se", .array(d.map { .num($0.standardError) }))])))
            }
            let params: [(String, JSON)] = sim.parameters.compactMap { p in values[p.name].map { (p.name, p.choices.isEmpty ? .number($0) : .string(p.choices[Int($0)])) } }
            return JSON.object(provenance(sim, o, run) + [("parameters", .object(params)), ("observables", .object(obs)),
                                                         ("work", .number(run.work)), ("work_unit", .string(run.workUnit)),
                                                         ("seconds", .number(run.seconds)), ("notes", .array(run.notes.map(JSON.string)))]).render() + "\n"
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
                s += "\n  density_per_mv\n"
                for b in 0..<g.bins { s += String(format: "    V = %-10.4g ", g.center(b)) + d[b].text + "\n" }
            }
            for n in run.notes { s += "note: \(n)\n" }
            s += "\n" + speed(o, run) + "\n"
            return s
        }
    }
}
