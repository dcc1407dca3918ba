// Table (default), JSON (with provenance and warnings) and CSV renderings of an evaluation.
import Foundation

struct ResultFormatter {
    let estimator: LoadedEstimator
    let outputs: [OutputInfo]
    let vRest: Double?
    let rows: [[Double]]              // parameters in the user's frame
    let rowErrors: [String?]
    /// For rows that failed to parse: the cells as the user wrote them, echoed instead of defaults.
    let rawCells: [[Int: String]]
    let result: LoadedEstimator.Batch

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

    func csv() -> String {
        var lines = [(estimator.parameters.map(\.name) + outputColumnNames + ["status", "error"]).joined(separator: ",")]
        lines.reserveCapacity(rows.count + 1)
        for r in rows.indices {
            var fields = estimator.parameters.map { CSV.escape(rawCells[r][$0.index] ?? parameterText($0, rows[r][$0.index])) }
            for o in outputs { fields.append(value(r, o).map(formatNumber) ?? "") }
            let (s, e) = status(r)
            fields.append(s); fields.append(CSV.escape(e))
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
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
            let v = rows[r][p.index]
            // A cell that did not parse is echoed as the text the user wrote.
            if !v.isFinite, let raw = rawCells[r][p.index], !raw.isEmpty { return (p.name, .string(raw)) }
            if v.isNaN { return (p.name, .null) }
            if p.isChoice { return (p.name, .string(parameterText(p, v))) }
            return (p.name, .number(v))
        }
        let outs: [(String, JSON)] = outputs.map { o in (o.name, value(r, o).map(JSON.num) ?? .null) }
        let na = outputs.filter { result.isNotApplicable(r, $0.index) }.map { JSON.string($0.name) }
        var warnings = rowErrors[r] == nil ? estimator.warningTexts(result.status[r]) : []
        for o in outputs where value(r, o)?.isInfinite == true {
            warnings.append("\(o.name) is \(value(r, o)! > 0 ? "+" : "-")inf (beyond the double range): written as null")
        }
        return [("parameters", .object(params)), ("outputs", .object(outs)), ("not_applicable", .array(na)),
                ("warnings", .array(warnings.map(JSON.string)))]
    }

    func jsonSingle() -> String {
        JSON.object(provenance + [("units", units)] + rowObjects(0)).render() + "\n"
    }

    func jsonBatch() -> String {
        let rowsJSON: [JSON] = rows.indices.map { r in
            let (s, e) = status(r)
            var o = rowErrors[r] == nil ? rowObjects(r) : [("parameters", rowObjects(r)[0].1)]
            o.append(("status", .string(s)))
            o.append(("error", s == "error" ? .string(e) : .null))
            return .object(o)
        }
        return JSON.object(provenance + [("units", units), ("rows", .array(rowsJSON))]).render() + "\n"
    }

    // MARK: tables

    func tableSingle() -> String {
        var out = "\(estimator.name) — \(estimator.summary)\nmodel \(estimator.model)"
        if let e = vRest { out += ", potentials absolute (v_rest = \(formatTableNumber(e)) mV)" }
        out += "\n\nparameters\n"
        let nameWidth = max(estimator.parameters.map(\.name.count).max() ?? 0, outputs.map(\.name.count).max() ?? 0) + 2
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        for p in estimator.parameters {
            let v = rows[0][p.index]
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
        var body: [[String]] = rows.indices.map { r in
            estimator.parameters.map { parameterText($0, rows[r][$0.index]) }
                + outputs.map { o in value(r, o).map(formatTableNumber) ?? "" } + [status(r).0]
        }
        body.insert(header, at: 0)
        let widths = header.indices.map { c in body.map { $0[c].count }.max() ?? 0 }
        var out = body.map { row in row.indices.map { c in row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0) }.joined(separator: "  ") }
            .joined(separator: "\n") + "\n"
        let errors = rows.indices.compactMap { r in rowErrors[r].map { "row \(r + 1): \($0)" } }
        if !errors.isEmpty { out += "\n" + errors.joined(separator: "\n") + "\n" }
        return out
    }
}
