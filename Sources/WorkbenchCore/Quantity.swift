// Numbers with optional unit suffixes on input (DESIGN.md §6): "15", "-5", "15mV", "0.015V", "10ms",
// "0.01s", "10Hz". A value is converted to the parameter's own unit; a suffix of another dimension is an error.
import Foundation

public enum Quantity {
    /// Factors to the base unit of each family (mV, ms, Hz).
    static let families: [(base: String, what: String, units: [String: Double])] = [
        ("mV", "a potential", ["mV": 1, "V": 1000, "uV": 1e-3, "µV": 1e-3]),
        ("ms", "a time", ["ms": 1, "s": 1000, "us": 1e-3, "µs": 1e-3, "min": 60_000]),
        ("Hz", "a rate", ["Hz": 1, "kHz": 1000, "1/s": 1, "1/ms": 1000]),
    ]

    /// Splits "12.5mV" into (12.5, "mV"); nil if there is no leading number.
    static func split(_ text: String) -> (Double, String)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let lower = t.lowercased()
        for special in ["nan", "+inf", "-inf", "inf", "infinity", "-infinity", "+infinity"] where lower == special {
            return (Double(special.replacingOccurrences(of: "infinity", with: "inf"))!, "")
        }
        let chars = Array(t.unicodeScalars)
        var i = 0
        if i < chars.count, chars[i] == "+" || chars[i] == "-" { i += 1 }
        let digitsStart = i
        while i < chars.count, CharacterSet.decimalDigits.contains(chars[i]) { i += 1 }
        if i < chars.count, chars[i] == "." { i += 1; while i < chars.count, CharacterSet.decimalDigits.contains(chars[i]) { i += 1 } }
        guard i > digitsStart, !(i == digitsStart + 1 && chars[digitsStart] == ".") else { return nil }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            let expStart = j
            while j < chars.count, CharacterSet.decimalDigits.contains(chars[j]) { j += 1 }
            if j > expStart { i = j }
        }
        let numberText = String(String.UnicodeScalarView(chars[0..<i]))
        guard let v = Double(numberText) else { return nil }
        return (v, String(String.UnicodeScalarView(chars[i...])).trimmingCharacters(in: .whitespaces))
    }

    /// Parses `text` as a value of a parameter with unit `unit`; `name` is used in messages.
    public static func parse(_ text: String, unit: String, name: String) throws -> Double {
        // Double(String) also reads C's hexadecimal floats ("0x10" = 16, "0x1p-3"): not a number a user
        // of mV and ms means, so they are refused by name rather than read or taken for a unit.
        let body = text.drop { $0 == "+" || $0 == "-" }
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            throw WorkbenchError.badInput("parameter '\(name)': '\(text)' is a hexadecimal number; give a decimal number")
        }
        // Fast path for the common case of a bare number.
        if let v = Double(text), v.isFinite { return v }
        guard let (value, suffix) = split(text) else {
            throw WorkbenchError.badInput("parameter '\(name)': '\(text)' is not a number")
        }
        guard value.isFinite else {
            throw WorkbenchError.badInput("parameter '\(name)' = \(text) is not a finite number")
        }
        if suffix.isEmpty || suffix == unit { return value }
        if let family = families.first(where: { $0.units[unit] != nil }) {
            guard let factor = family.units[suffix] else {
                let accepted = family.units.keys.sorted().joined(separator: ", ")
                throw WorkbenchError.badInput("parameter '\(name)': unit '\(suffix)' in '\(text)' is not \(family.what) (accepted: \(accepted); default \(unit))")
            }
            let converted = value * factor / family.units[unit]!
            guard converted.isFinite else {
                throw WorkbenchError.badInput("parameter '\(name)' = \(text) is beyond the range of a double in \(unit)")
            }
            return converted
        }
        let shown = unit == "1" ? "dimensionless" : "in \(unit)"
        throw WorkbenchError.badInput("parameter '\(name)': unit '\(suffix)' in '\(text)' not accepted (the parameter is \(shown))")
    }
}
