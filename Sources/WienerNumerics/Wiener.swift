// THEORY §3: the perfect (non-leaky) integrate-and-fire neuron, i.e. Brownian motion with drift
// dX = m dt + s dW started at 0: first passage to a barrier at distance a (inverse Gaussian), exit from
// (−b, a), and the running maximum. Units: mV, ms (rates in Hz only at the boundary, THEORY §0.1).
//
// Every quantity is formed so that no digits are lost to cancellation or overflow (each function says
// how); logs are returned where the value can underflow, and the log is then authoritative.
import Foundation
import GSLSupport

public enum Wiener {
    static let sqrt2 = 1.4142135623730950488
    static let twoOverSqrtPi = 1.1283791670955125739
    static let invSqrt2Pi = 0.39894228040143267794
    static let ln2 = 0.69314718055994530942

    // MARK: small building blocks

    /// Φ(z) = P(Z ≤ z), relative accuracy in both tails' small values.
    @inline(__always) public static func normalCDF(_ z: Double) -> Double {
        z < 0 ? 0.5 * GSL.erfc(-z / sqrt2) : 1 - 0.5 * GSL.erfc(z / sqrt2)
    }

    /// erfcx(x) − erfcx(y) for 0 ≤ x < y, given δ = y − x exactly (not as the difference of two roundings).
    /// The plain difference loses log10(erfcx(x)/D) digits when y is close to x: above x = 26 the
    /// asymptotic series is differenced term by term (x^{-n} − y^{-n} = δ Σ_j x^{-(n-j)} y^{-(j+1)}, a sum
    /// of positive terms); below, when more than three digits would be lost, the integral
    /// D = (2/√π) ∫_0^∞ e^{−u²−2xu} (1 − e^{−2δu}) du (positive integrand) is taken by QAGIU.
    static func erfcxDifference(_ x: Double, _ y: Double, delta: Double, workspace: IntegrationWorkspace?) -> Double {
        if x >= 26 {
            let ix = 1 / x, iy = 1 / y, r = x / y
            var c = 1.0, sum = 0.0
            var ixn = ix                      // x^{-n}, n = 2k + 1
            var geometric = 1.0, rj = 1.0     // Σ_{j<n} r^j and r^{n-1}
            for k in 0...9 {
                if k > 0 {
                    c *= -Double(2 * k - 1) * 0.5
                    ixn *= ix * ix
                    // extend Σ_{j<n} r^j by two terms (n grows by 2)
                    rj *= r; geometric += rj
                    rj *= r; geometric += rj
                }
                sum += c * ixn * iy * geometric
            }
            return delta * sum / Special.sqrtPi
        }
        let ex = Special.erfcx(x)
        let direct = ex - Special.erfcx(y)
        if direct >= 1e-3 * ex { return direct }
        // Cancellation: integrate the difference directly, on [0, U] where e^{−u²−2xu} ≥ e^{−745}.
        let ws = workspace ?? IntegrationWorkspace()
        let upper = 745 / (x + (x * x + 745).squareRoot())           // root of u² + 2xu = 745
        let integrand = { (u: Double) in exp(-u * (u + 2 * x)) * -expm1(-2 * delta * u) }
        if let r = (try? ws.qag(0, upper, epsrel: 1e-14, integrand)) ?? (try? ws.qag(0, upper, epsrel: 1e-12, integrand)) {
            return twoOverSqrtPi * r.value
        }
        return direct
    }

    static let gapRule = GaussLegendre(order: 20)

