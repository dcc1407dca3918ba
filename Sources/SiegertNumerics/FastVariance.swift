// The ISI variance of the white-noise LIF without nested quadrature (issue 20: ≤ 1 µs per point at the
// accuracy of the rate path).
//
// THEORY §1.2: CV² = 2π (ν τ_m)² W with W = ∫_a^b e^{x²} K(x) dx, K(x) = ∫_{-∞}^x e^{y²}(1 + erf y)² dy,
// a = y_r, b = y_θ. W is a difference of antiderivatives of e^{x²}K, and those are one-dimensional functions,
// so they are tabulated once (pieces of width 1/4 on t ∈ [0, 50], like the rate's tables) in bounded forms:
//
//   Kneg(t) = e^{t²} K(-t)                    ~ 1/(2π t³)       (K below zero)
//   Kpos(t) = e^{-t²} K(t)                    ~ 4 D(t)          (K above zero)
//   Hneg(t) = ∫_{-∞}^{-t} e^{x²} K(x) dx      ~ 1/(4π t²)
//   Gpos(t) = e^{-2t²} ∫_0^t e^{x²} K(x) dx   ~ 1/(2 t²)        (tabulated as Gpos/t, → K(0) at 0)
//
// Then, with c = max(b, 0)² and W_s = e^{-2c} W (what `Siegert.cv` needs):
//   b ≤ 0:       W_s = Hneg(-b) - Hneg(-a)
//   0 ≤ a < b:   W_s = Gpos(b) - e^{-2w(a+b)} Gpos(a)              (w = b - a, exact from the potentials)
//   a < 0 < b:   W_s = Gpos(b) + e^{-2b²} (Hneg(0) - Hneg(-a))
// Outside the narrow case (handled by Gauss–Legendre over Kneg/Kpos, as before) each difference keeps
// all but a bit or two: for b ≤ 0 the wide interval gives Hneg(-a) ≤ 0.6 Hneg(-b); for a ≥ 0 the factor
// e^{-2w(a+b)} ≤ e^{-1/2}.
// Beyond t = 50 the asymptotic series below (12 terms, < 1e-25 relative there) replace the tables.
// Generation: FastTableFit.fitVariance (GSL QAG at 50ε, running sums in extended precision); checks:
// FastVarianceTests against 40-digit mpmath (scripts/variance_reference.py) and the QAG reference.
import CSiegertTables
import Foundation
import GSLSupport

public enum FastVariance {
    @inline(__always) static var kNegTable: UnsafePointer<Double> { wb_variance_table(WB_VTABLE_KNEG)! }
    @inline(__always) static var kPosTable: UnsafePointer<Double> { wb_variance_table(WB_VTABLE_KPOS)! }
    @inline(__always) static var hNegTable: UnsafePointer<Double> { wb_variance_table(WB_VTABLE_HNEG)! }
    @inline(__always) static var gOverTTable: UnsafePointer<Double> { wb_variance_table(WB_VTABLE_GPOS_OVER_T)! }
    static let range = FastSpecial.range

    // MARK: asymptotic series (t ≥ 50)

    /// erfcx(s) ~ (1/√π) Σ e_k s^{-(2k+1)} with e_k = (-1)^k (2k-1)!!/2^k; erfcx² ~ (1/π) Σ c_n s^{-(2n+2)}.
    /// Kneg(s) = e^{s²}∫_s^∞ e^{-t²} erfcx(t)² dt solves B' = 2sB - erfcx², so B = Σ β_n s^{-(2n+3)} with
    /// β_n = c_n/(2π) - (2n+1)/2 β_{n-1}; Hneg(t) = ∫_t^∞ B = Σ β_n t^{-(2n+2)}/(2n+2).
    static let terms = 12
    static let beta: [Double] = {
        var e = [Double](repeating: 0, count: terms)
        e[0] = 1
        for k in 1..<terms { e[k] = -e[k - 1] * Double(2 * k - 1) / 2 }
        var b = [Double](repeating: 0, count: terms)
        for n in 0..<terms {
            var c = 0.0
            for i in 0...n { c += e[i] * e[n - i] }
            b[n] = c / (2 * Double.pi) - (n > 0 ? Double(2 * n + 1) / 2 * b[n - 1] : 0)
        }
        return b
    }()

