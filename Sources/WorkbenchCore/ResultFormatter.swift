// Table (default), JSON (with provenance and warnings) and CSV renderings of an evaluation.
import Foundation

struct ResultFormatter {
    let estimator: LoadedEstimator
    let outputs: [OutputInfo]
    let vRest: Double?
    /// Parameters in the user's frame, row-major (`parameterCount` per row): one array for a chunk of rows.
    let parameterValues: [Double]
    let rowErrors: [String?]
    /// For rows that failed to parse: the cells as the user wrote them, echoed instead of defaults.
    let rawCells: [[Int: String]]
    let result: LoadedEstimator.Batch
    /// Stored, not computed: `estimator.parameters.count` retains the array on every call of a hot loop.
    let parameterCount: Int
    /// rowErrors[r] != nil, without copying the optional String per row.
    let failed: [Bool]

    init(estimator: LoadedEstimator, outputs: [OutputInfo], vRest: Double?, parameterValues: [Double],
         rowErrors: [String?], rawCells: [[Int: String]], result: LoadedEstimator.Batch) {
        self.estimator = estimator; self.outputs = outputs; self.vRest = vRest
        self.parameterValues = parameterValues; self.rowErrors = rowErrors; self.rawCells = rawCells
        self.result = result
        parameterCount = estimator.parameters.count
        failed = rowErrors.map { $0 != nil }
    }

    var rowCount: Int { rowErrors.count }
    var rowIndices: Range<Int> { 0..<rowCount }
    func parameter(_ r: Int, _ i: Int) -> Double { parameterValues[r * parameterCount + i] }

    /// An output value in the user's frame (absolute potentials under --v-rest); nil if absent.
    func value(_ row: Int, _ o: OutputInfo) -> Double? {
        if rowErrors[row] != nil || result.isNotApplicable(row, o.index) { return nil }
        let v = result.value(row, o.index)
        if v.isNaN { return nil }
        if o.isPotential, let e = vRest { return v + e }
        return v
    }

    func status(_ row: Int) -> (String, String) {
        if let e = rowErrors[row] { return ("error", e) }
        let w = estimator.warningTexts(result.status[row])
        return w.isEmpty ? ("ok", "") : ("warning", w.joined(separator: "; "))
    }

    func parameterText(_ p: ParameterInfo, _ v: Double) -> String {
        if v.isNaN { return "" }
        if p.isChoice, Int(v) < p.choices.count, v >= 0 { return p.choices[Int(v)] }
        return formatNumber(v)
    }

    func unitSuffix(_ u: String) -> String { u == "1" || u.isEmpty ? "" : " " + u }

    // MARK: CSV

    /// Output column names in a flat table; an output named like a parameter (an init's solved `sigma_w`
    /// beside the `sigma_w` one can give) gets the suffix `_out`, so no header repeats.
    var outputColumnNames: [String] {
        let parameters = Set(estimator.parameters.map(\.name))
        return outputs.map { parameters.contains($0.name) ? $0.name + "_out" : $0.name }
    }

    var csvHeader: String {
        (estimator.parameters.map(\.name) + outputColumnNames + ["status", "error"]).joined(separator: ",") + "\n"
    }

    /// What a CSV line needs of the parameters and outputs, as plain arrays: iterating the info structs
    /// copies their strings (a retain and release each), a fifth of a streamed row's cost.
    struct CSVLayout {
        let isChoice: [Bool]
        let outputIndex: [Int]
        let outputIsPotential: [Bool]
    }

    var csvLayout: CSVLayout {
        CSVLayout(isChoice: estimator.parameters.map(\.isChoice), outputIndex: outputs.map(\.index),
                  outputIsPotential: outputs.map(\.isPotential))
    }

