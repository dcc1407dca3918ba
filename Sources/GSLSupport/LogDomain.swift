// The shared numerical building blocks of THEORY §0.3.
import Foundation

public enum Special {
    public static let sqrtPi = 1.7724538509055160273
    public static let ln1000 = 6.9077552789821370521

    /// erfcx(x) = e^{x²} erfc(x) for all x where it is finite (overflows for x < -26.6).
    /// For 0 ≤ x < 26, `exp(x*x) * gsl_sf_erfc(x)`: GSL forms erfc(x) = exp(-fl(x*x))·R(x) itself, so
    /// the rounding of x*x cancels in the product (measured against mpmath: ≤ 6e-16 relative on
    /// [0, 26], where correcting x*x by an FMA would *add* GSL's 4e-14 back). x ≥ 26: the asymptotic
    /// series of THEORY §0.3.
    public static func erfcx(_ x: Double) -> Double {
        if x < 0 { return 2 * expSquare(x) - erfcx(-x) }
        if x < 26 { return exp(x * x) * GSL.erfc(x) }
        // Asymptotic series, k = 0...9: truncation < 1e-19 relative at x = 26.
        let inv2x2 = 1 / (2 * x * x)
        var term = 1.0, sum = 1.0
        for k in 1...9 {
            term *= -Double(2 * k - 1) * inv2x2
            sum += term
        }
        return sum / (x * sqrtPi)
    }

    /// x² = hi + lo exactly (Dekker's product with Veltkamp's split: plain multiplies, because without a
    /// hardware-FMA target `fma` is a library call on the rate's hot path). Exact for |x| < 1e150.
    @inline(__always) public static func exactSquare(_ x: Double) -> (hi: Double, lo: Double) {
        let hi = x * x
        let t = 134_217_729.0 * x                 // 2^27 + 1
        let xh = t - (t - x), xl = x - xh
        return (hi, ((xh * xh - hi) + 2 * xh * xl) + xl * xl)
    }

    /// e^{x²} with the rounding error of x² restored (it would cost x²·ε relative).
    /// Past x² = 800 the result has over- or underflowed and the split (whose products overflow) is skipped.
    @inline(__always) public static func expSquare(_ x: Double) -> Double {
        guard abs(x) < 28.3 else { return exp(x * x) }
        let (hi, lo) = exactSquare(x)
        return exp(hi) * (1 + lo)
    }

    /// e^{-x²}, likewise.
    @inline(__always) public static func expMinusSquare(_ x: Double) -> Double {
        guard abs(x) < 28.3 else { return exp(-x * x) }
        let (hi, lo) = exactSquare(x)
        return exp(-hi) * (1 - lo)
    }

    /// log(e^p + e^q) without overflow.
    @inline(__always) public static func logAddExp(_ p: Double, _ q: Double) -> Double {
        if p == -.infinity { return q }
        if q == -.infinity { return p }
        return max(p, q) + log1p(exp(-abs(p - q)))
    }

    /// Normal tail Q(x) = P(Z > x) and its log.
    public static func normalTail(_ x: Double) -> Double { 0.5 * GSL.erfc(x / 2.0.squareRoot()) }
    public static func logNormalTail(_ x: Double) -> Double { GSL.logErfc(x / 2.0.squareRoot()) - log(2.0) }
}
