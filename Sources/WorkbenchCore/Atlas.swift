// `workbench atlas`: `validate` at every point of a parameter grid — where does an approximation hold?
//
// A point's simulation seed is derived from the atlas seed and the point's values alone, so a point's
// result does not depend on which process (or shard, or Slurm task) ran it. Each finished point is one
// JSON file under DIR/points, written atomically (temporary file + rename): a killed run loses only the
// points in flight and `--resume` runs the rest. The table (atlas.csv, atlas.json) and the heat maps are
// made from the point files alone, so merging shards gives byte for byte the single-process table.
import Foundation
import MonteCarlo

public struct AtlasSpec: Equatable, Sendable {
    /// The validate words of every point: estimator, positional values, parameters and run options
    /// (no --grid, --seed, --format).
    public var words: [String]
    public var axes: [AtlasAxis]
    /// Further estimator rows validated on each point's simulation (`--compare`), as validate words.
    public var compare: [AtlasVariant]
    public var seed: UInt64
    public var color: AtlasColor
    /// --threads of this process: not part of the atlas (results do not depend on it), not in the manifest.
    public var threads: String? = nil

    public init(words: [String], axes: [AtlasAxis], compare: [AtlasVariant], seed: UInt64, color: AtlasColor) {
        self.words = words; self.axes = axes; self.compare = compare; self.seed = seed; self.color = color
    }

    /// Points of the grid (saturating: a hand-made manifest cannot overflow it; specs are limited to maxPoints).
    public var pointCount: Int {
        axes.reduce(1) { n, a in let (p, o) = n.multipliedReportingOverflow(by: a.values.count); return o ? Int.max : p }
    }
    public var estimator: String { words[0] }
}

public struct AtlasAxis: Equatable, Sendable {
    public var name: String
    public var unit: String
    /// Values as text in the parameter's unit (choice labels for a choice parameter), as `--grid` gives them.
    public var values: [String]
    public init(name: String, unit: String, values: [String]) { self.name = name; self.unit = unit; self.values = values }
}

public struct AtlasVariant: Equatable, Sendable {
    /// "siegert-colored [method=taylor]": shown in tables and heat maps.
    public var label: String
    /// Words replacing the estimator name or setting parameters on top of the point's words.
    public var estimator: String?
    public var settings: [(name: String, value: String)]
    public static func == (a: AtlasVariant, b: AtlasVariant) -> Bool {
        a.label == b.label && a.estimator == b.estimator && a.settings.elementsEqual(b.settings) { $0 == $1 }
    }
}

public enum AtlasColor: String, Sendable { case rel, z }

/// One quantity of one estimator row at one point, as the table holds it.
public struct AtlasQuantity: Sendable {
    public var variant, quantity, unit: String
    public var estimator, mc, mcSE, z, relativeDifference, delta: Double?
    public var verdict: String
    /// Set when this estimator row could not be evaluated at the point (the others were validated).
    public var error: String? = nil
}

public struct AtlasPoint: Sendable {
    public var index: Int
    public var seed: UInt64
    public var values: [String]
    public var quantities: [AtlasQuantity]
    public var error: String?
}

public enum Atlas {
    public static let maxPoints = 1_000_000

    // MARK: specification

