// How every result the workbench prints is written: the number formats (one place for all of them) and the
// aligned text table. JSON values are built with `JSON` (JSON.swift), CSV cells with `csvNumber` and `CSV.escape`.
import Foundation

/// Shortest representation that reads back to the same double ("9.46079980575913", "1.5e-692").
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}

/// A CSV cell: `formatNumber`, and empty for no value (NaN), as eval's batches write it.
public func csvNumber(_ v: Double) -> String { v.isNaN ? "" : formatNumber(v) }

/// Fixed 15 significant digits for tables.
public func formatTableNumber(_ v: Double) -> String {
    if v.isNaN { return "n/a" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return String(format: "%.15g", v)
}

/// `digits` significant digits (printf %g): the short numbers of summaries (init's plan, validate's estimator
/// column), where 15 digits would hide the comparison.
public func formatSignificant(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)g", v) }

/// Aligned columns: each cell padded to its column's widest, two spaces between columns, `indent` before each
/// row, one row per line. The first row is usually the header.
public func renderTextTable(_ rows: [[String]], indent: String = "  ") -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
    return rows.map { row in
        indent + row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}
