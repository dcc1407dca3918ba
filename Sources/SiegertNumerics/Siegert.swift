// The white-noise LIF (THEORY §1): Siegert rate, ISI moments, stationary density, mean potential
// and gain, evaluated stably in double precision (§1.3) with the limits of §1.4.
// Units inside: mV, ms, 1/ms. Hz appears only in the `...Hz` helpers.
import Foundation
import GSLSupport

/// White-noise LIF parameters, Brunel convention (σ = √2 × free-membrane std), potentials relative to rest.
public struct LIFParameters: Sendable, Equatable {
    public var mu: Double, sigma: Double, theta: Double, vReset: Double, tauM: Double, tauRef: Double
    public init(mu: Double, sigma: Double, theta: Double = 20, vReset: Double = 10,
                tauM: Double = 20, tauRef: Double = 2) {
        self.mu = mu; self.sigma = sigma; self.theta = theta; self.vReset = vReset
        self.tauM = tauM; self.tauRef = tauRef
    }
    /// y_θ = (θ - μ)/σ and y_r = (V_r - μ)/σ.
    public var yTheta: Double { (theta - mu) / sigma }
    public var yReset: Double { (vReset - mu) / sigma }
    /// y_θ - y_r = (θ - V_r)/σ, formed from the potentials so a narrow interval keeps its digits.
    public var width: Double { (theta - vReset) / sigma }

    /// |y| ≤ 1e150 keeps y² and every exponent of the recipe finite (ln ν ≈ -y_θ² down to -1e300).
    public static let maxAbsY = 1e150

    /// Why this parameter set is outside what the recipe can represent, or nil.
    public var unrepresentable: String? {
        let yT = yTheta, yR = yReset
        let inRange = yT.isFinite && yR.isFinite && abs(yT) <= Self.maxAbsY && abs(yR) <= Self.maxAbsY
        if inRange && width > 0 { return nil }          // the common case: no message to build
        func f(_ v: Double) -> String { v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }
        let given = "parameters 'mu' = \(f(mu)) mV, 'sigma' = \(f(sigma)) mV, 'theta' = \(f(theta)) mV, 'v_reset' = \(f(vReset)) mV"
        if !inRange {
            return "\(given) are out of the evaluable range: (theta - mu)/sigma = \(yT) and (v_reset - mu)/sigma = \(yR) must lie within ±1e150"
        }
        return "\(given) are out of the evaluable range: (theta - v_reset)/sigma = \(width) must be > 0 in double precision"
    }
}

/// The rate in the bounded representation of §1.3: I(y_r, y_θ) = e^c S.
public struct SiegertRate: Sendable {
    public let a: Double, b: Double          // y_r, y_θ
    public let c: Double                     // b² if b > 0, else 0
    public let S: Double
    /// T̄ [ms] while e^c is far from overflow (c < 600), else NaN and `lnMeanISITail` holds ln T̄: the log
    /// is taken only when asked for (a rate-only batch then costs one `log` less per row).
    let meanISIDirect: Double, lnMeanISITail: Double
    /// ln T̄ [ln ms]
    public var lnMeanISI: Double { c < 600 ? log(meanISIDirect) : lnMeanISITail }
    /// ν [1/ms]; 0 when it underflows (ln ν stays exact).
    public var ratePerMs: Double { c < 600 ? 1 / meanISIDirect : exp(-lnMeanISITail) }
    public var lnRatePerMs: Double { -lnMeanISI }
    public var lnRateHz: Double { -lnMeanISI + Special.ln1000 }
    public var rateHz: Double { ratePerMs >= 1e-290 ? 1000 * ratePerMs : exp(lnRateHz) }
    /// ν τ_m e^c = τ_m / (τ_ref e^{-c} + τ_m √π S): bounded even when ν underflows.
    public let nuTauMExpC: Double
}

public enum SiegertError: Error, CustomStringConvertible {
    case outsideEvaluableRange(String)
    public var description: String {
        switch self { case .outsideEvaluableRange(let s): return s }
    }
}