    /// Parses `workbench atlas` words (everything but --out/--shard/--resume, taken by the caller).
    public static func spec(words: [String], compare: [String], seed: UInt64, color: AtlasColor,
                            registryPaths: [String] = []) throws -> AtlasSpec {
        let args = try EvalArguments(words, commandOptions: Validation.commandOptions)
        let registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: args.pluginPaths + registryPaths))
        guard let e = registry.estimator(named: args.estimator) else {
            throw WorkbenchError.badInput("unknown estimator '\(args.estimator)' (available: \(registry.estimators.map(\.name).sorted().joined(separator: ", ")))")
        }
        guard !args.grids.isEmpty else { throw WorkbenchError.badInput("atlas needs at least one --grid name=values axis") }
        let evaluator = Evaluator(estimator: e, args: args)
        var axes: [AtlasAxis] = []
        for spec in args.grids {
            guard let eq = spec.firstIndex(of: "=") else {
                throw WorkbenchError.badInput("--grid '\(spec)': expected name=start:stop:step or name=v1,v2,...")
            }
            let p = try evaluator.parameter(String(spec[..<eq]))
            guard !axes.contains(where: { $0.name == p.name }) else { throw WorkbenchError.badInput("--grid names '\(p.name)' twice") }
            let values = try Evaluator.gridValues(String(spec[spec.index(after: eq)...]), p, parse: evaluator.parseValue)
            guard !values.isEmpty else { throw WorkbenchError.badInput("--grid \(spec) has no values") }
            axes.append(AtlasAxis(name: p.name, unit: p.unit, values: values))
        }
        let count = axes.reduce(1.0) { $0 * Double($1.values.count) }
        guard count <= Double(maxPoints) else { throw WorkbenchError.badInput("atlas grid has \(formatNumber(count)) points (limit \(maxPoints))") }
        var base: [String] = [], i = 0, threads: String?
        while i < words.count {      // the point words: without the grid axes, the format and the thread count
            let w = words[i]
            if w == "--threads" && i + 1 < words.count { threads = words[i + 1]; i += 2; continue }
            if w.hasPrefix("--threads=") { threads = String(w.dropFirst("--threads=".count)); i += 1; continue }
            if w == "--grid" || w == "--format" { i += 2; continue }
            if w.hasPrefix("--grid=") || w.hasPrefix("--format=") { i += 1; continue }
            base.append(w); i += 1
        }
        // What would fail every point fails here: unknown parameters, too many positional values.
        for (name, _) in args.named { _ = try evaluator.parameter(name) }
        let fixed = Set(args.named.map { $0.name.replacingOccurrences(of: "-", with: "_") } + axes.map(\.name))
        let open = e.parameters.filter { $0.isRequired && !fixed.contains($0.name) }
        guard args.positionals.count <= open.count else {
            throw WorkbenchError.badInput("too many positional values (\(args.positionals.joined(separator: " "))): with the grid axes "
                                          + "\(axes.map(\.name).joined(separator: ", ")), \(e.name) takes "
                                          + (open.isEmpty ? "none" : open.map(\.name).joined(separator: ", ")) + " positionally")
        }
        let variants = try compare.map { try variant($0, base: e, registry: registry) }
        let labels = [e.name] + variants.map(\.label)
        if let dup = labels.first(where: { l in labels.filter { $0 == l }.count > 1 }) {
            throw WorkbenchError.badInput("--compare: the row '\(dup)' appears twice")
        }
        var spec = AtlasSpec(words: base, axes: axes, compare: variants, seed: seed, color: color)
        spec.threads = threads
        // What would fail every point fails here: a missing required parameter, one given twice.
        let first = pointWords(values(of: 0, spec), seed: 1, spec).main
        let check = Evaluator(estimator: e, args: try EvalArguments(first, commandOptions: Validation.commandOptions))
        try check.checkComplete(try check.constants(), columns: [], vRest: try check.vRest)
        return spec
    }

    /// `--compare estimator=NAME` or `--compare name=value[,name=value]` (parameters set on top of the point).
    static func variant(_ text: String, base: LoadedEstimator, registry: PluginRegistry) throws -> AtlasVariant {
        var estimator: String?, settings: [(String, String)] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let eq = part.firstIndex(of: "=") else {
                throw WorkbenchError.badInput("--compare '\(text)': expected estimator=NAME or name=value[,name=value]")
            }
            let key = part[..<eq].replacingOccurrences(of: "-", with: "_"), value = String(part[part.index(after: eq)...])
            if key == "estimator" {
                guard let other = registry.estimator(named: value) else { throw WorkbenchError.badInput("--compare: unknown estimator '\(value)'") }
                guard other.model == base.model else {
                    throw WorkbenchError.badInput("--compare: '\(value)' predicts model \(other.model), not \(base.model): it cannot share the simulation")
                }
                estimator = value
            } else {
                let model = ModelSimulators.named(base.model)?.parameters.map(\.name) ?? []
                guard !model.contains(key) else {
                    throw WorkbenchError.badInput("--compare \(key)=\(value): \(key) is a parameter of the simulated model \(base.model); compared rows share the simulation, so only estimator settings may differ (e.g. method)")
                }
                guard !Validation.commandOptions.contains(key) && key != "seed" else {
                    throw WorkbenchError.badInput("--compare \(key)=\(value): run options apply to the shared simulation; give them once, outside --compare")
                }
                settings.append((key, value))
            }
        }
        let name = estimator ?? base.name
        let label = name + (settings.isEmpty ? "" : " [" + settings.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "]")
        return AtlasVariant(label: label, estimator: estimator, settings: settings)
    }

    /// Grid values of point `index` (the first axis varies slowest, as in `eval --grid`).
    public static func values(of index: Int, _ spec: AtlasSpec) -> [String] {
        var rest = index, out = [String](repeating: "", count: spec.axes.count)
        for k in spec.axes.indices.reversed() {
            let n = spec.axes[k].values.count
            out[k] = spec.axes[k].values[rest % n]
            rest /= n
        }
        return out
    }

    /// The point's seed: SplitMix64 of the atlas seed and an FNV-1a hash of "name=value;..." — a function
    /// of the point alone, below 2^53 so that JSON carries it exactly.
    public static func seed(of values: [String], _ spec: AtlasSpec) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for (axis, v) in zip(spec.axes, values) {
            for b in "\(axis.name)=\(v);".utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        }
        var z = spec.seed &+ h &+ 0x9e3779b97f4a7c15
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        z ^= z >> 31
        return (z & ((1 << 53) - 1)) | 1
    }

    /// The validate words of one point (and of each compared estimator row).
    static func pointWords(_ values: [String], seed: UInt64, _ spec: AtlasSpec) -> (main: [String], alongside: [[String]]) {
        var named: [String] = []
        for (axis, v) in zip(spec.axes, values) { named += ["--" + axis.name, v] }
        let main = spec.words + named + ["--seed", String(seed)] + (spec.threads.map { ["--threads", $0] } ?? [])
        let alongside = spec.compare.map { variant -> [String] in
            var w = main
            if let e = variant.estimator { w[0] = e }
            for (name, value) in variant.settings {      // a later option wins: drop an earlier one of the same name
                var k = 1
                while k < w.count {
                    let opt = w[k].hasPrefix("--") ? String(w[k].dropFirst(2)).replacingOccurrences(of: "-", with: "_") : ""
                    if opt == name && k + 1 < w.count { w.removeSubrange(k...(k + 1)) } else { k += 1 }
                }
                w += ["--" + name, value]
            }
            return w
        }
        return (main, alongside)
    }

    // MARK: running

    /// Validates one point; an error is recorded, never thrown.
    public static func run(point index: Int, _ spec: AtlasSpec, registryPaths: [String] = []) -> AtlasPoint {
        let values = values(of: index, spec), seed = seed(of: values, spec)
        let (main, alongside) = pointWords(values, seed: seed, spec)
        do {
            let (reports, failed, _) = try Validation.run(words: main, alongside: alongside, registryPaths: registryPaths)
            var quantities: [AtlasQuantity] = [], next = 0
            for (k, label) in ([spec.estimator] + spec.compare.map(\.label)).enumerated() {
                if k > 0, let message = failed[k - 1] {      // a compared row that could not be evaluated here
                    quantities.append(AtlasQuantity(variant: label, quantity: "", unit: "", verdict: "", error: message))
                    continue
                }
                for q in reports[next].quantities {
                    quantities.append(AtlasQuantity(variant: label, quantity: q.name, unit: q.unit, estimator: q.theory,
                                                    mc: q.mc?.value, mcSE: q.mc?.standardError, z: q.acceptance.flatMap { $0.z.isFinite ? $0.z : nil },
                                                    relativeDifference: q.acceptance?.relativeDifference, delta: q.delta, verdict: q.verdict))
                }
                next += 1
            }
            return AtlasPoint(index: index, seed: seed, values: values, quantities: quantities, error: nil)
        } catch let e as WorkbenchError {
            return AtlasPoint(index: index, seed: seed, values: values, quantities: [], error: e.message)
        } catch {
            return AtlasPoint(index: index, seed: seed, values: values, quantities: [], error: "\(error)")
        }
    }

    /// The points of shard i of n: every n-th point from i (neighbouring points cost alike, so this balances).
    public static func shard(_ i: Int, of n: Int, _ spec: AtlasSpec) -> [Int] {
        Array(stride(from: i, to: spec.pointCount, by: n))
    }

    /// `--shard I/N`, else a Slurm array task (SLURM_ARRAY_TASK_ID relative to SLURM_ARRAY_TASK_MIN, of
    /// SLURM_ARRAY_TASK_COUNT), else the whole grid.
    public static func shard(option: String?, environment: [String: String]) throws -> (Int, Int) {
        if let option {
            let parts = option.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, i >= 0, i < n else {
                throw WorkbenchError.badInput("option 'shard' = '\(option)' is not I/N with 0 <= I < N <= 100000")
            }
            return (i, n)
        }
        if let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init), let n = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init), n >= 1 {
            let step = max(1, environment["SLURM_ARRAY_TASK_STEP"].flatMap(Int.init) ?? 1)
            let offset = id - (environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0)
            let i = offset / step
            guard offset >= 0, offset % step == 0, i < n else {
                throw WorkbenchError.badInput("Slurm array task \(id) is not one of the \(n) tasks from SLURM_ARRAY_TASK_MIN: use --array=0-\(n - 1) or --shard I/N")
            }
            return (i, n)
        }
        return (0, 1)
    }
}

