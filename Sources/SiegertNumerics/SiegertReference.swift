// A slow, independent evaluation of the Siegert integrals, used as the test reference (and by the
// fast-path benchmark of a later issue). It shares only erfcx/erf with the production recipe: no
// Dawson function, no asymptotic antiderivative, no integration by parts; every integral is QAG at
// GSL's tightest practical tolerance on a variable in which the integrand is smooth.
import Foundation
import GSLSupport

public enum SiegertReference {
    static let epsrel = 50 * Double.ulpOfOne

    /// ∫_lo^hi erfcx(t) dt for 0 ≤ lo ≤ hi, with t = e^s above 1 (the integrand ~1/t becomes ~const).
    static func erfcxIntegral(_ lo: Double, _ hi: Double, _ ws: IntegrationWorkspace) throws -> Double {
        // A narrow interval is integrated in t itself: ln hi - ln lo would lose its digits.
        if hi < 2 * lo { return try ws.qag(lo, hi, epsrel: epsrel) { Special.erfcx($0) }.value }
        var sum = 0.0
        if lo < 1 { sum += try ws.qag(lo, min(hi, 1), epsrel: epsrel) { Special.erfcx($0) }.value }
        if hi > 1 {
            sum += try ws.qag(log(max(lo, 1)), log(hi), epsrel: epsrel) { s in
                let t = exp(s); return Special.erfcx(t) * t
            }.value
        }
        return sum
    }

    /// S = e^{-c} I(a, b) with c = max(b, 0)², by direct quadrature of the Siegert integrand.
    public static func scaledIntegral(_ a: Double, _ b: Double, _ ws: IntegrationWorkspace) throws -> (c: Double, S: Double) {
        let c = b > 0 ? b * b : 0
        var S = 0.0
        if a < 0 { S += exp(-c) * (try erfcxIntegral(max(-b, 0), -a, ws)) }   // u < 0: F(u) = erfcx(-u)
        if b > 0 {
            let lo = max(a, 0)
            if b <= 1 {
                S += try ws.qag(lo, b, epsrel: epsrel) { u in exp((u - b) * (u + b)) * (1 + GSL.erf(u)) }.value
            } else {
                // u = b - t/(2b): e^{u² - b²} = e^{-t + t²/(4b²)}, smooth on a scale of one in t.
                let tMax = 2 * b * (b - lo)
                let pts = ([0, tMax] + [1.0, 10, 100, 1000].filter { $0 < tMax }).sorted()
                S += try ws.qagp(pts, epsrel: epsrel) { t in
                    let u = b - t / (2 * b)
                    return exp(-t + t * t / (4 * b * b)) * (1 + GSL.erf(u))
                }.value / (2 * b)
            }
        }
        return (c, S)
    }

    /// ln ν [ln Hz] by direct quadrature.
    public static func lnRateHz(_ p: LIFParameters, _ ws: IntegrationWorkspace) throws -> Double {
        let (c, S) = try scaledIntegral(p.yReset, p.yTheta, ws)
        // c = b² with its rounding error restored (b*b alone would cost up to ½ ulp of b², 2.8e-14 at b = 16).
        let (hi, lo) = c > 0 ? Special.exactSquare(p.yTheta) : (0, 0)
        let lnIntegral = hi + (lo + log(p.tauM * Special.sqrtPi) + log(S))
        let lnT = p.tauRef > 0 ? Special.logAddExp(log(p.tauRef), lnIntegral) : lnIntegral
        return -lnT + Special.ln1000
    }

    /// CV from the Brunel double integral W = ∫_a^b e^{x²} K(x) dx (no integration by parts), nested QAG.
    public static func cv(_ p: LIFParameters, _ ws: IntegrationWorkspace) throws -> Double {
        let a = p.yReset, b = p.yTheta
        let (c, S) = try scaledIntegral(a, b, ws)
        let inner = IntegrationWorkspace()
        var failure: Error?
        // e^{-2c} e^{x²} K(x), bounded: K(x) = e^{-x²}K̂(x) (x<0), e^{x²}K̂(x) (x≥0).
        let outer = IntegrationWorkspace()
        var pts = [a, b]
        if a < 0 && b > 0 { pts.append(0) }
        if abs(b) > 1 { for k in [1.0, 10, 100] where b - k / abs(b) > a { pts.append(b - k / abs(b)) } }
        let Ws = try outer.qagp(pts.sorted(), epsrel: 1e-13) { x in
            do {
                let k = try Siegert.KHat(x, workspace: inner)
                return x < 0 ? exp(-2 * c) * k : exp(2 * (x - b) * (x + b)) * k
            } catch { failure = error; return 0 }
        }.value
        if let failure { throw failure }
        let nuTauExpC = p.tauM / (p.tauRef * exp(-c) + p.tauM * Special.sqrtPi * S)
        return (2 * Double.pi * Ws).squareRoot() * nuTauExpC
    }

    /// W_s = e^{-2c} W of §1.3 by parts (T1 + T2 with K̂ and one QAGP): the production path before the
    /// FastVariance tables, kept as the test reference of the 10⁵-point sweep (~35 µs per point).
    public static func scaledWByParts(_ r: SiegertRate, workspace ws: IntegrationWorkspace) throws -> Double {
        let a = r.a, b = r.b
        let kHat = try Siegert.KHat(a, workspace: ws)
        let points = Siegert.boundaryLayerPoints(a, b)
        if b <= 0 {
            let t1 = ScaledGaussIntegral.G(a, b) * kHat
            let t2 = try ws.qagp(points, epsrel: 1e-13) { x in
                let f = Special.erfcx(-x); return ScaledGaussIntegral.G(x, b) * f * f
            }.value
            return t1 + t2
        }
        let t1: Double
        if a >= 0 {
            t1 = ScaledGaussIntegral.G(a, b) * exp((a - b) * (a + b)) * kHat
        } else {
            t1 = (exp(-b * b - a * a) * GSL.dawson(b) - exp(-2 * b * b) * GSL.dawson(a)) * kHat
        }
        let t2 = try ws.qagp(points, epsrel: 1e-13) { x in
            if x <= 0 {
                let f = Special.erfcx(-x)
                return (exp(-b * b - x * x) * GSL.dawson(b) - exp(-2 * b * b) * GSL.dawson(x)) * f * f
            }
            let g = 1 + GSL.erf(x)
            return ScaledGaussIntegral.G(x, b) * exp((x - b) * (x + b)) * g * g
        }.value
        return t1 + t2
    }

    /// The CV as `Siegert.cv` computed it before the FastVariance tables: the same regimes, QAG inside.
    public static func cvByParts(_ p: LIFParameters, _ r: SiegertRate, workspace ws: IntegrationWorkspace) throws -> Double {
        try Siegert.cv(p, r, narrowScaledW: {
            let b = r.b, c = r.c
            let inner = IntegrationWorkspace()
            var failure: Error?
            let w = Siegert.gaussLegendre.integrate(offsetsUpTo: p.width) { d in
                let x = b - d
                do {
                    let k = try Siegert.KHat(x, workspace: inner)
                    return x < 0 ? exp(-2 * c) * k : exp(-2 * d * (2 * b - d)) * k
                } catch { failure = error; return 0 }
            }
            if let failure { throw failure }
            return w
        }, scaledW: { try scaledWByParts(r, workspace: ws) })
    }
}