public enum Siegert {
    // MARK: rate

    static let gaussLegendre = GaussLegendre(order: 20)

    /// An interval [y_θ - w, y_θ] shorter than the scale on which the integrand changes (1/(2|y_θ|) above
    /// zero, |y_θ| below): integrated by 20-point Gauss–Legendre over the exact width w, so that
    /// neither the rounding of y_r nor a difference of two close antiderivatives costs digits.
    static func isNarrow(width w: Double, b: Double) -> Bool {
        b > 0 ? w * max(1, 2 * b) < 0.5 : w < 0.5 * max(1, -b)
    }

    /// The rate path: per row two table polynomials (FastSpecial), at most two `exp` and one `log`; no GSL call,
    /// no quadrature outside the narrow case. The slow QAG path (`SiegertReference`) is the test reference.
    /// (`workspace` is no longer needed; it stays so that callers holding one need not change.)
    public static func rate(_ p: LIFParameters, workspace ws: IntegrationWorkspace? = nil) throws -> SiegertRate {
        let a = p.yReset, b = p.yTheta, w = p.width
        let c = b > 0 ? b * b : 0
        // e^c with the rounding error of b² restored (it would cost 2b²ε); past 600 the logs take over.
        let eC = c == 0 ? 1 : (c < 600 ? Special.expSquare(b) : .infinity)
        let S: Double
        if isNarrow(width: w, b: b) {
            S = gaussLegendre.integrate(offsetsUpTo: w) { fastScaledF(below: $0, b: b) }
        } else if b <= 0 {                          // case A: mean-driven side, S = ∫_{-b}^{-a} erfcx
            S = ErfcxIntegral.fastJ(-b, -a)
        } else if a >= 0 {                          // case B: 0 ≤ y_r < y_θ, S = Q(b) - e^{a²-b²} Q(a)
            // Not narrow: w·2b ≥ 1/2, so e^{a²-b²}Q(a)/Q(b) ≲ e^{-1/2} and the difference keeps its digits;
            // a² - b² = -w(a + b) with the exact width.
            S = FastSpecial.q(b) - exp(-w * (a + b)) * FastSpecial.q(a)
        } else {                                    // case C: y_r < 0 < y_θ, S = Q(b) + e^{-b²} Ē(-a) > Q(b)
            S = FastSpecial.q(b) + (c < 600 ? FastSpecial.eBar(-a) / eC : Special.expMinusSquare(b) * FastSpecial.eBar(-a))
        }
        // T̄ = τ_ref + τ_m √π e^c S: directly while e^c is far from overflow (ν = 1/T̄ is then a normal
        // double), else in logs.
        let integralPart = p.tauM * Special.sqrtPi * S
        if c < 600 {
            let T = p.tauRef + integralPart * eC
            return SiegertRate(a: a, b: b, c: c, S: S, meanISIDirect: T, lnMeanISITail: .nan,
                               nuTauMExpC: p.tauM / (p.tauRef / eC + integralPart))
        }
        let lnIntegralPart = log(integralPart) + c
        let lnT = p.tauRef > 0 ? Special.logAddExp(log(p.tauRef), lnIntegralPart) : lnIntegralPart
        return SiegertRate(a: a, b: b, c: c, S: S, meanISIDirect: .nan, lnMeanISITail: lnT,
                           nuTauMExpC: p.tauM / (p.tauRef * exp(-c) + integralPart))
    }

    /// scaledF(below:) from the fast tables: 1 + erf y = 2 - e^{-y²} erfcx(y) for y > 0 (no cancellation).
    @inline(__always) static func fastScaledF(below d: Double, b: Double) -> Double {
        let y = b - d
        if y <= 0 { return (b > 0 ? Special.expMinusSquare(b) : 1) * FastSpecial.erfcx(d - b) }
        let e = exp(-d * (2 * b - d))
        return 2 * e - e * Special.expMinusSquare(y) * FastSpecial.erfcx(y)
    }