    /// The text of each parameter column's last number, reused while the value repeats (constant columns and a
    /// grid's slow axes: most of a row's parameters).
    final class ParameterTextCache {
        static let width = 32                   // ≥ the longest shortest-round-trip double (24 bytes)
        // Pointers, not Arrays: a store into an Array checks its uniqueness each time (2 % of a row).
        let bits: UnsafeMutablePointer<UInt64>, length: UnsafeMutablePointer<Int>, text: UnsafeMutablePointer<UInt8>
        init(_ n: Int) {
            bits = .allocate(capacity: max(n, 1)); bits.initialize(repeating: Double.nan.bitPattern, count: max(n, 1))
            length = .allocate(capacity: max(n, 1)); length.initialize(repeating: -1, count: max(n, 1))
            text = .allocate(capacity: max(n, 1) * Self.width); text.initialize(repeating: 0, count: max(n, 1) * Self.width)
        }
        deinit { bits.deallocate(); length.deallocate(); text.deallocate() }
    }

    /// One CSV line, written straight into `out` (numbers by `OutputBytes.number`, i.e. `formatNumber`).
    func appendCSVRow(_ r: Int, layout: CSVLayout, cache: ParameterTextCache, to out: inout OutputBytes) {
        let failed = self.failed[r]
        for i in 0..<parameterCount {
            if failed, let text = rawCells[r][i] { out.csvField(text) }     // only a failed row has raw cells
            else {
                let v = parameter(r, i)
                if layout.isChoice[i] { out.csvField(parameterText(estimator.parameters[i], v)) }
                else if !v.isNaN {
                    let slot = cache.text + i * ParameterTextCache.width
                    if v.bitPattern == cache.bits[i] && cache.length[i] >= 0 {
                        out.storage.append(slot, cache.length[i])
                    } else {
                        let start = out.count
                        out.number(v)
                        let n = out.count - start
                        if n <= ParameterTextCache.width {
                            cache.bits[i] = v.bitPattern; cache.length[i] = n
                            slot.update(from: out.storage.base + start, count: n)
                        }
                    }
                }
            }
            out.byte(UInt8(ascii: ","))
        }
        for k in 0..<layout.outputIndex.count {
            // value(r, o) without the OutputInfo copy.
            let o = layout.outputIndex[k]
            if !failed && !result.isNotApplicable(r, o) {
                let v = result.value(r, o)
                if !v.isNaN { out.number(layout.outputIsPotential[k] && vRest != nil ? v + vRest! : v) }
            }
            out.byte(UInt8(ascii: ","))
        }
        if failed {
            out.write("error,")
            out.csvField(rowErrors[r]!)
        } else if result.status[r] > 0 {
            out.write("warning,")
            out.csvField(estimator.warningTexts(result.status[r]).joined(separator: "; "))
        } else {
            out.byte(UInt8(ascii: "o")); out.byte(UInt8(ascii: "k")); out.byte(UInt8(ascii: ","))
        }
        out.byte(UInt8(ascii: "\n"))
    }

    func csv() -> String {
        var out = OutputBytes()
        out.write(csvHeader)
        let layout = csvLayout
        let cache = ParameterTextCache(parameterCount)
        for r in rowIndices { appendCSVRow(r, layout: layout, cache: cache, to: &out) }
        return out.string
    }

    // MARK: JSON

    var provenance: [(String, JSON)] {
        var p: [(String, JSON)] = [
            ("workbench_version", .string(workbenchVersion)),
            ("estimator", .string(estimator.name)),
            ("model", .string(estimator.model)),
            ("plugin", .object([("file", .string(estimator.file.path)), ("sha256", .string(estimator.file.sha256)),
                                ("toolchain", .string(estimator.toolchain))])),
        ]
        if let e = vRest { p.append(("v_rest_mv", .number(e))) }
        return p
    }

    var units: JSON {
        .object([("parameters", .object(estimator.parameters.map { ($0.name, .string($0.unit)) })),
                 ("outputs", .object(outputs.map { ($0.name, .string($0.unit)) }))])
    }