    /// erf(p + δ) − erf(p) for p > 0, δ > 0 without cancellation: when the exponent range r = δ(2p + δ) is
    /// at most 2, as (2/√π) e^{−p²} ∫_0^δ e^{−u(2p+u)} du by 20-point Gauss–Legendre (an entire integrand
    /// varying by at most e²: exact to rounding); otherwise the two values differ by a factor ≥ e² in the
    /// tail used (erfc above p = 1, erf below) and the plain difference loses at most one digit.
    static func erfGap(_ p: Double, delta: Double) -> Double {
        let q = p + delta
        if delta * (2 * p + delta) <= 2 {
            let integral = gapRule.integrate(offsetsUpTo: delta) { u in exp(-u * (2 * p + u)) }
            return twoOverSqrtPi * Special.expMinusSquare(p) * integral
        }
        return p >= 1 ? GSL.erfc(p) - GSL.erfc(q) : GSL.erf(q) - GSL.erf(p)
    }

    // MARK: §3.2 first passage from distance a

    public struct FirstPassage: Sendable {
        public var density, cdf, survival, lnCDF, lnSurvival: Double
    }

    /// FPT density, CDF F(t) = P(T ≤ t), survival S = 1 − F and both logs at time t > 0, for any real m.
    ///
    /// F = Φ(z1) + e^{κa} Φ(−z2) (κ = 2m/s², z1 = (mt−a)/(s√t), z2 = (mt+a)/(s√t)) is a sum of two
    /// positive terms; the second is ½ e^{−z1²/2} erfcx(z2/√2) when z2 ≥ 0 (no overflow of e^{κa}).
    /// S is formed without subtracting F from 1:
    /// * z1 > 0: S = ½ e^{−z1²/2} [erfcx(z1/√2) − erfcx(z2/√2)] (difference taken stably, see above);
    /// * z1 ≤ 0 ≤ z2, κa ≤ 1: S = ½[erf(−z1/√2) + e^{κa} erf(z2/√2) − expm1(κa)] (all terms ≥ 0 for m ≤ 0;
    ///   for 0 < κa ≤ 1 the subtraction loses at most half a digit, since then S ≥ 0.28);
    /// * z1 ≤ 0 ≤ z2, κa > 1: S = Q(z1) − ½ e^{−z1²/2} erfcx(z2/√2) (here S ≥ 0.28 too);
    /// * z2 < 0 (only m < 0): S = ½[(erfc(z1/√2) − erfc(z2/√2)) − expm1(κa) erfc(z2/√2)], two non-negative parts,
    ///   the first an erf difference over [|z2|, |z1|]/√2 taken without cancellation (`erfGap`).
    public static func firstPassage(t: Double, a: Double, m: Double, s: Double,
                                    workspace: IntegrationWorkspace? = nil) -> FirstPassage {
        let sqrtT = t.squareRoot()
        let scale = s * sqrt2 * sqrtT                  // s√(2t)
        let w1 = (m * t - a) / scale                   // z1/√2
        let w2 = (m * t + a) / scale                   // z2/√2
        let delta = 2 * a / scale                      // w2 − w1, exactly as formed
        let kappaA = 2 * m * a / (s * s)

        // Density: a/(s√(2π t³)) exp(−(a − mt)²/(2 s² t)) = exp(ln a − ln s − ½ln 2π − 1.5 ln t − w1²), in logs:
        // the linear form gave 0/0 or ∞·0 (NaN) at t or s near the ends of the doubles (t = 1e-320, s = 5e-324).
        let density = exp(log(a) - log(s) + log(invSqrt2Pi) - 1.5 * log(t) - w1 * w1)

        // CDF terms.
        let term1 = 0.5 * GSL.erfc(-w1)
        let term2: Double, lnTerm2: Double
        if w2 >= 0 {
            let e2 = Special.erfcx(w2)
            term2 = 0.5 * Special.expMinusSquare(w1) * e2
            lnTerm2 = -(w1 * w1) + log(0.5 * e2)
        } else {
            let c = GSL.erfc(w2)                       // in (1, 2)
            term2 = exp(kappaA) * 0.5 * c
            lnTerm2 = kappaA + log(0.5 * c)
        }
        let cdf = term1 + term2

        // Survival.
        var survival: Double, lnSurvivalDirect: Double
        if w1 > 0 && !(w1 * w1).isFinite {
            // ln S ≈ −w1² is below every double (w1 = ∞ when m t overflows or s√(2t) underflows): S = 0, ln S = −∞
            // exactly as far as doubles go (the difference below gave ∞ − ∞).
            survival = 0
            lnSurvivalDirect = -.infinity
        } else if w1 > 0 {
            let diff = erfcxDifference(w1, w2, delta: delta, workspace: workspace)
            survival = 0.5 * Special.expMinusSquare(w1) * diff
            lnSurvivalDirect = -(w1 * w1) + log(0.5 * diff)
        } else if w2 >= 0 {
            if kappaA <= 1 {
                survival = 0.5 * (GSL.erf(-w1) + exp(kappaA) * GSL.erf(w2) - expm1(kappaA))
            } else {
                survival = 0.5 * GSL.erfc(w1) - term2
            }
            lnSurvivalDirect = log(survival)
        } else {
            let c2 = GSL.erfc(w2)
            let gap = erfGap(-w2, delta: delta)
            survival = 0.5 * (max(0, gap) - expm1(kappaA) * c2)
            lnSurvivalDirect = log(survival)
        }
        survival = max(0, survival)
        let lnSurvival = cdf < 0.5 ? log1p(-cdf) : lnSurvivalDirect
        let lnCDF: Double
        if survival < 0.5 { lnCDF = log1p(-survival) }
        else if cdf >= 0x1p-1000 { lnCDF = log(cdf) }
        else { lnCDF = Special.logAddExp(-ln2 + GSL.logErfc(-w1), lnTerm2) }   // F below 2^-1000: from the logs of its terms
        return FirstPassage(density: density, cdf: cdf, survival: survival, lnCDF: lnCDF, lnSurvival: lnSurvival)
    }