    /// Gpos(x) beyond 50, where Kpos = 4D to within e^{-2500}: Gpos(x) = A(x) + e^{-2(x²-50²)}(Gpos(50) - A(50))
    /// with A' + 4xA = 4D, i.e. A = Σ α_n x^{-(2n+2)}, α_n = d_n + (n/2) α_{n-1}, D(x) ~ Σ d_n x^{-(2n+1)},
    /// d_n = (2n-1)!!/2^{n+1}.
    static let alpha: [Double] = {
        var a = [Double](repeating: 0, count: terms), d = 0.5
        for n in 0..<terms {
            if n > 0 { d *= Double(2 * n - 1) / 2 }
            a[n] = d + (n > 0 ? Double(n) / 2 * a[n - 1] : 0)
        }
        return a
    }()

    @inline(__always) static func series(_ c: [Double], _ inv2: Double) -> Double {
        var s = 0.0
        for n in stride(from: terms - 1, through: 0, by: -1) { s = s * inv2 + c[n] }
        return s
    }

    static func kNegAsymptotic(_ t: Double) -> Double { let i = 1 / (t * t); return series(beta, i) * i / t }
    static func hNegAsymptotic(_ t: Double) -> Double {
        let i = 1 / (t * t)
        var s = 0.0
        for n in stride(from: terms - 1, through: 0, by: -1) { s = s * i + beta[n] / Double(2 * n + 2) }
        return s * i
    }
    static func gPosAsymptotic(_ x: Double) -> Double { let i = 1 / (x * x); return series(alpha, i) * i }
    /// Gpos(50) - A(50): what the tables carry beyond the asymptotic part at their right end.
    static let gPosOffsetAtRange = range * FastSpecial.piece(gOverTTable, range) - gPosAsymptotic(range)

    // MARK: the four functions

    /// e^{t²} K(-t) for t ≥ 0.
    @inline(__always) public static func kNeg(_ t: Double) -> Double {
        t < range ? FastSpecial.piece(kNegTable, t) : kNegAsymptotic(t)
    }
    /// e^{-t²} K(t) for t ≥ 0 (4D(t) beyond 50).
    @inline(__always) public static func kPos(_ t: Double) -> Double {
        t < range ? FastSpecial.piece(kPosTable, t) : 4 * FastSpecial.dawson(t)
    }
    /// ∫_{-∞}^{-t} e^{x²} K(x) dx for t ≥ 0.
    @inline(__always) public static func hNeg(_ t: Double) -> Double {
        t < range ? FastSpecial.piece(hNegTable, t) : hNegAsymptotic(t)
    }
    /// e^{-2t²} ∫_0^t e^{x²} K(x) dx for t ≥ 0.
    @inline(__always) public static func gPos(_ t: Double) -> Double {
        if t < range { return t * FastSpecial.piece(gOverTTable, t) }
        return gPosAsymptotic(t) + exp(-2 * (t - range) * (t + range)) * gPosOffsetAtRange
    }

    /// W_s = e^{-2c} W for an interval that is not narrow (see `Siegert.isNarrow`); w = b - a from the potentials.
    public static func scaledW(a: Double, b: Double, width w: Double) -> Double {
        if b <= 0 { return hNeg(-b) - hNeg(-a) }
        let g = gPos(b)
        if a >= 0 { return g - exp(-2 * w * (a + b)) * gPos(a) }
        let e = Special.expMinusSquare(b)
        return g + e * e * (hNeg(0) - hNeg(-a))
    }

    /// e^{x²} K(x) e^{-2c} at x = b - d (the integrand of W, scaled), for the narrow case's Gauss–Legendre.
    @inline(__always) public static func scaledIntegrand(below d: Double, b: Double, expMinus2C: Double) -> Double {
        let x = b - d
        return x < 0 ? expMinus2C * kNeg(-x) : exp(-2 * d * (2 * b - d)) * kPos(x)
    }
}

// MARK: generation of the tables

extension FastTableFit {
    /// Kneg(t) = ∫_0^∞ e^{-2tr - r²} erfcx(t + r)² dr by QAGIU at 50ε, in r = s/(1+2t) (scale one).
    public static func slowKNeg(_ t: Double, workspace ws: IntegrationWorkspace) -> Double {
        let lambda = 1 / (1 + 2 * t)
        return (try? ws.qagiu(0, epsrel: 50 * .ulpOfOne) { r in
            let s = lambda * r, e = Special.erfcx(t + s)
            return lambda * exp(-2 * t * s - s * s) * e * e
        }.value) ?? .nan
    }