    // MARK: mean potential (exact closed forms, §1.2)

    /// ⟨V⟩ over non-refractory time [mV].
    /// Uses ν τ_m/(1 - ν τ_ref) = 1/(√π I): no cancellation in 1 - ν τ_ref, no dependence on τ_ref.
    public static func meanVNonRefractory(_ p: LIFParameters, _ r: SiegertRate) -> Double {
        p.mu - (p.theta - p.vReset) * exp(-r.c) / (Special.sqrtPi * r.S)
    }

    /// ⟨V⟩ over all time, V clamped at V_r while refractory [mV].
    /// (1 - ν τ_ref)⟨V⟩_nonref + ν τ_ref V_r, with 1 - ν τ_ref = (ν τ_m e^c) √π S formed without cancellation.
    public static func meanVAll(_ p: LIFParameters, _ r: SiegertRate) -> Double {
        let free = r.nuTauMExpC * Special.sqrtPi * r.S
        return free * meanVNonRefractory(p, r) + r.ratePerMs * p.tauRef * p.vReset
    }

    // MARK: density (§1.3)

    /// Stationary density of the non-refractory potential P0(V) [1/mV]; ∫P0 = 1 - ν τ_ref.
    public static func density(at v: Double, _ p: LIFParameters, _ r: SiegertRate) -> Double {
        if v >= p.theta { return 0 }
        let y = (v - p.mu) / p.sigma
        let lower = max(y, r.a)
        let m = max(abs(lower), abs(r.b))
        // P0 = (2/σ) e^{L - y²} ∫_lower^{y_θ} e^{t²} dt = (2/σ) e^{L + m² - y²} G(lower, y_θ), L = ln ντ_m.
        let L = r.lnRatePerMs + log(p.tauM)
        return 2 / p.sigma * exp(L + (m - y) * (m + y)) * ScaledGaussIntegral.G(lower, r.b)
    }

    // MARK: gain (§1.7)

    /// e^{-c} F(y) with F(y) = e^{y²}(1 + erf y) and c = max(b, 0)², bounded for every y ≤ b = y_θ.
    @inline(__always) static func scaledF(_ y: Double, b: Double) -> Double {
        if y <= 0 { return (b > 0 ? exp(-b * b) : 1) * Special.erfcx(-y) }
        return exp((y - b) * (y + b)) * (1 + GSL.erf(y))      // y > 0 implies b > 0, c = b²
    }

    /// scaledF at y = b - d, with e^{(y-b)(y+b)} = e^{-d(2b-d)} formed from d (no rounding of y near b).
    @inline(__always) static func scaledF(below d: Double, b: Double) -> Double {
        let y = b - d
        if y <= 0 { return (b > 0 ? exp(-b * b) : 1) * Special.erfcx(d - b) }
        return exp(-d * (2 * b - d)) * (1 + GSL.erf(y))
    }

    /// h(t) = 1/√π - t·erfcx(t) for t ≥ 0, i.e. y F(y) + 1/√π at y = -t: the series past t = 26 avoids
    /// the cancellation that makes y F(y) → -1/√π useless for differences.
    static func hNegative(_ t: Double) -> Double {
        if t < 26 { return 1 / Special.sqrtPi - t * Special.erfcx(t) }
        let inv = 1 / (2 * t * t)
        var term = 1.0, sum = 0.0
        for k in 1...9 { term *= -Double(2 * k - 1) * inv; sum -= term }
        return sum / Special.sqrtPi
    }

    /// h'(t) = 2t/√π - (1 + 2t²) erfcx(t): the two terms cancel to O(t⁻³), so past t = 26 the
    /// differentiated series of h is used.
    static func hPrimeNegative(_ t: Double) -> Double {
        if t < 26 { return 2 * t / Special.sqrtPi - (1 + 2 * t * t) * Special.erfcx(t) }
        let inv = 1 / (2 * t * t)
        var term = 1.0, sum = 0.0
        for k in 1...9 { term *= -Double(2 * k - 1) * inv; sum += 2 * Double(k) * term }
        return sum / (t * Special.sqrtPi)
    }