    /// P(T < ∞) and its log: 1 for m ≥ 0, e^{−2|m|a/s²} for m < 0.
    public static func hitProbability(a: Double, m: Double, s: Double) -> (p: Double, ln: Double) {
        if m >= 0 { return (1, 0) }
        let k = 2 * m * a / (s * s)
        return (exp(k), k)
    }

    public struct Moments: Sendable {
        public var mean, variance, cv, rateHz, lnRateHz, cvISI: Double
    }

    /// m > 0: E[T] = a/m, Var = a s²/m³, CV = s/√(am); ISI = τ_ref + T: ν = 1/(τ_ref + a/m), CV_ISI = sd/(τ_ref + a/m).
    /// nil for m ≤ 0 (E[T] infinite, long-run rate 0).
    public static func moments(a: Double, m: Double, s: Double, tauRef: Double) -> Moments? {
        guard m > 0 else { return nil }
        let mean = a / m
        let variance = mean * (s / m) * (s / m)        // a s²/m³ without overflowing m³
        let isi = tauRef + mean
        let rate = 1 / isi
        return Moments(mean: mean, variance: variance, cv: s / (a.squareRoot() * m.squareRoot()),   // a·m may underflow
                       rateHz: 1000 * rate, lnRateHz: -log(isi) + Special.ln1000,
                       // A mean beyond the doubles (m → 0⁺) makes τ_ref negligible: CV_ISI = CV of T.
                       cvISI: isi.isFinite ? variance.squareRoot() / isi : s / (a.squareRoot() * m.squareRoot()))
    }

    // MARK: §3.3 two barriers

    public struct Exit: Sendable {
        public var pUp, pDown, lnPUp, lnPDown, meanTime: Double
    }

    /// P(hit +a before −b) from 0 for κ = 2m/s², with its log, by the expm1 forms of THEORY §3.3:
    /// κ > 0: expm1(−κb)/expm1(−κ(a+b)); κ < 0: e^{κa} expm1(κb)/expm1(κ(a+b)), ln = κa + ln(ratio).
    static func upper(a: Double, b: Double, kappa: Double) -> (p: Double, ln: Double) {
        let l = a + b
        if abs(kappa) * l < 1e-290 { return (b / l, log(b / l)) }   // the O(κ(a+b)) correction is below 1e-290
        if kappa > 0 {
            let r = expm1(-kappa * b) / expm1(-kappa * l)
            return (r, log(r))
        }
        let r = expm1(kappa * b) / expm1(kappa * l)
        return (exp(kappa * a) * r, kappa * a + log(r))
    }