extension Atlas {
    /// The specification back from a manifest.json text (for `atlas merge`).
    public static func spec(manifest text: String) throws -> AtlasSpec {
        func bad() -> WorkbenchError { WorkbenchError.badInput("manifest.json is not an atlas manifest of this workbench") }
        guard let j = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let words = j["validate_words"] as? [String], !words.isEmpty,
              let axes = j["axes"] as? [[String: Any]], let compare = j["compare"] as? [[String: Any]],
              let seedText = j["seed"] as? String, let seed = UInt64(seedText),
              let color = (j["color"] as? String).flatMap(AtlasColor.init) else { throw bad() }
        let parsedAxes = try axes.map { a -> AtlasAxis in
            guard let n = a["name"] as? String, let u = a["unit"] as? String, let v = a["values"] as? [String], !v.isEmpty else { throw bad() }
            return AtlasAxis(name: n, unit: u, values: v)
        }
        let variants = try compare.map { v -> AtlasVariant in
            guard let label = v["label"] as? String, let settings = v["settings"] as? [String] else { throw bad() }
            return AtlasVariant(label: label, estimator: v["estimator"] as? String, settings: try settings.map { s in
                guard let eq = s.firstIndex(of: "=") else { throw bad() }
                return (String(s[..<eq]), String(s[s.index(after: eq)...]))
            })
        }
        let spec = AtlasSpec(words: words, axes: parsedAxes, compare: variants, seed: seed, color: color)
        guard AtlasStore.manifest(spec) == text else { throw bad() }     // nothing lost in the round trip
        guard spec.pointCount <= maxPoints else { throw WorkbenchError.badInput("the atlas manifest declares more than \(maxPoints) points") }
        return spec
    }
}
