// `workbench eval`: turning command-line words, a CSV file or a grid into rows, evaluating them
// through the ABI and formatting the result (DESIGN.md §6).
import CWorkbenchPlugin
import Foundation

public enum OutputFormat: String, CaseIterable, Sendable { case table, json, csv }

/// The words after `workbench eval`, sorted into what they mean. Parsed by hand because the
/// parameter options depend on the estimator, and negative positional numbers must parse.
public struct EvalArguments: Sendable {
    public var estimator = ""
    public var format: OutputFormat?
    public var input: String?
    public var grids: [String] = []
    public var outputs: [String]?
    public var vRest: String?
    public var sigmaFree: String?
    public var pluginPaths: [String] = []
    public var positionals: [String] = []
    public var named: [(name: String, value: String)] = []
    /// Options of the command itself (simulate/validate: neurons, dt, seed, ...), by snake_case name.
    public var extra: [String: String] = [:]
    /// --timing: report the time spent inside the estimator (the ABI batch call) on stderr.
    public var timing = false
    /// --assume-exact (validate): treat every estimator output as exact (model error 0), to show that
    /// the check rejects an approximation.
    public var assumeExact = false

    /// Command options that are also parameter names of the estimator or model at hand (e.g. `scheme` of
    /// variance-flow-init vs the LIF simulators' threshold scheme) go back to the parameters.
    public mutating func promoteToParameters(_ names: Set<String>) {
        for name in names.sorted() { if let v = extra.removeValue(forKey: name) { named.append((name, v)) } }
    }

    /// The whole command line after the command name, options included (the REPL, the atlas, tests).
    public init(_ words: [String], commandOptions: Set<String> = []) throws {
        try self.init(words, commandOptions: commandOptions, fixedOptions: true)
    }

    /// The estimator and its own words (`15 5 --tau-m 10ms`): what is left after a command's declared
    /// options were parsed by ArgumentParser, which sets the other fields.
    public init(estimator: String, parameterWords: [String]) throws {
        try self.init([estimator] + parameterWords, commandOptions: [], fixedOptions: false)
    }

    init(_ words: [String], commandOptions: Set<String>, fixedOptions: Bool) throws {
        var i = 0
        func value(for option: String) throws -> String {
            i += 1
            guard i < words.count else { throw WorkbenchError.badInput("option '--\(option)' needs a value") }
            return words[i]
        }
        while i < words.count {
            let w = words[i]
            if w == "--timing" && fixedOptions && commandOptions.isEmpty { timing = true; i += 1; continue }
            if w == "--assume-exact" && commandOptions.contains("assume_exact") { assumeExact = true; i += 1; continue }
            if w.hasPrefix("--") && w.count > 2 {
                var name = String(w.dropFirst(2)), inline: String?
                if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                name = name.replacingOccurrences(of: "-", with: "_")
                let v = try inline ?? value(for: name)
                switch fixedOptions ? name : "" {
                case "format":
                    guard let f = OutputFormat(rawValue: v) else {
                        throw WorkbenchError.badInput("option '--format' = '\(v)' is not one of: table, json, csv")
                    }
                    format = f
                case "input": input = v
                case "grid": grids.append(v)
                case "outputs": outputs = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                case "v_rest": vRest = v
                case "sigma_free": sigmaFree = v
                case "plugin_path": pluginPaths.append(v)
                default:
                    if commandOptions.contains(name) { extra[name] = v } else { named.append((name, v)) }
                }
            } else if w.hasPrefix("-") && w.count > 1 && !Self.looksNumeric(w) {
                throw WorkbenchError.badInput("unknown option '\(w)' (parameters are given as --name value)")
            } else if estimator.isEmpty {
                estimator = w
            } else {
                positionals.append(w)
            }
            i += 1
        }
        guard !estimator.isEmpty else { throw WorkbenchError.badInput("missing estimator name (see 'workbench list')") }
    }

    static func looksNumeric(_ w: String) -> Bool {
        let rest = w.dropFirst()
        guard let c = rest.first else { return false }
        return c.isNumber || c == "." || rest.lowercased().hasPrefix("inf") || rest.lowercased().hasPrefix("nan")
    }
}

public struct EvalResult {
    public var stdout: String
    public var stderr: [String]
    public var exitCode: Int32
}

public struct Evaluator {
    public let estimator: LoadedEstimator
    public let args: EvalArguments

    public init(estimator: LoadedEstimator, args: EvalArguments) { self.estimator = estimator; self.args = args }