    /// Kpos(t) = e^{-t²} K(0) + ∫_0^t e^{-d(2t-d)} (1 + erf(t - d))² dd by QAGP at 50ε (peak at d = 0, width 1/(2t)).
    public static func slowKPos(_ t: Double, workspace ws: IntegrationWorkspace) -> Double {
        let points = [0.0] + [0.5, 5, 20].map { $0 / max(t, 1) }.filter { $0 < t } + [t]
        let tail = (try? ws.qagp(points, epsrel: 50 * .ulpOfOne) { d in
            let g = 1 + GSL.erf(t - d); return exp(-d * (2 * t - d)) * g * g
        }.value) ?? .nan
        return exp(-t * t) * Siegert.K0 + tail
    }

    /// The four variance tables in the order of the WB_VTABLE_* indices. Hneg is summed piece by piece from
    /// its asymptotic value at 50 downwards, Gpos from 0 upwards (Gpos(x) = e^{-2(x²-s²)}Gpos(s) + ∫_s^x
    /// e^{-2(x-y)(x+y)} Kpos(y) dy, integrated in x - y), the running sums in extended precision; inner integrals are QAG at 50ε.
    public static func fitVariance() -> [[Double]] {
        let eps = 50 * Double.ulpOfOne
        let outer = IntegrationWorkspace(), inner = IntegrationWorkspace()
        let width = 1 / Double(piecesPerUnit)
        func integral(_ a: Double, _ b: Double, _ f: @escaping (Double) -> Double) -> Double {
            (try? outer.qag(a, b, epsrel: eps, f).value) ?? .nan
        }
        let kNeg = fit { _, xs in xs.map { slowKNeg($0, workspace: inner) } }
        let kPos = fit { _, xs in xs.map { slowKPos($0, workspace: inner) } }
        var hAt = [Float80](repeating: 0, count: pieces + 1)
        hAt[pieces] = Float80(FastVariance.hNegAsymptotic(Double(pieces) * width))
        for k in stride(from: pieces - 1, through: 0, by: -1) {
            let lo = Double(k) * width
            hAt[k] = hAt[k + 1] + Float80(integral(lo, lo + width) { slowKNeg($0, workspace: inner) })
        }
        let hNeg = fit { k, xs in
            let hi = Double(k + 1) * width
            return xs.map { Double(hAt[k + 1] + Float80(integral($0, hi) { slowKNeg($0, workspace: inner) })) }
        }
        var gAt = [Float80](repeating: 0, count: pieces + 1)
        func gFrom(_ k: Int, to x: Double) -> Float80 {
            let s = Double(k) * width
            let carried = gAt[k] * Float80(exp(-2 * (x - s) * (x + s)))
            // In the distance d = x - y from the peak: e^{-2(x-y)(x+y)} formed from y would cost ~4x²ε.
            return carried + Float80(integral(0, x - s) { d in exp(-2 * d * (2 * x - d)) * slowKPos(x - d, workspace: inner) })
        }
        for k in 0..<pieces { gAt[k + 1] = gFrom(k, to: Double(k + 1) * width) }
        let gOverT = fit { k, xs in xs.map { Double(gFrom(k, to: $0)) / $0 } }
        return [kNeg, kPos, hNeg, gOverT]
    }

    /// The C source of CSiegertTables/variance_tables.c.
    public static func varianceCSource(_ tables: [[Double]]) -> String {
        cSource(tables, names: ["Kneg(t) = e^{t^2} K(-t)", "Kpos(t) = e^{-t^2} K(t)",
                                "Hneg(t) = int_{-inf}^{-t} e^{x^2} K(x) dx",
                                "Gpos(t)/t, Gpos(t) = e^{-2t^2} int_0^t e^{x^2} K(x) dx"],
                generator: "FastTableFit.varianceCSource() (Sources/SiegertNumerics/FastVariance.swift)",
                note: "\n * K(x) = int_{-inf}^x e^{y^2} (1 + erf y)^2 dy; layout as in siegert_tables.c.",
                array: "wb_variance_table_data", count: "WB_VTABLE_COUNT")
    }

    /// The compiled-in coefficients of variance table `which` (a WB_VTABLE_* index), for the tests.
    public static func compiledVarianceTable(_ which: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: wb_variance_table(Int32(which)), count: pieces * coefficientsPerPiece)
    }
}