    static let exitRule = GaussLegendre(order: 20)

    /// Exit from (−b, a) started at 0. P_up and P_down are each computed by their own expm1 form (P_down is
    /// P_up with a ↔ b, m → −m), never as 1 − the other. Mean exit time E[T] = (a P_up − b P_down)/m for
    /// |κ|(a+b) ≥ 1; below, where that difference cancels, the equivalent cancellation-free form
    /// E[T] = (2b/(s² g(κ(a+b)))) ∫_0^1 a u e^{−κbu} g(κau) du,  g(x) = (1 − e^{−x})/x,
    /// by 20-point Gauss–Legendre (entire integrand on |κ|(a+b) < 1: exact to rounding); it is ab/s² at m = 0.
    public static func exit(a: Double, b: Double, m: Double, s: Double) -> Exit {
        let kappa = 2 * m / (s * s)
        let up = upper(a: a, b: b, kappa: kappa)
        let down = upper(a: b, b: a, kappa: -kappa)
        let l = a + b
        let mean: Double
        if abs(kappa) * l >= 1 {
            mean = (a * up.p - b * down.p) / m
        } else {
            func g(_ x: Double) -> Double { x == 0 ? 1 : -expm1(-x) / x }
            let integral = exitRule.integrate(0, 1) { u in a * u * exp(-kappa * b * u) * g(kappa * a * u) }
            mean = 2 * b / (s * s * g(kappa * l)) * integral
        }
        return Exit(pUp: up.p, pDown: down.p, lnPUp: up.ln, lnPDown: down.ln, meanTime: mean)
    }

    // MARK: §3.3 running maximum M_t = max_{0≤u≤t} X_u, X_0 = 0

    /// P(M_t < y) = S(t; a = y) and P(M_t ≥ y) = F(t; a = y): the first-passage survival and CDF above.
    public static func maximumCDF(y: Double, t: Double, m: Double, s: Double,
                                  workspace: IntegrationWorkspace? = nil) -> (below: Double, atOrAbove: Double) {
        let f = firstPassage(t: t, a: y, m: m, s: s, workspace: workspace)
        return (f.survival, f.cdf)
    }

    /// E[M_t] = m t Φ(z) + s√t φ(z) + (s²/(2m))(2Φ(z) − 1), z = m√t/s. The last term is written as
    /// (s√t/(2√2)) · erf(w)/w with w = z/√2 — no 0/0 as m → 0, where it tends to s√t/√(2π) and the whole
    /// expression to s√(2t/π) continuously.
    public static func meanMaximum(t: Double, m: Double, s: Double) -> Double {
        let sqrtT = t.squareRoot()
        let z = m * sqrtT / s
        let w = z / sqrt2
        let erfOverW = w == 0 ? twoOverSqrtPi : GSL.erf(w) / w
        // m t Φ(z) and s√t φ(z) in logs where a factor is beyond the doubles and the other is 0 (t = 1.7e308,
        // m < 0: m t = −∞, Φ(z) = 0, the product NaN); both terms then vanish against s²/(2|m|).
        let cdf = normalCDF(z)
        let drift = (m * t).isFinite || cdf == 0 && m == 0 ? m * t * cdf
            : (m < 0 ? -1 : 1) * exp(log(abs(m)) + log(t) + log(cdf))
        let spread = exp(log(s) + 0.5 * log(t) + log(invSqrt2Pi) - 0.5 * z * z)
        return drift + spread + s * sqrtT / (2 * sqrt2) * erfOverW
    }
}