    /// A row under construction: values by parameter index, and how each was set.
    struct Row { var values: [Double]; var error: String?; var raw: [Int: String] = [:] }

    func parameter(_ name: String) throws -> ParameterInfo {
        let n = name.replacingOccurrences(of: "-", with: "_")
        guard let p = estimator.parameter(named: n) else {
            let known = estimator.parameters.map(\.name).joined(separator: ", ")
            throw WorkbenchError.badInput("unknown parameter '\(name)' for \(estimator.name) (parameters: \(known))")
        }
        return p
    }

    /// Parses one user value of parameter p (choice by label or index; numbers with units).
    func parseValue(_ text: String, _ p: ParameterInfo) throws -> Double {
        if p.isChoice {
            if let i = p.choices.firstIndex(of: text.trimmingCharacters(in: .whitespaces)) { return Double(i) }
            // Compared as doubles: Int(v) of a huge or infinite number would trap.
            if let v = Double(text), v == v.rounded(), v >= 0, v < Double(p.choices.count) { return v }
            throw WorkbenchError.badInput("parameter '\(p.name)' = '\(text)' is not one of: \(p.choices.joined(separator: ", "))")
        }
        do { return try Quantity.parse(text, unit: p.unit, name: p.name) } catch let e as WorkbenchError {
            throw WorkbenchError.badInput(e.message + " (valid: \(estimator.describeRange(p)))")
        }
    }

    /// One cell as the user wrote it into a parameter value: trimmed; empty is missing (an error if the
    /// parameter is required); a cell that does not parse becomes NaN and its message the row's first error.
    func parseCell(_ cell: String, _ p: ParameterInfo, into value: inout Double, error: inout String?) {
        let t = cell.trimmingCharacters(in: .whitespaces)
        if t.isEmpty {
            if p.isRequired && error == nil { error = "parameter '\(p.name)' is missing (empty cell)" }
            return
        }
        do { value = try parseValue(t, p) } catch let e {
            value = .nan
            if error == nil { error = "\(e)" }
        }
    }

    /// A row (user's frame, in place) into the estimator's frame (--v-rest shifts the potentials), range-checked
    /// by the header; a row that failed here or before is replaced by `safeRow` so the batch call stays valid.
    func toEstimatorFrame(_ row: UnsafeMutableBufferPointer<Double>, vRest: Double?, potentialIndices: [Int],
                          safeRow: [Double], error: inout String?) {
        if let e = vRest { for i in potentialIndices where !row[i].isNaN { row[i] -= e } }
        if error == nil {
            for i in 0..<row.count where estimator.isOutOfRange(i, row[i]) {
                error = estimator.check(estimator.parameters[i], row[i])
                break
            }
        }
        if error != nil { for i in 0..<row.count { row[i] = safeRow[i] } }
    }

    /// What a failed row is evaluated with: NaN for optional parameters, else the default (or 1).
    var safeRow: [Double] {
        estimator.parameters.map { $0.isOptional ? Double.nan : ($0.defaultValue.isNaN ? 1 : $0.defaultValue) }
    }

    var vRest: Double? { get throws { try args.vRest.map { try Quantity.parse($0, unit: "mV", name: "v_rest") } } }

    /// Constants from the command line: named options, --sigma-free and positionals.
    func constants() throws -> [Int: Double] {
        var set = [Int: Double]()
        for (name, text) in args.named {
            let p = try parameter(name)
            guard set[p.index] == nil else { throw WorkbenchError.badInput("parameter '\(p.name)' given twice") }
            set[p.index] = try parseValue(text, p)
        }
        if let s = args.sigmaFree {
            guard let p = estimator.parameter(named: "sigma") else {
                throw WorkbenchError.badInput("--sigma-free needs an estimator with a 'sigma' parameter; \(estimator.name) has none")
            }
            guard set[p.index] == nil else { throw WorkbenchError.badInput("give either sigma or --sigma-free, not both") }
            let free = try Quantity.parse(s, unit: "mV", name: "sigma_free")
            guard free > 0 else { throw WorkbenchError.badInput("parameter 'sigma_free' = \(s) is out of range (valid: > 0 mV)") }
            set[p.index] = free * 2.0.squareRoot()      // Brunel convention: σ = √2 s_V (THEORY §0.2)
        }
        // Positional values fill the required parameters that no option or --grid axis gives, in order.
        let gridNames = Set(args.grids.compactMap { $0.split(separator: "=", maxSplits: 1).first }.map { $0.replacingOccurrences(of: "-", with: "_") })
        var positionals = args.positionals[...]
        for p in estimator.parameters where p.isRequired && set[p.index] == nil && !gridNames.contains(p.name) {
            guard let text = positionals.popFirst() else { break }
            set[p.index] = try parseValue(text, p)
        }
        if !positionals.isEmpty {
            let req = estimator.parameters.filter(\.isRequired).map(\.name).joined(separator: ", ")
            throw WorkbenchError.badInput("too many positional values (\(positionals.joined(separator: " "))): \(estimator.name) takes its required parameters (\(req)) positionally, others as --name value")
        }
        return set
    }