    /// (∂ln ν/∂μ, ∂ln ν/∂σ) [1/mV]; finite even when ν underflows.
    public static func logGain(_ p: LIFParameters, _ r: SiegertRate) -> (dMu: Double, dSigma: Double) {
        let a = r.a, b = r.b, w = p.width
        let k = r.nuTauMExpC * Special.sqrtPi / p.sigma
        if isNarrow(width: w, b: b) {
            // Differences F(b) - F(a) and bF(b) - aF(a) as integrals of the derivatives over the exact width:
            // F' = 2yF + 2/√π (= 2h(-y) below zero), (yF)' = F + yF' (= -h'(-y) below zero).
            let e = b > 0 ? exp(-b * b) : 1
            let dF = gaussLegendre.integrate(offsetsUpTo: w) { d in
                let y = b - d
                return y <= 0 ? 2 * e * hNegative(d - b) : 2 * y * scaledF(below: d, b: b) + 2 / Special.sqrtPi * e
            }
            let dYF = gaussLegendre.integrate(offsetsUpTo: w) { d in
                let y = b - d
                if y <= 0 { return -e * hPrimeNegative(d - b) }       // (yF)' = d/dy h(-y)
                let f = scaledF(below: d, b: b)
                return f + y * (2 * y * f + 2 / Special.sqrtPi * e)
            }
            return (k * dF, k * dYF)
        }
        let fT = scaledF(b, b: b), fR = scaledF(a, b: b)
        // Below zero y F(y) = h(-y) - 1/√π, so b F(b) - a F(a) = h(-b) - h(-a) (c = 0 there).
        let dYF = b <= 0 ? hNegative(-b) - hNegative(-a) : b * fT - a * fR
        return (k * (fT - fR), k * dYF)
    }

    // MARK: ISI variability (§1.2-§1.4)

    /// K0 = K(0) = ∫_0^∞ e^{-s²} erfcx(s)² ds = 0.391066419137417.
    public static let K0: Double = {
        let ws = IntegrationWorkspace()
        // QAGIU at GSL's tightest relative tolerance (50·DBL_EPSILON); the integrand is smooth and
        // decays like e^{-s²}/s², so this cannot fail. Checked against THEORY's value in the tests.
        return try! ws.qagiu(0, epsrel: 50 * .ulpOfOne) { s in let e = Special.erfcx(s); return exp(-s * s) * e * e }.value
    }()

    /// K̂(a): K(a) = e^{-a²} K̂(a) for a < 0 and K(a) = e^{a²} K̂(a) for a ≥ 0, K(a) = ∫_{-∞}^a e^{y²}(1+erf y)² dy.
    public static func KHat(_ a: Double, workspace ws: IntegrationWorkspace) throws -> Double {
        if a < 0 {
            // s = λr with λ = 1/(1+2|a|): the integrand then decays on a scale of order one in r.
            let A = -a, lambda = 1 / (1 + 2 * A)
            return try ws.qagiu(0, epsrel: 1e-13) { r in
                let s = lambda * r
                let e = Special.erfcx(A + s)
                return lambda * exp(-2 * A * s - s * s) * e * e
            }.value
        }
        if a == 0 { return K0 }
        let tail = try ws.qagp(boundaryLayerPoints(0, a), epsrel: 1e-13) { y in
            let g = 1 + GSL.erf(y)
            return exp((y - a) * (y + a)) * g * g
        }.value
        return exp(-a * a) * K0 + tail
    }

