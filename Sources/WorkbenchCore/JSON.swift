// A minimal ordered JSON writer: keys keep their order and doubles print round-trip exact.
import Foundation

public indirect enum JSON {
    case number(Double), string(String), bool(Bool), null
    case array([JSON]), object([(String, JSON)])

    /// RFC 8259 has no inf or nan. The convention (README, "Output formats"): an infinite value, which is a
    /// value (E[T] = ∞ for a Wiener process without drift), is the string "inf" or "-inf"; no value (not
    /// applicable, NaN) is null. CSV writes inf/-inf and an empty cell, tables inf/-inf and "not applicable".
    public static func num(_ v: Double) -> JSON {
        v.isFinite ? .number(v) : v.isNaN ? .null : .string(v > 0 ? "inf" : "-inf")
    }

    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent), inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .number(let v): return v.isFinite ? formatNumber(v) : JSON.num(v).render()
        case .string(let s): return JSON.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let a):
            if a.isEmpty { return "[]" }
            if a.allSatisfy({ if case .number = $0 { return true }; if case .string = $0 { return true }; return false }) {
                return "[" + a.map { $0.render() }.joined(separator: ", ") + "]"
            }
            return "[\n" + a.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            return "{\n" + o.map { inner + JSON.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + pad + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\t": r += "\\t"
            case "\r": r += "\\r"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }
}