    /// Columns and their values per row, from --input or --grid (nil for a single evaluation).
    func batchColumns() throws -> (columns: [ParameterInfo], cells: [[String]])? {
        if let path = args.input {
            guard args.grids.isEmpty else { throw WorkbenchError.badInput("give either --input or --grid, not both") }
            guard let data = FileManager.default.contents(atPath: path) else {
                let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
                throw WorkbenchError.badInput("cannot read input file '\(path)' (\(reason))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                let hint = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) ? "UTF-16" : "not UTF-8 (Latin-1?)"
                throw WorkbenchError.badInput("input file '\(path)' is \(hint) text: save it as UTF-8 CSV")
            }
            var rows = CSV.parse(text)
            guard !rows.isEmpty else { throw WorkbenchError.badInput("input file '\(path)' is empty (expected a header naming parameters)") }
            let header = rows.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            let columns = try header.map { try parameter($0) }
            if Set(columns.map(\.index)).count != columns.count { throw WorkbenchError.badInput("input file '\(path)' names a parameter twice") }
            return (columns, rows)
        }
        guard !args.grids.isEmpty else { return nil }
        let axes = try gridAxes()                    // the 10^7 limit is checked before anything is built
        var cells: [[String]] = [[]]
        for axis in axes.texts { cells = cells.flatMap { prefix in axis.map { prefix + [$0] } } }
        return (axes.columns, cells)
    }

    /// "a:b:step" (inclusive of b within rounding), "a:b:logN" (N per decade) or "v1,v2,...". Values are returned as text in the
    /// parameter's unit so that grid and CSV rows take one path.
    static func gridValues(_ text: String, _ p: ParameterInfo, parse: (String, ParameterInfo) throws -> Double) throws -> [String] {
        try gridValues(text, name: p.name, keepListText: p.isChoice, parse: { try parse($0, p) })
    }

    /// One grid axis: a:b:step, a:b:logN (N points per decade) or v1,v2,...; the values as text. `keepListText`
    /// keeps list entries as written (choice labels; values whose unit a later parser knows) after checking them.
    public static func gridValues(_ text: String, name: String, keepListText: Bool = false,
                                  parse: (String) throws -> Double) throws -> [String] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[2].hasPrefix("log") {
            // a:b:logN: N points per decade from a (a frequency axis of a Bode plot: f=0.1:10000:log10).
            let a = try parse(parts[0]), b = try parse(parts[1])
            guard let n = Int(parts[2].dropFirst(3)), n >= 1, n <= 1000, a > 0, b >= a, b.isFinite else {
                throw WorkbenchError.badInput("--grid \(name)=\(text): expected a:b:logN with 0 < a <= b and N = 1 to 1000 points per decade")
            }
            let count = (Double(n) * log10(b / a) * (1 + 1e-12)).rounded(.down)
            guard count < 10_000_000 else { throw WorkbenchError.badInput("--grid \(name)=\(text) has too many points (limit 10^7)") }
            return (0...Int(count)).map { formatNumber(a * pow(10, Double($0) / Double(n))) }
        }
        if parts.count == 3 {
            let a = try parse(parts[0]), b = try parse(parts[1]), step = try parse(parts[2])
            guard step != 0, (b - a) / step >= 0 else {
                throw WorkbenchError.badInput("--grid \(name)=\(text): step \(step) does not lead from \(a) to \(b)")
            }
            let count = ((b - a) / step * (1 + 1e-12)).rounded(.down)
            guard count.isFinite, count < 10_000_000 else {
                throw WorkbenchError.badInput("--grid \(name)=\(text) has too many points (limit 10^7)")
            }
            let n = Int(count)
            return (0...n).map { formatNumber(a + Double($0) * step) }
        }
        guard parts.count == 1 else { throw WorkbenchError.badInput("--grid \(name)=\(text): expected start:stop:step or a comma-separated list") }
        return try text.split(separator: ",").map { String($0) }.map { v in
            if keepListText { _ = try parse(v); return v }
            return formatNumber(try parse(v))
        }
    }

