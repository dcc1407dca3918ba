// `workbench repl` (DESIGN.md §6): shell-like word splitting and session defaults. The loop itself and
// the in-process execution of commands live in Sources/workbench/Repl.swift; this part is pure logic, so
// the tests can call it.
import Foundation
import MonteCarlo

public enum ShellWords {
    /// Splits a line like a POSIX shell does, without expansions: blanks separate words; '…' is literal;
    /// "…" keeps blanks and takes \" \\ \$ \` as escapes; a backslash outside quotes escapes the next
    /// character; '#' at the start of a word begins a comment.
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var it = Array(line).makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                return words
            case "'":
                inWord = true
                var closed = false
                while let d = it.next() { if d == "'" { closed = true; break }; current.append(d) }
                if !closed { throw WorkbenchError.badInput("unterminated quote ' in: \(line)") }
            case "\"":
                inWord = true
                var closed = false
                while let d = it.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\" {
                        guard let e = it.next() else { break }
                        if !"\"\\$`".contains(e) { current.append("\\") }
                        current.append(e)
                    } else { current.append(d) }
                }
                if !closed { throw WorkbenchError.badInput("unterminated quote \" in: \(line)") }
            case "\\":
                inWord = true
                if let e = it.next() { current.append(e) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// Session defaults of the REPL: `set tau_m 10ms` makes every later command whose estimator, model or
/// init scheme has a parameter `tau_m` run with `--tau-m 10ms` unless its line gives tau_m itself (as an
/// option, a --grid axis, or a positional value). Besides parameters, `seed` and `threads` reach simulate,
/// validate and plot, and `format` reaches eval, simulate, validate and init.
public struct SessionDefaults: Sendable {
    public private(set) var values: [String: String] = [:]
    public init() {}

    /// Canonical snake_case name (`tau-m`, `--tau-m` → `tau_m`).
    public static func canonical(_ name: String) -> String {
        var n = name
        while n.hasPrefix("-") { n.removeFirst() }
        return n.replacingOccurrences(of: "-", with: "_")
    }

    static let optionDefaults: [String: Set<String>] = [
        "seed": ["simulate", "validate", "plot"], "threads": ["simulate", "validate", "plot"],
        "format": ["eval", "simulate", "validate", "init"],
    ]

    /// Every name a default can have: parameters of the loaded estimators, of the simulated models, the
    /// init options, and the command options above.
    public static func knownNames(_ registry: PluginRegistry) -> Set<String> {
        var names = Set(optionDefaults.keys)
        for e in registry.estimators { names.formUnion(e.parameters.map(\.name)) }
        for m in ModelSimulators.all { names.formUnion(m.parameters.map(\.name)) }
        for s in NetworkInit.Scheme.allCases { names.formUnion(NetworkInit.parameterOptions(s)) }
        return names
    }

    /// Why `value` cannot be a default for `name`, or nil: a number with a unit of the parameter's family (as
    /// an estimator reads it), one of its choices, a format, a seed or a thread count.
    public static func problem(name: String, value: String, registry: PluginRegistry) -> String? {
        switch name {
        case "format":
            return OutputFormat(rawValue: value) == nil ? "'format' = '\(value)' is not one of: table, json, csv" : nil
        case "seed":
            return UInt64(value) == nil ? "'seed' = '\(value)' is not an integer from 0 to 2^64 - 1" : nil
        case "threads":
            return (Int(value) ?? 0) < 1 ? "'threads' = '\(value)' is not an integer >= 1" : nil
        default:
            guard let p = registry.estimators.lazy.compactMap({ $0.parameter(named: name) }).first else { return nil }
            if p.isChoice {
                return p.choices.contains(value) ? nil : "'\(name)' = '\(value)' is not one of: \(p.choices.joined(separator: ", "))"
            }
            do { _ = try Quantity.parse(value, unit: p.unit, name: name); return nil } catch { return "\(error)" }
        }
    }

    public mutating func set(_ name: String, _ value: String) { values[Self.canonical(name)] = value }
    @discardableResult public mutating func unset(_ name: String) -> Bool { values.removeValue(forKey: Self.canonical(name)) != nil }
    public mutating func clear() { values.removeAll() }

    /// `show`: one `name = value` line per default, sorted by name.
    public func render() -> String {
        values.isEmpty ? "(no session defaults; set one with: set <parameter> <value>)\n"
            : values.keys.sorted().map { "\($0) = \(values[$0]!)\n" }.joined()
    }

    /// The parameters (in declaration order, with whether they are required = positional) of what a
    /// command line names, and the command options it takes defaults for.
    struct Target {
        var parameters: [(name: String, required: Bool)]
        var options: Set<String>
    }

    /// The words of a command (without `workbench`) with the applicable defaults appended as options.
    /// A line that does not parse is returned unchanged: the command itself reports the error.
    public func apply(to words: [String], registry: () -> PluginRegistry) -> [String] {
        guard !values.isEmpty, let command = words.first else { return words }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { return words }
        var options = Set(Self.optionDefaults.filter { $0.value.contains(command) }.keys)
        var given = Set<String>()
        var positionals = 0
        var parameters: [(name: String, required: Bool)] = []
        switch command {
        case "eval", "validate", "plot":
            let commandOptions: Set<String> = command == "eval" ? [] : (command == "plot" ? PlotRequest.commandOptions : Validation.commandOptions)
            let cleaned = command == "plot" ? PlotRequest.stripFlags(rest).words : rest
            guard let args = try? EvalArguments(cleaned, commandOptions: commandOptions),
                  let e = registry().estimator(named: args.estimator) else { return words }
            parameters = e.parameters.map { ($0.name, $0.isRequired) }
            given.formUnion(args.named.map { Self.canonical($0.name) })
            given.formUnion(args.grids.compactMap { $0.split(separator: "=", maxSplits: 1).first.map { Self.canonical(String($0)) } })
            given.formUnion(args.extra.keys)
            if args.sigmaFree != nil { given.insert("sigma") }
            if args.format != nil { given.insert("format") }
            if args.input != nil { return words }      // a CSV batch names its own columns
            positionals = args.positionals.count - (command == "plot" ? 1 : 0)    // plot: the first is the output
            if command == "plot" && !rest.contains("--mc") { options.subtract(["seed", "threads"]) }
        case "simulate":
            guard let args = try? EvalArguments(rest, commandOptions: ModelRunRequest.commandOptions) else { return words }
            if let m = ModelSimulators.named(args.estimator) {
                parameters = m.parameters.map { ($0.name, $0.defaultValue == nil && !$0.optional) }
            } else { return words }
            given.formUnion(args.named.map { Self.canonical($0.name) })
            given.formUnion(args.extra.keys)
            if args.sigmaFree != nil { given.insert("sigma") }
            if args.format != nil { given.insert("format") }
            positionals = args.positionals.count
        case "init":
            var scheme: NetworkInit.Scheme?
            var i = 0
            while i < rest.count {
                let w = rest[i]
                if w.hasPrefix("--") {
                    var name = String(w.dropFirst(2)), value: String?
                    if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                    else if i + 1 < rest.count { value = rest[i + 1]; i += 1 }
                    name = Self.canonical(name)
                    given.insert(name)
                    if name == "scheme", let v = value { scheme = NetworkInit.Scheme(rawValue: v) }
                }
                i += 1
            }
            guard let scheme else { return words }
            parameters = NetworkInit.parameterOptions(scheme).sorted().map { ($0, false) }
        default:
            return words
        }
        // Positional values fill the required parameters not given by name, in order; those are given too.
        var open = parameters.filter { $0.required && !given.contains($0.name) }.map(\.name)[...]
        for _ in 0..<max(positionals, 0) { if let n = open.popFirst() { given.insert(n) } }
        var out = words
        let names = Set(parameters.map(\.name)).union(options)
        for name in values.keys.sorted() where names.contains(name) && !given.contains(name) {
            out += ["--" + name.replacingOccurrences(of: "_", with: "-"), values[name]!]
        }
        return out
    }
}