    /// Sorted breakpoints in [lo, hi]: the boundary layer of width ~1/(2|hi|) below hi (§1.3), zero,
    /// and decades on the negative side, so QAG never has to discover these scales by bisection.
    static func boundaryLayerPoints(_ lo: Double, _ hi: Double) -> [Double] {
        var pts: Set<Double> = []
        if abs(hi) > 1 { for k in [1.0, 10, 100] { pts.insert(hi - k / abs(hi)) } }
        if lo < 0 && hi > 0 { pts.insert(0) }
        var d = -1.0
        while d > lo { if d < hi { pts.insert(d) }; d *= 10 }
        if hi < -1 { var q = hi * 10; while q > lo { pts.insert(q); q *= 10 } }
        // Interior points closer than 1e-8 (relative) to a neighbour would give QAG sub-intervals of a
        // few ulps, where it reports "bad integrand behaviour": merge them.
        func far(_ x: Double, _ y: Double) -> Bool { abs(x - y) > 1e-8 * max(1, abs(x), abs(y)) }
        var out = [lo]
        for x in pts.sorted() where x > lo && x < hi && far(x, out.last!) && far(x, hi) { out.append(x) }
        out.append(hi)
        return out
    }

    /// Below y_θ = -1e6 the QAG recipe can no longer resolve its boundary layer (width 1/|y_θ| is then
    /// close to the spacing of doubles) and the linear-noise form of §1.4 is exact to < 1e-12.
    public static let asymptoticCVBound = 1e6

    /// Coefficient of variation of the ISI (τ_ref shifts the mean, not the variance).
    public static func cv(_ p: LIFParameters, _ r: SiegertRate, workspace ws: IntegrationWorkspace) throws -> Double {
        try cv(p, r, narrowScaledW: {
            // W = ∫ e^{x²} K(x) dx directly, by Gauss–Legendre over the exact width (the antiderivative
            // differences of FastVariance would cancel to a few digits here).
            let b = r.b, e = Special.expMinusSquare(b), expMinus2C = b > 0 ? e * e : 1
            return gaussLegendre.integrate(offsetsUpTo: p.width) {
                FastVariance.scaledIntegrand(below: $0, b: b, expMinus2C: expMinus2C)
            }
        }, scaledW: { FastVariance.scaledW(a: r.a, b: r.b, width: p.width) })
    }

    /// The regimes of the CV (§1.4), with W_s = e^{-2c} W supplied: `narrowScaledW` for a reset close to
    /// threshold, `scaledW` otherwise (the tables here; the QAG path in SiegertReference.cvByParts).
    static func cv(_ p: LIFParameters, _ r: SiegertRate, narrowScaledW: () throws -> Double,
                   scaledW: () throws -> Double) throws -> Double {
        let a = r.a, b = r.b
        if b < -asymptoticCVBound {
            // Mean-driven linear-noise limit (§1.4): CV² = (ντ_m)² (1/b² - 1/a²)/2, relative error O(1/b²).
            let nuTau = r.nuTauMExpC   // c = 0 here
            let inv = (1 / b - 1 / a) * (1 / b + 1 / a)
            return nuTau * (0.5 * inv).squareRoot()
        }
        if isNarrow(width: p.width, b: b) && b <= 1e3 {
            return (2 * Double.pi * (try narrowScaledW())).squareRoot() * r.nuTauMExpC
        }
        if b > 30 && (b - a) * b > 50 {
            // Escape over a barrier of height b² ≥ 900 from a reset more than 50/b below it: the ISI is
            // exponential up to the refractory shift, CV = (T̄ - τ_ref)/T̄ (§1.4); corrections ~e^{-b²}.
            if p.tauRef == 0 { return 1 }
            return -expm1(log(p.tauRef) - r.lnMeanISI)
        }
        if b > 1e3 || !(a < b) {
            // Reset within 50/b noise units of a very high threshold: not resolved in double precision.
            throw SiegertError.outsideEvaluableRange(
                "CV not evaluable: reset only \(p.width) noise units below a threshold y_theta = \(b) noise units above the mean")
        }
        return (2 * Double.pi * (try scaledW())).squareRoot() * r.nuTauMExpC
    }
}
