// Fast erfcx, Dawson's integral, Ē(t) = ∫_0^t erfcx and Q(x) = e^{-x²}∫_0^x e^{t²}(1 + erf t) dt: on [0, 50]
// polynomial pieces of width 1/4 (literal tables in CSiegertTables, made by FastTableFit), beyond 50 their
// asymptotic forms. They keep GSL and quadrature out of the Siegert rate's inner loop: a GSL special
// function costs ~90 ns, one QAG ~4 µs, a piece here a few ns, and nothing is fitted at run time.
// Accuracy against the slow functions and 40-digit references: FastSpecialTests.
import CSiegertTables
import Foundation
import GSLSupport

public enum FastSpecial {
    static let range = Double(WB_TABLE_RANGE)
    // Computed, not stored: the C accessor is a constant address, a stored `let` would add a lazy-init check.
    @inline(__always) static var erfcxTable: UnsafePointer<Double> { wb_siegert_table(WB_TABLE_ERFCX)! }
    @inline(__always) static var dawsonOverXTable: UnsafePointer<Double> { wb_siegert_table(WB_TABLE_DAWSON_OVER_X)! }
    @inline(__always) static var eBarOverXTable: UnsafePointer<Double> { wb_siegert_table(WB_TABLE_EBAR_OVER_X)! }
    @inline(__always) static var qOverXTable: UnsafePointer<Double> { wb_siegert_table(WB_TABLE_Q_OVER_X)! }
    /// Ē(50): the last piece at its right end.
    static let eBarAtRange = range * piece(eBarOverXTable, range)

    /// A table's polynomial at x ∈ [0, 50] by Estrin's scheme: depth 4 instead of Horner's 15, so the few
    /// independent evaluations of one rate overlap in the pipeline. x·4 and u are exact.
    @inline(__always) static func piece(_ table: UnsafePointer<Double>, _ x: Double) -> Double {
        let s = x * Double(WB_TABLE_PIECES_PER_UNIT)
        let k = min(max(Int(s), 0), Int(WB_TABLE_PIECES) - 1)
        let u = 2 * (s - Double(k)) - 1
        let c = table + k * Int(WB_TABLE_COEFFICIENTS)
        let u2 = u * u, u4 = u2 * u2, u8 = u4 * u4
        let p0 = (c[0] + c[1] * u) + (c[2] + c[3] * u) * u2
        let p1 = (c[4] + c[5] * u) + (c[6] + c[7] * u) * u2
        let p2 = (c[8] + c[9] * u) + (c[10] + c[11] * u) * u2
        let p3 = (c[12] + c[13] * u) + (c[14] + c[15] * u) * u2
        return (p0 + p1 * u4) + (p2 + p3 * u4) * u8
    }

    /// erfcx(t) for t ≥ 0.
    @inline(__always) public static func erfcx(_ t: Double) -> Double {
        t < range ? piece(erfcxTable, t) : Special.erfcx(t)
    }

    /// The asymptotic series of D(a)·2a = Σ (2k-1)!!/(2a²)^k, for a ≥ 50 (10 terms: < 1e-30).
    @inline(__always) static func dawsonSeries(_ a: Double) -> Double {
        let inv = 1 / (2 * a * a)
        var term = 1.0, sum = 1.0
        for k in 1...10 { term *= Double(2 * k - 1) * inv; sum += term }
        return sum
    }

    /// Dawson's integral D(x), odd.
    @inline(__always) public static func dawson(_ x: Double) -> Double {
        let a = abs(x)
        if a < range { return x * piece(dawsonOverXTable, a) }
        let d = dawsonSeries(a) / (2 * a)
        return x < 0 ? -d : d
    }

    /// Ē(t) = ∫_0^t erfcx(s) ds for t ≥ 0.
    @inline(__always) public static func eBar(_ t: Double) -> Double {
        t < range ? t * piece(eBarOverXTable, t) : eBarAtRange + ErfcxIntegral.asymptoticDifference(range, t)
    }

    /// Q(x) = e^{-x²} ∫_0^x e^{t²}(1 + erf t) dt for x ≥ 0. Beyond 50 it is 2D(x) - e^{-x²}Ē(x) = 2D(x)
    /// to within e^{-2500}.
    @inline(__always) public static func q(_ x: Double) -> Double {
        x < range ? x * piece(qOverXTable, x) : dawsonSeries(x) / x
    }
}