    func selectedOutputs() throws -> [OutputInfo] {
        guard let names = args.outputs else { return estimator.outputs }
        return try names.map { n in
            guard let o = estimator.output(named: n) else {
                throw WorkbenchError.badInput("unknown output '\(n)' for \(estimator.name) (outputs: \(estimator.outputs.map(\.name).joined(separator: ", ")))")
            }
            return o
        }
    }

    func checkComplete(_ constant: [Int: Double], columns: Set<Int>, vRest: Double?) throws {
        for p in estimator.parameters where p.isRequired && constant[p.index] == nil && !columns.contains(p.index) {
            let req = estimator.parameters.filter(\.isRequired).map { "<\($0.name)>" }.joined(separator: " ")
            throw WorkbenchError.badInput("missing required parameter '\(p.name)' [\(p.unit)] (usage: workbench eval \(estimator.name) \(req) [--name value ...])")
        }
        if vRest != nil {
            for p in estimator.parameters where p.isPotential && !p.isOptional && constant[p.index] == nil && !columns.contains(p.index) {
                throw WorkbenchError.badInput("with --v-rest, parameter '\(p.name)' is an absolute potential and must be given explicitly (its default \(formatNumber(p.defaultValue)) mV is relative to rest)")
            }
        }
    }

    /// The one row of a single evaluation, in the estimator's frame (relative potentials), range-checked.
    public func singleRow() throws -> [Double] {
        let constant = try constants()
        let vRest = try self.vRest
        try checkComplete(constant, columns: [], vRest: vRest)
        var row = estimator.parameters.map { $0.defaultValue }
        for (i, v) in constant { row[i] = v }
        if let e = vRest { for p in estimator.parameters where p.isPotential && !row[p.index].isNaN { row[p.index] -= e } }
        for p in estimator.parameters { if let m = estimator.check(p, row[p.index]) { throw WorkbenchError.badInput(m) } }
        return row
    }

    /// A batch (or single row) evaluated: rows in the user's frame, the ABI result and its formatter.
    struct Evaluated {
        let rows: [Row]
        let batch: (columns: [ParameterInfo], cells: [[String]])?
        let result: LoadedEstimator.Batch
        let formatter: ResultFormatter
        let elapsed: Double, cpu: Double
    }

    /// The whole output as text. A streaming batch is collected in memory here; `workbench eval` streams it
    /// to standard output instead (`stream(to:)`).
    public func run() throws -> EvalResult {
        guard streams else { return finish(try evaluated()) }
        let text = OutputBytes()
        let summary = try stream { bytes in
            if let base = bytes.baseAddress { text.storage.append(base.assumingMemoryBound(to: UInt8.self), bytes.count) }
        }
        return EvalResult(stdout: text.string, stderr: summary.stderr, exitCode: summary.exitCode)
    }

