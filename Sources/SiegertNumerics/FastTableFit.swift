// How the polynomial tables of CSiegertTables are made: Chebyshev interpolation of the slow, accurate
// functions (GSL; QAG at GSL's tightest tolerance, 50·DBL_EPSILON) on pieces of width 1/4, converted to
// monomials in u ∈ [-1, 1] so the rate path can evaluate them by Estrin's scheme (short dependency chains).
// The DCT and the basis change run in extended precision (a double DCT leaves ~1e-14 in the sum).
// Regenerate: WORKBENCH_WRITE_TABLES=1 swift test -c release --filter FastSpecialTests/generatedTablesMatchAFreshFit
import CSiegertTables
import Foundation
import GSLSupport
#if canImport(Glibc)
import Glibc
#endif

public enum FastTableFit {
    // 200 pieces × 16 coefficients: degree 15 on width 1/4 leaves Chebyshev tails < 1e-18 (the
    // coefficients of erfcx fall like (1/8)^n / Γ(n/2)).
    public static let piecesPerUnit = Int(WB_TABLE_PIECES_PER_UNIT)
    public static let pieces = Int(WB_TABLE_PIECES)
    public static let coefficientsPerPiece = Int(WB_TABLE_COEFFICIENTS)

    /// Monomial coefficients of one function, piece after piece. `values(k, xs)` gives f at the points xs of
    /// piece k (so a cumulative function can carry its running integral from piece to piece).
    public static func fit(_ values: (Int, [Double]) -> [Double]) -> [Double] {
        let n = coefficientsPerPiece
        let nodes = (0..<n).map { cosl(Float80.pi * (Float80($0) + 0.5) / Float80(n)) }
        let cosines: [Float80] = (0..<(n * n)).map { i in
            let m = i / n, j = i % n
            return cosl(Float80.pi * Float80(m) * (Float80(j) + 0.5) / Float80(n))
        }
        // Monomial coefficients of T_0 ... T_{n-1} (T_{m+1} = 2u T_m - T_{m-1}).
        var chebyshev = [[Float80]](repeating: [Float80](repeating: 0, count: n), count: n)
        chebyshev[0][0] = 1
        if n > 1 { chebyshev[1][1] = 1 }
        if n > 2 {
            for m in 2..<n {
                for k in 0..<n {
                    chebyshev[m][k] = (k > 0 ? 2 * chebyshev[m - 1][k - 1] : 0) - chebyshev[m - 2][k]
                }
            }
        }
        let width = 1 / Float80(piecesPerUnit)
        var out = [Double]()
        out.reserveCapacity(pieces * n)
        for k in 0..<pieces {
            let xs = nodes.map { Double(Float80(k) * width + width * ($0 + 1) / 2) }
            let f = values(k, xs)
            precondition(f.count == n && f.allSatisfy(\.isFinite), "table fit: non-finite value in piece \(k)")
            var a = [Float80](repeating: 0, count: n)
            for m in 0..<n {
                var s: Float80 = 0
                for j in 0..<n { s += Float80(f[j]) * cosines[m * n + j] }
                let c = (m == 0 ? 1 : 2) * s / Float80(n)
                for i in 0...m { a[i] += c * chebyshev[m][i] }
            }
            out += a.map { Double($0) }
        }
        return out
    }

    /// The four tables in the order of the WB_TABLE_* indices.
    public static func fitAll() -> [[Double]] {
        let eps = 50 * Double.ulpOfOne
        let ws = IntegrationWorkspace()
        func qag(_ a: Double, _ b: Double, _ f: @escaping (Double) -> Double) -> Double {
            (try? ws.qag(a, b, epsrel: eps, f).value) ?? .nan
        }
        let erfcx = fit { _, xs in xs.map(Special.erfcx) }
        let dawsonOverX = fit { _, xs in xs.map { GSL.dawson($0) / $0 } }
        // Ē and Q vanish at 0 like x, so they are tabulated divided by x: a polynomial for Ē itself would
        // leave ~1e-17 absolute, i.e. 1e-11 relative at x = 1e-6. Ē accumulates its pieces in extended
        // precision (200 double additions would leave ~1e-15).
        var start: Float80 = 0
        let eBarOverX = fit { k, xs in
            let a = Double(k) / Double(piecesPerUnit), base = start
            start += Float80(qag(a, a + 1 / Double(piecesPerUnit), Special.erfcx))
            return xs.map { Double(base + Float80(qag(a, $0, Special.erfcx))) / $0 }
        }
        let qOverX = fit { _, xs in xs.map { slowQ($0, workspace: ws) / $0 } }
        return [erfcx, dawsonOverX, eBarOverX, qOverX]
    }

    /// Q(x) = ∫_0^x e^{-s(2x-s)} (1 + erf(x - s)) ds by QAGP at 50·ε (NaN if QAG fails): in the distance s
    /// from x, where the integrand lives on the scale 1/(2x); breakpoints at multiples of it spare QAG the search.
    public static func slowQ(_ x: Double, workspace ws: IntegrationWorkspace) -> Double {
        let points = [0.0] + [0.5, 5, 20].map { $0 / max(x, 1) }.filter { $0 < x } + [x]
        return (try? ws.qagp(points, epsrel: 50 * .ulpOfOne) { s in exp(-s * (2 * x - s)) * (1 + GSL.erf(x - s)) }.value) ?? .nan
    }

    /// The C source of CSiegertTables/siegert_tables.c.
    public static func cSource(_ tables: [[Double]]) -> String {
        cSource(tables, names: ["erfcx(x)", "D(x)/x", "Ebar(x)/x, Ebar(x) = int_0^x erfcx",
                                "Q(x)/x, Q(x) = e^{-x^2} int_0^x e^{t^2}(1 + erf t) dt"],
                generator: "FastTableFit.cSource() (Sources/SiegertNumerics/FastTableFit.swift)",
                array: "wb_siegert_table_data", count: "WB_TABLE_COUNT")
    }

    /// A generated table file: `array` holds the tables' coefficients piece after piece, at %.17g.
    static func cSource(_ tables: [[Double]], names: [String], generator: String, note: String = "",
                        array: String, count: String) -> String {
        var s = "/* Generated by \(generator) — do not edit.\(note) */\n#include \"siegert_tables.h\"\n\n"
            + "const double \(array)[\(count) * WB_TABLE_PIECES * WB_TABLE_COEFFICIENTS] = {\n"
        for (t, table) in tables.enumerated() {
            s += "/* \(t): \(names[t]) */\n"
            for k in 0..<pieces {
                let row = table[(k * coefficientsPerPiece)..<((k + 1) * coefficientsPerPiece)]
                s += row.map { String(format: "%.17g", $0) }.joined(separator: ",") + ",\n"
            }
        }
        return s + "};\n"
    }
}

extension FastTableFit {
    /// The compiled-in coefficients of table `which` (a WB_TABLE_* index), for the tests.
    public static func compiledTable(_ which: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: wb_siegert_table(Int32(which)), count: pieces * coefficientsPerPiece)
    }
}
