// Fast erfcx, Dawson's integral and Ē(t) = ∫_0^t erfcx on [0, 50] as piecewise Chebyshev series
// (50 unit pieces, degree 24), with their asymptotic forms beyond. They keep GSL and quadrature out
// of the Siegert rate's inner loop (a GSL special function costs ~90 ns, one QAG ~4 µs; a piece here
// ~10 ns). The tables are fitted once per process from the accurate slow functions (GSL, QAG at
// 50·DBL_EPSILON) — about 5 ms — and checked against them in FastSpecialTests.
import Foundation
import GSLSupport
#if canImport(Glibc)
import Glibc
#endif

/// A function on [0, pieces) as one Chebyshev series per unit interval.
struct PiecewiseChebyshev: Sendable {
    static let degree = 24
    let pieces: Int
    let coefficients: [Double]          // pieces × (degree + 1)

    /// `values(k, x)` gives f at the points x of piece k (so cumulative functions can carry state).
    init(pieces: Int, values: (Int, [Double]) -> [Double]) {
        let n = Self.degree + 1
        var c = [Double](repeating: 0, count: pieces * n)
        // Chebyshev points of the first kind, t_j = cos(π (j + ½)/n), mapped to [k, k+1].
        let t = (0..<n).map { cos(Double.pi * (Double($0) + 0.5) / Double(n)) }
        // The DCT in extended precision, cosines included: a double DCT leaves ~ε in every coefficient
        // and the sum of 25 of them errs by ~1e-14 (measured); this gives ~1e-17. Cosines once, not per piece.
        let cosines: [Float80] = (0..<(n * n)).map { i in
            let m = i / n, j = i % n
            return cosl(Float80.pi * Float80(m) * (Float80(j) + 0.5) / Float80(n))
        }
        for k in 0..<pieces {
            let f = values(k, t.map { Double(k) + 0.5 * ($0 + 1) })
            for m in 0..<n {
                var s: Float80 = 0
                for j in 0..<n { s += Float80(f[j]) * cosines[m * n + j] }
                c[k * n + m] = Double((m == 0 ? 1 : 2) * s / Float80(n))
            }
        }
        self.pieces = pieces
        coefficients = c
    }

    /// Clenshaw evaluation; x ∈ [0, pieces].
    @inline(__always) func callAsFunction(_ x: Double) -> Double {
        let n = Self.degree + 1
        let k = min(Int(x), pieces - 1)
        let u = 2 * (x - Double(k)) - 1, u2 = 2 * u
        var b1 = 0.0, b2 = 0.0
        return coefficients.withUnsafeBufferPointer { c in
            let base = k * n
            for m in stride(from: n - 1, through: 1, by: -1) {
                let b0 = u2 * b1 - b2 + c[base + m]
                b2 = b1; b1 = b0
            }
            return u * b1 - b2 + c[base]
        }
    }
}

public enum FastSpecial {
    static let range = 50

    static let erfcxTable = PiecewiseChebyshev(pieces: range) { _, xs in xs.map(Special.erfcx) }
    /// D(x)/x, so that D keeps its relative accuracy as x → 0 (D(x) ≈ x there).
    static let dawsonOverXTable = PiecewiseChebyshev(pieces: range) { _, xs in xs.map { GSL.dawson($0) / $0 } }
    /// Ē(t) = ∫_0^t erfcx: each piece's node values are Ē(k) + ∫_k^x erfcx by QAG, Ē(k) accumulated.
    static let (eBarTable, eBarAtRange): (PiecewiseChebyshev, Double) = {
        let ws = IntegrationWorkspace()
        var start = 0.0
        let eps = 50 * Double.ulpOfOne
        let table = PiecewiseChebyshev(pieces: range) { k, xs in
            let base = start
            let values = xs.map { x in base + ((try? ws.qag(Double(k), x, epsrel: eps) { Special.erfcx($0) }.value) ?? .nan) }
            start += (try? ws.qag(Double(k), Double(k + 1), epsrel: eps) { Special.erfcx($0) }.value) ?? .nan
            return values
        }
        return (table, start)
    }()

    /// erfcx(t) for t ≥ 0.
    @inline(__always) public static func erfcx(_ t: Double) -> Double {
        t < Double(range) ? erfcxTable(t) : Special.erfcx(t)
    }

    /// Dawson's integral D(x), odd; beyond 50 its asymptotic series Σ (2k-1)!!/(2^{k+1} x^{2k+1}).
    @inline(__always) public static func dawson(_ x: Double) -> Double {
        let a = abs(x)
        if a < Double(range) { return x * dawsonOverXTable(a) }
        let inv = 1 / (2 * a * a)
        var term = 1.0, sum = 1.0
        for k in 1...10 { term *= Double(2 * k - 1) * inv; sum += term }
        let d = sum / (2 * a)
        return x < 0 ? -d : d
    }

    /// Ē(t) = ∫_0^t erfcx(s) ds for t ≥ 0.
    @inline(__always) public static func eBar(_ t: Double) -> Double {
        t <= Double(range) ? eBarTable(t) : eBarAtRange + ErfcxIntegral.asymptoticDifference(Double(range), t)
    }
}