    func rowObjects(_ r: Int) -> [(String, JSON)] {
        let params: [(String, JSON)] = estimator.parameters.map { p in
            let v = parameter(r, p.index)
            // A cell that did not parse is echoed as the text the user wrote.
            if !v.isFinite, let raw = rawCells[r][p.index], !raw.isEmpty { return (p.name, .string(raw)) }
            if v.isNaN { return (p.name, .null) }
            if p.isChoice { return (p.name, .string(parameterText(p, v))) }
            return (p.name, .number(v))
        }
        let outs: [(String, JSON)] = outputs.map { o in (o.name, value(r, o).map(JSON.num) ?? .null) }
        let na = outputs.filter { result.isNotApplicable(r, $0.index) }.map { JSON.string($0.name) }
        let warnings = rowErrors[r] == nil ? estimator.warningTexts(result.status[r]) : []
        return [("parameters", .object(params)), ("outputs", .object(outs)), ("not_applicable", .array(na)),
                ("warnings", .array(warnings.map(JSON.string)))]
    }

    func jsonSingle() -> String {
        JSON.object(provenance + [("units", units)] + rowObjects(0)).render() + "\n"
    }

    /// A batch row as `jsonBatch` renders it inside its "rows" array.
    func batchRowJSON(_ r: Int) -> String {
        let (s, e) = status(r)
        var o = rowErrors[r] == nil ? rowObjects(r) : [("parameters", rowObjects(r)[0].1)]
        o.append(("status", .string(s)))
        o.append(("error", s == "error" ? .string(e) : .null))
        return JSON.object(o).render(indent: 2)
    }

    /// The batch document is written in three parts so that a stream of rows can go between them:
    /// head + (`[]` | `[\n    row` + `,\n    row`... + `\n  ]`) + tail; the same text as rendering it whole.
    var jsonBatchHead: String {
        let whole = JSON.object(provenance + [("units", units)]).render()
        return String(whole.dropLast(2)) + ",\n  \"rows\": "
    }
    static let jsonBatchTail = "\n}\n"
    static func jsonRowSeparator(first: Bool) -> String { first ? "[\n    " : ",\n    " }
    static func jsonRowsEnd(empty: Bool) -> String { empty ? "[]" : "\n  ]" }

    func jsonBatch() -> String {
        var text = jsonBatchHead
        for r in rowIndices { text += Self.jsonRowSeparator(first: r == 0) + batchRowJSON(r) }
        return text + Self.jsonRowsEnd(empty: rowCount == 0) + Self.jsonBatchTail
    }

    // MARK: tables

    func tableSingle() -> String {
        var out = "\(estimator.name) — \(estimator.summary)\nmodel \(estimator.model)"
        if let e = vRest { out += ", potentials absolute (v_rest = \(formatTableNumber(e)) mV)" }
        out += "\n\nparameters\n"
        let nameWidth = max(estimator.parameters.map(\.name.count).max() ?? 0, outputs.map(\.name.count).max() ?? 0) + 2
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        for p in estimator.parameters {
            let v = parameter(0, p.index)
            let text = v.isNaN ? "(not given)" : (p.isChoice ? parameterText(p, v) : formatTableNumber(v) + unitSuffix(p.unit))
            out += "  " + pad(p.name, nameWidth) + text + "\n"
        }
        out += "\noutputs\n"
        for o in outputs {
            let text: String
            if result.isNotApplicable(0, o.index) { text = "not applicable" }
            else if let v = value(0, o) { text = formatTableNumber(v) + unitSuffix(o.unit) }
            else { text = "n/a" }
            out += "  " + pad(o.name, nameWidth) + text + "\n"
        }
        return out
    }

    func tableBatch() -> String {
        let header = estimator.parameters.map(\.name) + outputColumnNames + ["status"]
        var body: [[String]] = rowIndices.map { r in
            estimator.parameters.map { parameterText($0, parameter(r, $0.index)) }
                + outputs.map { o in value(r, o).map(formatTableNumber) ?? "" } + [status(r).0]
        }
        body.insert(header, at: 0)
        var out = renderTextTable(body, indent: "")
        let errors = rowIndices.compactMap { r in rowErrors[r].map { "row \(r + 1): \($0)" } }
        if !errors.isEmpty { out += "\n" + errors.joined(separator: "\n") + "\n" }
        return out
    }
}
