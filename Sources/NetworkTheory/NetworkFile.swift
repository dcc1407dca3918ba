// The network description file (YAML, read with Yams): populations, connections, external drive, with units in
// the values ("0.1 mV", "1.5 ms", "8 Hz"). Every error names the key path (populations.E.size) and the valid range.
//
//   name: brunel-2000-A
//   neuron: {tau_m: 20 ms, theta: 20 mV, v_reset: 10 mV, tau_ref: 2 ms}      # defaults of every population
//   populations:
//     E: {size: 10000, external: {rate: 20 Hz, indegree: 1000, J: 0.1 mV}}
//     I: {size: 2500, external: {rate: 20 Hz, indegree: 1000, J: 0.1 mV}, dc: 0 mV}
//   connections:
//     - {from: E, to: [E, I], indegree: 1000, J: 0.1 mV, delay: 1.5 ms}   # or probability: 0.1 (K = p N_from)
//     - {from: I, to: [E, I], indegree: 250, J: -0.5 mV, delay: 1.5 ms}
//
// `--set path=value` replaces (or adds) one value before the file is read: populations.E.external.rate=25Hz.
import Foundation
import WorkbenchCore
import Yams

/// The file as an ordered tree: YAML mappings keep their order (it is the populations' order).
indirect enum NetworkTree {
    case scalar(String)
    case list([NetworkTree])
    case map([(key: String, value: NetworkTree)])

    init(_ node: Node, path: String) throws {
        switch node {
        case .scalar(let s): self = .scalar(s.string)
        case .sequence(let s): self = .list(try s.enumerated().map { try NetworkTree($1, path: "\(path).\($0)") })
        case .mapping(let m):
            var pairs: [(key: String, value: NetworkTree)] = []
            for (k, v) in m {
                guard let key = k.string else { throw NetworkFile.error(path, "has a key that is not a name") }
                let sub = path.isEmpty ? key : "\(path).\(key)"
                guard !pairs.contains(where: { $0.key == key }) else { throw NetworkFile.error(sub, "is given twice") }
                pairs.append((key, try NetworkTree(v, path: sub)))
            }
            self = .map(pairs)
        case .alias: throw NetworkFile.error(path, "is a YAML alias; write the value out")
        }
    }

    subscript(key: String) -> NetworkTree? {
        if case .map(let pairs) = self { return pairs.first { $0.key == key }?.value }
        return nil
    }

    /// Replaces the value at `path` (dotted keys and list indices), adding a missing last key to its map.
    mutating func set(_ path: [String], _ value: String, full: String) throws {
        guard let head = path.first else { self = .scalar(value); return }
        let rest = Array(path.dropFirst())
        switch self {
        case .map(var pairs):
            if let i = pairs.firstIndex(where: { $0.key == head }) {
                try pairs[i].value.set(rest, value, full: full)
            } else {
                guard rest.isEmpty else {
                    throw WorkbenchError.badInput(
                        "--set \(full): the file has no key '\(head)' here "
                            + "(keys: \(pairs.map(\.key).joined(separator: ", ")))")
                }
                pairs.append((head, .scalar(value)))
            }
            self = .map(pairs)
        case .list(var items):
            guard let i = Int(head), i >= 0, i < items.count else {
                throw WorkbenchError.badInput(
                    "--set \(full): '\(head)' is not an index of this list (0 to \(items.count - 1))")
            }
            try items[i].set(rest, value, full: full)
            self = .list(items)
        case .scalar:
            throw WorkbenchError.badInput("--set \(full): '\(head)' goes below a value, not a key of a map")
        }
    }
}

public enum NetworkFile {
    /// Neuron parameters a file may give, with their units.
    static let neuronUnits: [(name: String, unit: String, positive: Bool)] = [
        ("theta", "mV", false), ("v_reset", "mV", false), ("tau_m", "ms", true), ("tau_ref", "ms", false),
        ("tau_s", "ms", false),
    ]

