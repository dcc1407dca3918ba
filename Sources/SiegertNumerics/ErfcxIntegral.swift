// J(l, h) = ∫_l^h erfcx(t) dt and the scaled Gaussian integral G of THEORY §0.3 / §1.3.
import Foundation
import GSLSupport

public enum ErfcxIntegral {
    /// Beyond this point erfcx is integrated through its asymptotic antiderivative (THEORY §0.3).
    public static let asymptoticStart = 50.0

    /// E(t) - ln(t)·(1/√π): the polynomial part of the asymptotic antiderivative of erfcx.
    @inline(__always) static func tailPolynomial(_ t: Double) -> Double {
        let u = 1 / (t * t)
        return u * (0.25 + u * (-3.0 / 16 + u * (5.0 / 16 + u * (-105.0 / 128))))
    }

    /// E(h) - E(l) for 50 ≤ l ≤ h, with ln h - ln l formed as log1p so near-equal ends keep their digits.
    static func asymptoticDifference(_ l: Double, _ h: Double) -> Double {
        (log1p((h - l) / l) + tailPolynomial(h) - tailPolynomial(l)) / Special.sqrtPi
    }

    /// J(l, h) = ∫_l^h erfcx(t) dt for 0 ≤ l ≤ h (QAG GAUSS41 to 50, asymptotic beyond).
    public static func J(_ l: Double, _ h: Double, workspace ws: IntegrationWorkspace) throws -> Double {
        precondition(l >= 0 && l <= h, "J(l, h) needs 0 ≤ l ≤ h")
        if l == h { return 0 }
        // Short against the scale of erfcx: one Gauss–Legendre panel (the asymptotic difference below
        // would cancel in its polynomial part, the QAG error estimate would be pure round-off).
        if h - l < 0.05 * max(1, h) { return rule20.integrate(l, h) { Special.erfcx($0) } }
        var sum = 0.0
        if l < asymptoticStart {
            sum += try ws.qag(l, min(h, asymptoticStart), epsrel: 1e-13) { Special.erfcx($0) }.value
        }
        if h > asymptoticStart { sum += asymptoticDifference(max(l, asymptoticStart), h) }
        return sum
    }

    static let rule20 = GaussLegendre(order: 20)
    /// On intervals shorter than 10 % of the scale of erfcx, 10 points are exact to ~1e-20.
    static let rule10 = GaussLegendre(order: 10)

    /// J(l, h) from the fast tables: Ē(h) - Ē(l), or — when the interval is shorter than a tenth of the
    /// scale max(1, h) on which erfcx varies, where that difference would lose Ē(h)/J > 50 ulps — 10-point
    /// Gauss–Legendre of the fast erfcx (exact to ~1e-20 there). Agrees with `J` to 5e-14 (FastSpecialTests).
    public static func fastJ(_ l: Double, _ h: Double) -> Double {
        if l == h { return 0 }
        if h - l < 0.1 * max(1, h) { return rule10.integrate(l, h) { FastSpecial.erfcx($0) } }
        if l >= asymptoticStart { return asymptoticDifference(l, h) }
        return FastSpecial.eBar(h) - FastSpecial.eBar(l)
    }

}

/// G(x, y) = e^{-m²} ∫_x^y e^{t²} dt with m = max(|x|, |y|), so it is bounded for all x ≤ y.
/// The Dawson form e^{y²-m²}D(y) - e^{x²-m²}D(x) cancels when x and y are close and of one sign; there
/// a 20-point Gauss–Legendre rule is used instead (the integrand varies on the scale 1/(2m), and the
/// rule is applied only to intervals shorter than that, where its error is far below 1e-16).
public enum ScaledGaussIntegral {
    static let rule = GaussLegendre(order: 20)

    public static func G(_ x: Double, _ y: Double) -> Double {
        if x == y { return 0 }
        let m = max(abs(x), abs(y))
        let sameSign = (x >= 0 && y >= 0) || (x <= 0 && y <= 0)
        if sameSign && (y - x) * max(1, 2 * m) < 1 {
            // In the distance d from the end of largest magnitude: e^{t²-m²} = e^{-d(2m-d)}.
            return rule.integrate(offsetsUpTo: y - x) { d in exp(-d * (2 * m - d)) }
        }
        let ax = abs(x), ay = abs(y)
        return exp((ay - m) * (ay + m)) * FastSpecial.dawson(y) - exp((ax - m) * (ax + m)) * FastSpecial.dawson(x)
    }
}