    /// Parses, range-checks and evaluates every row (shared by `eval` and `plot`).
    func evaluated() throws -> Evaluated {
        let constant = try constants()
        let batch = try batchColumns()
        let outputs = try selectedOutputs()
        let vRest = try self.vRest
        let columnIndices = Set(batch?.columns.map(\.index) ?? [])
        if let batch {
            for c in batch.columns where constant[c.index] != nil {
                throw WorkbenchError.badInput("parameter '\(c.name)' is given both as an option and as a batch column")
            }
        }
        try checkComplete(constant, columns: columnIndices, vRest: vRest)

        // Rows in the user's frame (absolute potentials under --v-rest).
        var base = estimator.parameters.map { $0.defaultValue.isNaN ? Double.nan : $0.defaultValue }
        for (i, v) in constant { base[i] = v }
        var rows: [Row] = []
        if let batch {
            rows.reserveCapacity(batch.cells.count)
            for (r, cells) in batch.cells.enumerated() {
                var row = Row(values: base, error: nil)
                if cells.count != batch.columns.count {
                    row.error = "row \(r + 1): \(cells.count) fields, header has \(batch.columns.count)"
                } else {
                    // Every cell is parsed (the first error names the row): a failed row still echoes the
                    // values it was given, and a cell that did not parse is NaN, not the default.
                    for (c, p) in batch.columns.enumerated() {
                        parseCell(cells[c], p, into: &row.values[p.index], error: &row.error)
                    }
                }
                if row.error != nil {       // echo what the user wrote for a row that failed to parse
                    for (c, p) in batch.columns.enumerated() where c < cells.count { row.raw[p.index] = cells[c] }
                }
                rows.append(row)
            }
        } else {
            rows = [Row(values: base, error: nil)]
        }

        // Into the estimator's frame, host-side range checks, then one batch call.
        let nP = estimator.parameters.count
        var flat = rows.flatMap(\.values)
        let safeRow = self.safeRow, potentials = estimator.parameters.filter(\.isPotential).map(\.index)
        flat.withUnsafeMutableBufferPointer { all in
            for r in rows.indices {
                toEstimatorFrame(UnsafeMutableBufferPointer(rebasing: all[r * nP..<(r + 1) * nP]), vRest: vRest,
                                 potentialIndices: potentials, safeRow: safeRow, error: &rows[r].error)
            }
        }
        var want = [Bool](repeating: false, count: estimator.outputs.count)
        for o in outputs { want[o.index] = true }
        // Wall and process CPU time: under load (or on one pinned core) the CPU time is the estimator's own cost.
        func cpuSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let started = DispatchTime.now().uptimeNanoseconds, cpuStarted = cpuSeconds()
        let result = estimator.evaluate(flat, want: want)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9, cpu = cpuSeconds() - cpuStarted

        let formatter = ResultFormatter(estimator: estimator, outputs: outputs, vRest: vRest, parameterValues: rows.flatMap(\.values),
                                        rowErrors: rows.indices.map { rows[$0].error ?? result.messages[$0] },
                                        rawCells: rows.map { $0.error == nil ? [:] : $0.raw }, result: result)
        return Evaluated(rows: rows, batch: batch, result: result, formatter: formatter, elapsed: elapsed, cpu: cpu)
    }

    /// Exit code, messages and the formatted text of an evaluation.
    func finish(_ ev: Evaluated) -> EvalResult {
        let (rows, batch, result, formatter, elapsed, cpu) = (ev.rows, ev.batch, ev.result, ev.formatter, ev.elapsed, ev.cpu)
        // Bad input is exit 2; a valid row the numerics could not evaluate is an internal failure, exit 1.
        let numerical = rows.indices.filter { rows[$0].error == nil && result.status[$0] == WB_STATUS_NUMERICAL_ERROR }.count
        let badInput = rows.indices.filter { rows[$0].error != nil || (result.status[$0] < 0 && result.status[$0] != WB_STATUS_NUMERICAL_ERROR) }.count
        let failureCode: Int32 = badInput > 0 ? WorkbenchError.Code.badInput.rawValue : (numerical > 0 ? WorkbenchError.Code.internalError.rawValue : 0)
        let isBatch = batch != nil
        let format = args.format ?? (isBatch ? .csv : .table)
        var stderr: [String] = []
        if args.timing {
            let n = Double(max(rows.count, 1))
            stderr.append(String(format: "timing: %d rows evaluated in %.6f s inside the estimator: %.4g µs/row, %.4g rows/s (all cores; taskset -c 0 for one); CPU %.6f s = %.4g µs/row",
                                 rows.count, elapsed, elapsed / n * 1e6, Double(rows.count) / elapsed, cpu, cpu / n * 1e6))
        }
        let failed = formatter.rowErrors.compactMap { $0 }.count
        if isBatch {
            if failed > 0 { stderr.append("error: \(failed) of \(rows.count) rows failed (see the status/error columns)") }
            let warned = (0..<rows.count).filter { formatter.rowErrors[$0] == nil && result.status[$0] > 0 }.count
            if warned > 0 { stderr.append("warning: \(warned) rows carry warnings (see the status/error columns)") }
        } else if let e = formatter.rowErrors[0] {
            return EvalResult(stdout: "", stderr: ["error: \(numerical > 0 ? "numerical failure: " : "")\(e)"], exitCode: failureCode)
        } else {
            stderr += estimator.warningTexts(result.status[0]).map { "warning: \($0)" }
        }
        let text: String
        switch format {
        case .csv: text = formatter.csv()
        case .json: text = isBatch ? formatter.jsonBatch() : formatter.jsonSingle()
        case .table: text = isBatch ? formatter.tableBatch() : formatter.tableSingle()
        }
        return EvalResult(stdout: text, stderr: stderr, exitCode: failureCode)
    }
}