    static func error(_ path: String, _ what: String) -> WorkbenchError {
        WorkbenchError.badInput("network file: '\(path)' \(what)")
    }

    /// Reads `path`, applies the `--set` overrides (`populations.E.size=2000`), and checks every value.
    public static func load(path: String, overrides: [String] = []) throws -> NetworkModel {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw WorkbenchError.badInput(
                "cannot read the network file '\(path)': \((error as NSError).localizedDescription)")
        }
        return try parse(
            text, overrides: overrides,
            defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    public static func parse(_ text: String, overrides: [String] = [], defaultName: String = "network") throws
        -> NetworkModel
    {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw WorkbenchError.badInput("network file: not valid YAML: \(error)")
        }
        guard let node else { throw WorkbenchError.badInput("network file: empty") }
        var tree = try NetworkTree(node, path: "")
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                throw WorkbenchError.badInput(
                    "--set '\(o)': expected path=value, e.g. populations.E.external.rate=25Hz")
            }
            let keyPath = String(o[..<eq]), value = String(o[o.index(after: eq)...])
            try tree.set(keyPath.split(separator: ".").map(String.init), value, full: o)
        }
        return try build(tree, defaultName: defaultName)
    }

    // MARK: values

    static func scalar(_ t: NetworkTree?, _ path: String) throws -> String? {
        guard let t else { return nil }
        guard case .scalar(let s) = t else { throw error(path, "must be a single value") }
        return s
    }

    static func number(
        _ t: NetworkTree?, _ path: String, unit: String, valid: String,
        _ accept: (Double) -> Bool
    ) throws -> Double? {
        guard let s = try scalar(t, path) else { return nil }
        let v = try Quantity.parse(s.replacingOccurrences(of: " ", with: ""), unit: unit, name: path)
        guard accept(v) else { throw error(path, "= \(s) is out of range (valid: \(valid))") }
        return v
    }

    static func names(_ t: NetworkTree?, _ path: String) throws -> [String] {
        switch t {
        case .scalar(let s)?: return [s]
        case .list(let items)?: return try items.enumerated().map { try scalar($1, "\(path).\($0)")! }
        default: throw error(path, "is missing (a population name or a list of them)")
        }
    }

    static func checkKeys(_ t: NetworkTree, _ path: String, _ allowed: [String]) throws {
        guard case .map(let pairs) = t else { throw error(path, "must be a map of keys") }
        for (key, _) in pairs where !allowed.contains(key) {
            throw error(
                path.isEmpty ? key : "\(path).\(key)",
                "is not a known key (known here: \(allowed.joined(separator: ", ")))")
        }
    }

    // MARK: the model

    static func build(_ tree: NetworkTree, defaultName: String) throws -> NetworkModel {
        try checkKeys(tree, "", ["name", "description", "source", "neuron", "populations", "connections"])
        let neuronKeys = neuronUnits.map(\.name)
        var defaults: [String: Double] = [:]
        if let n = tree["neuron"] {
            try checkKeys(n, "neuron", neuronKeys)
            defaults = try neuronValues(n, "neuron")
        }
        guard case .map(let popPairs)? = tree["populations"], !popPairs.isEmpty else {
            throw error("populations", "is missing or empty (a map: name -> {size: N, ...})")
        }
        var populations: [NetworkPopulation] = []
        for (name, p) in popPairs {
            let path = "populations.\(name)"
            try checkKeys(p, path, ["size", "external", "dc"] + neuronKeys)
            guard
                let size = try number(
                    p["size"], "\(path).size", unit: "1", valid: "an integer from 1 to 10^9",
                    { $0 >= 1 && $0 <= 1e9 && $0 == $0.rounded() })
            else {
                throw error("\(path).size", "is missing (the number of neurons)")
            }
            var pop = NetworkPopulation(name: name, size: Int(size), neuron: defaults)
            for (k, v) in try neuronValues(p, path) { pop.neuron[k] = v }
            if let e = p["external"] {
                let ep = "\(path).external"
                try checkKeys(e, ep, ["rate", "indegree", "J"])
                pop.externalRate = try number(e["rate"], "\(ep).rate", unit: "Hz", valid: ">= 0 Hz", { $0 >= 0 }) ?? 0
                pop.externalIndegree =
                    try number(
                        e["indegree"], "\(ep).indegree", unit: "1", valid: ">= 0",
                        { $0 >= 0 }) ?? 0
                pop.externalWeight =
                    try number(
                        e["J"], "\(ep).J", unit: "mV", valid: "a finite weight in mV",
                        { $0.isFinite }) ?? 0
            }
            pop.dc =
                try number(p["dc"], "\(path).dc", unit: "mV", valid: "a finite shift of mu in mV", { $0.isFinite }) ?? 0
            populations.append(pop)
        }
        for pop in populations {
            let theta = pop.neuron["theta"] ?? 20, reset = pop.neuron["v_reset"] ?? 10
            guard reset < theta else {
                throw error(
                    "populations.\(pop.name).v_reset",
                    "= \(formatNumber(reset)) mV is out of range (valid: < theta "
                        + "= \(formatNumber(theta)) mV)")
            }
        }
        let n = populations.count
        let index = Dictionary(uniqueKeysWithValues: populations.enumerated().map { ($1.name, $0) })
        var K = [[Double]](repeating: [Double](repeating: 0, count: n), count: n), J = K, D = K
        var given = Set<[Int]>()
        guard case .list(let connections)? = tree["connections"] ?? .list([]) else {
            throw error("connections", "must be a list of {from, to, indegree or probability, J, delay}")
        }
        for (c, conn) in connections.enumerated() {
            let path = "connections.\(c)"
            try checkKeys(conn, path, ["from", "to", "indegree", "probability", "J", "delay"])
            let from = try names(conn["from"], "\(path).from"), to = try names(conn["to"], "\(path).to")
            for name in from + to where index[name] == nil {
                throw error(
                    path,
                    "names population '\(name)', which the file does not define "
                        + "(populations: \(populations.map(\.name).joined(separator: ", ")))")
            }
            let k = try number(conn["indegree"], "\(path).indegree", unit: "1", valid: ">= 0", { $0 >= 0 })
            let p = try number(
                conn["probability"], "\(path).probability", unit: "1", valid: "in [0, 1]",
                { $0 >= 0 && $0 <= 1 })
            guard (k == nil) != (p == nil) else { throw error(path, "needs exactly one of indegree and probability") }
            guard
                let w = try number(conn["J"], "\(path).J", unit: "mV", valid: "a finite weight in mV", { $0.isFinite })
            else { throw error("\(path).J", "is missing (the weight, e.g. 0.1 mV; negative for inhibition)") }
            let d =
                try number(conn["delay"], "\(path).delay", unit: "ms", valid: ">= 0 ms", { $0 >= 0 && $0.isFinite })
                ?? 0
            for source in from {
                let b = index[source]!
                for target in to {
                    let a = index[target]!
                    guard given.insert([a, b]).inserted else {
                        throw error(path, "connects \(source) -> \(target) again (one entry per pair)")
                    }
                    K[a][b] = k ?? p! * Double(populations[b].size)
                    J[a][b] = w
                    D[a][b] = d
                }
            }
        }
        let name = try scalar(tree["name"], "name") ?? defaultName
        return NetworkModel(name: name, populations: populations, indegree: K, weight: J, delay: D)
    }

    static func neuronValues(_ t: NetworkTree, _ path: String) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for (name, unit, positive) in neuronUnits {
            let valid = positive ? "> 0 \(unit)" : (unit == "ms" ? ">= 0 ms" : "a finite potential in mV")
            if let v = try number(
                t[name], "\(path).\(name)", unit: unit, valid: valid,
                {
                    positive ? $0 > 0 : (unit == "ms" ? $0 >= 0 : $0.isFinite)
                })
            {
                values[name] = v
            }
        }
        return values
    }
}
