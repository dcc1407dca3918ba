// The LIF driven by Poisson shot noise with exponential amplitudes (THEORY §5): exact firing rate
// (§5.3), Campbell moments and free densities (§5.2), the stationary density with threshold and the
// non-refractory mean (§5.6), and the diffusion approximation (§5.4, through SiegertNumerics).
// Units inside: mV, ms, 1/ms. Hz appears only in the `...Hz` helpers.
import CGSL
import Foundation
import GSLSupport
import SiegertNumerics

/// Shot-noise LIF parameters, potentials relative to rest. Rates in 1/ms.
public struct ShotNoiseParameters: Sendable, Equatable {
    public var rE: Double, rI: Double          // input rates [1/ms]
    public var aE: Double, aI: Double          // mean jump sizes [mV]; aI is ignored when rI = 0
    public var theta: Double, vReset: Double, tauM: Double, tauRef: Double

    public init(rE: Double, aE: Double, rI: Double = 0, aI: Double = 0, theta: Double = 20, vReset: Double = 10,
                tauM: Double = 20, tauRef: Double = 2) {
        self.rE = rE; self.aE = aE; self.rI = rI; self.aI = rI > 0 ? aI : 0
        self.theta = theta; self.vReset = vReset; self.tauM = tauM; self.tauRef = tauRef
    }

    /// Gamma shape of the excitatory part, k = R_e τ_m.
    public var k: Double { rE * tauM }
    /// Gamma shape of the inhibitory part, R_i τ_m.
    public var kI: Double { rI * tauM }
    public var excitatoryOnly: Bool { rI == 0 }

    /// Campbell: μ = τ_m (R_e a_e − R_i a_i) [mV].
    public var freeMean: Double { tauM * (rE * aE - rI * aI) }
    /// Campbell: Var = τ_m (R_e a_e² + R_i a_i²) [mV²] (E[A²] = 2a² for exponential amplitudes).
    public var freeVariance: Double { tauM * (rE * aE * aE + rI * aI * aI) }

    /// The white-noise LIF of the diffusion approximation (§5.4): μ as above, σ = √(2 Var).
    public var diffusion: LIFParameters {
        LIFParameters(mu: freeMean, sigma: (2 * freeVariance).squareRoot(), theta: theta, vReset: vReset,
                      tauM: tauM, tauRef: tauRef)
    }
}

/// The exact rate of §5.3 in logs.
public struct ShotNoiseRate: Sendable {
    /// ln(1/ν − τ_ref) [ln ms]: the mean time from reset (end of refractoriness) to the next spike.
    public let lnIntegralPart: Double
    /// ln T̄ = ln(1/ν) [ln ms].
    public let lnMeanISI: Double
    public var lnRatePerMs: Double { -lnMeanISI }
    public var lnRateHz: Double { -lnMeanISI + Special.ln1000 }
    /// ν [1/ms]; 0 when it underflows (ln ν stays exact).
    public var ratePerMs: Double { exp(-lnMeanISI) }
    public var rateHz: Double { exp(lnRateHz) }
    /// 1 − ν τ_ref = (T̄ − τ_ref)/T̄, formed without cancellation.
    public var nonRefractoryFraction: Double { exp(lnIntegralPart - lnMeanISI) }
}

public enum ShotNoiseError: Error, CustomStringConvertible {
    case numerical(String)
    public var description: String {
        switch self { case .numerical(let s): return s }
    }
}

public enum ShotNoise {
    // MARK: exact rate (§5.3)

    /// The pieces of the integrand that do not depend on the integration variable.
    struct RateIntegrand {
        let thetaOverA: Double          // θ/a_e
        let delta: Double               // Δ = (θ − V_r)/a_e > 0
        let q: Double                   // R_i τ_m
        let rhoPrime: Double            // ρ/(1+ρ), ρ = a_i/a_e

        init(_ p: ShotNoiseParameters) {
            thetaOverA = p.theta / p.aE
            delta = (p.theta - p.vReset) / p.aE
            q = p.kI
            let rho = p.aI / p.aE
            rhoPrime = q > 0 ? rho / (1 + rho) : 0
        }

        /// h(x) = [1 − e^{−xΔ} + x e^{−xΔ}]/x, i.e. g(x) = (1 + ρx)^q e^{xθ/a} h(x): a sum of two positive
        /// terms (no cancellation anywhere), h(0) = Δ + 1, h(1) = 1.
        @inline(__always) func h(_ x: Double) -> Double {
            if x <= 0 { return delta + 1 }
            return -expm1(-x * delta) / x + exp(-x * delta)
        }

        /// ln[g(1 − s)/g(1)] ≤ 0 (g is increasing), written in s = 1 − x so that the region x → 1,
        /// where the mass sits for low rates, keeps its digits.
        @inline(__always) func lnRatio(_ s: Double) -> Double {
            var l = -s * thetaOverA + log(h(1 - s))
            if q > 0 { l += q * log1p(-rhoPrime * s) }
            return l
        }
    }

    /// ln g(1) = R_i τ_m ln(1 + a_i/a_e) + θ/a_e.
    static func lnG1(_ p: ShotNoiseParameters) -> Double {
        p.kI > 0 ? p.kI * log1p(p.aI / p.aE) + p.theta / p.aE : p.theta / p.aE
    }

    /// 1/ν − τ_ref = τ_m ∫_0^1 s^{k−1} g(1 − s) ds, s = 1 − a_e z (THEORY §5.3 with x = a_e z).
    ///
    /// * k ≥ 1: integrated in s directly. The log-integrand ℓ(s) = (k−1) ln s + ln[g(1−s)/g(1)] is
    ///   normalised by its value at the peak s* of its concave part (root of a quadratic), so the
    ///   integrand is bounded by Δ + 1 and never under- or overflows, and s* is a QAGP breakpoint.
    /// * k < 1: the substitution w = s^k of §5.3 removes the endpoint singularity s^{k−1}:
    ///   (1/k) ∫_0^1 g(1 − w^{1/k})/g(1) dw, an integrand in (0, 1], decreasing from 1 at w = 0;
    ///   its knee w = λ^{−k} (λ the decay rate in s) and 0.5 are breakpoints.
    /// Everything is carried in logs (ln g(1) = θ/a_e + …), so θ/a_e ≫ 700 costs nothing.
    public static func rate(_ p: ShotNoiseParameters, workspace ws: IntegrationWorkspace) throws -> ShotNoiseRate {
        let f = RateIntegrand(p)
        let k = p.k
        let lambda = f.thetaOverA + f.q * f.rhoPrime            // decay rate of ln g(1−s) in s at s = 0
        let lnIntegral: Double
        if k >= 1 {
            // Peak of (k−1) ln s − q ρ' ... − sθ/a: (θ/a)ρ' s² − [(k−1)ρ' + qρ' + θ/a] s + (k−1) = 0.
            let A = f.thetaOverA * f.rhoPrime, B = (k - 1) * f.rhoPrime + f.q * f.rhoPrime + f.thetaOverA, C = k - 1
            let disc = max(0, B * B - 4 * A * C)
            let sStar = C == 0 ? 0 : min(1, 2 * C / (B + disc.squareRoot()))
            let km1 = k - 1
            func ell(_ s: Double) -> Double {
                if km1 == 0 { return f.lnRatio(s) }
                if s <= 0 { return -.infinity }
                return km1 * log(s) + f.lnRatio(s)
            }
            let L0 = ell(sStar)
            // Width of the peak: s*/√(k−1) from the log term, 1/λ from the exponential one.
            let width = max(km1 > 0 ? sStar / km1.squareRoot() : 0, 1 / lambda)
            var points = [0.0]
            for b in [sStar - 8 * width, sStar, sStar + 8 * width] where b > points.last! * (1 + 1e-12) && b < 1 * (1 - 1e-12) && b > 1e-300 {
                points.append(b)
            }
            points.append(1)
            let r = try integrate(points, ws) { s in exp(ell(s) - L0) }
            lnIntegral = L0 + log(r)
        } else {
            let invK = 1 / k
            let knee = exp(-k * log(lambda))                    // λ^{−k}
            var points = [0.0]
            for b in [knee, 0.5] where b > points.last! * (1 + 1e-12) && b < 1 - 1e-12 && b > 1e-300 { points.append(b) }
            points.append(1)
            let r = try integrate(points, ws) { w in
                if w <= 0 { return 1 }
                return exp(f.lnRatio(exp(invK * log(w))))
            }
            lnIntegral = log(r) - log(k)
        }
        let lnPart = log(p.tauM) + lnG1(p) + lnIntegral
        let lnT = p.tauRef > 0 ? Special.logAddExp(log(p.tauRef), lnPart) : lnPart
        guard lnPart.isFinite, lnT.isFinite else {
            throw ShotNoiseError.numerical("shot-noise rate integral is not finite (ln(1/rate - tau_ref) = \(lnPart))")
        }
        return ShotNoiseRate(lnIntegralPart: lnPart, lnMeanISI: lnT)
    }

    /// QAGP (QAGS with breakpoints) at epsrel 1e-12; CQUAD if it fails to converge.
    static func integrate(_ points: [Double], _ ws: IntegrationWorkspace, _ f: @escaping (Double) -> Double) throws -> Double {
        do {
            return try ws.qagp(points, epsrel: 1e-12, f).value
        } catch {
            do { return try ws.cquad(points.first!, points.last!, epsrel: 1e-12, f).value } catch {
                throw ShotNoiseError.numerical("shot-noise quadrature failed: \(error)")
            }
        }
    }

    // MARK: free membrane potential (§5.2)

    /// ln P(v) of the free potential (no threshold). Excitatory only: Gamma(k = R_e τ_m, a_e).
    /// E + I: the difference of two Gammas, in closed form with Tricomi's U (gsl_sf_hyperg_U_e10_e,
    /// whose extended exponent keeps U finite where it exceeds the double range near v = 0).
    /// −inf where the density is 0 (v ≤ 0, excitatory only); +inf where it diverges (v = 0 with
    /// shape(s) summing to ≤ 1).
    public static func lnFreeDensity(at v: Double, _ p: ShotNoiseParameters) throws -> Double {
        let k1 = p.k, a1 = p.aE
        if p.excitatoryOnly {
            if v < 0 { return -.infinity }
            if v == 0 { return k1 > 1 ? -.infinity : (k1 == 1 ? -log(a1) : .infinity) }
            return (k1 - 1) * log(v) - v / a1 - (try lnGamma(k1)) - k1 * log(a1)
        }
        let k2 = p.kI, a2 = p.aI
        let c = 1 / a1 + 1 / a2, b = k1 + k2
        let norm = k1 * log(a1) + k2 * log(a2)
        if v == 0 {
            // Limit of v^{b−1} U(·, b, c v) = c^{1−b} Γ(b−1)/Γ(a) for b > 1 (both branches agree).
            guard b > 1 else { return .infinity }
            return (1 - b) * log(c) + (try lnGamma(b - 1)) - (try lnGamma(k1)) - (try lnGamma(k2)) - norm
        }
        let av = abs(v)
        let (ua, expScale, gammaShape) = v > 0 ? (k2, a1, k1) : (k1, a2, k2)
        // GSL's U costs O(a) beyond a ~ 1e8 (0.8 s at 2e8, found by the Python fuzz campaign: r_i = 1.7e308 Hz
        // hung a row): refuse shapes above 1e7, where the free potential is Gaussian to 1/√shape anyway.
        guard ua <= 1e7 else {
            throw ShotNoiseError.numerical("free density with shape \(v > 0 ? "r_i" : "r_e") tau_m = \(ua) above 1e7 (Tricomi U "
                + "costs O(shape) in GSL); the free potential is Gaussian to 1/sqrt(shape) there: see mean_free_v_mv, var_free_v_mv2")
        }
        return -av / expScale + (b - 1) * log(av) + (try lnHypergU(ua, b, c * av)) - (try lnGamma(gammaShape)) - norm
    }

    static func lnGamma(_ x: Double) throws -> Double {
        _ = GSL.abortHandlerOff
        var r = gsl_sf_result()
        let status = gsl_sf_lngamma_e(x, &r)
        guard status == GSL_SUCCESS else { throw ShotNoiseError.numerical("gsl_sf_lngamma_e(\(x)) failed (status \(status))") }
        return r.val
    }

    /// ln U(a, b, x) for a > 0, x > 0 (U > 0 there), through the extended-exponent variant.
    static func lnHypergU(_ a: Double, _ b: Double, _ x: Double) throws -> Double {
        _ = GSL.abortHandlerOff
        var r = gsl_sf_result_e10()
        let status = gsl_sf_hyperg_U_e10_e(a, b, x, &r)
        guard status == GSL_SUCCESS || status == GSL_EUNDRFLW, r.val > 0, r.val.isFinite else {
            throw ShotNoiseError.numerical("Tricomi U(\(a), \(b), \(x)) failed in GSL (status \(status): \(String(cString: gsl_strerror(status))))")
        }
        return log(r.val) + Double(r.e10) * M_LN10
    }

    // MARK: density with threshold and mean potential (§5.6, excitatory only, 0 ≤ V_r < θ)

    /// Stationary density of the non-refractory potential P0(v) [1/mV], ∫P0 = 1 − ν τ_ref.
    ///
    /// §5.6 writes P0 = (τν/v)[(v/θ)^k e^{(θ−v)/a} + k ∫_{max(v,V_r)}^θ (v/u)^k e^{(u−v)/a} du/u − H(v − V_r)].
    /// Integrating the middle term by parts (d/du of (v/u)^k e^{(u−v)/a} is that times 1/a − k/u) removes
    /// the first and last terms exactly:
    ///   P0 = (τν/v)[(1/a) ∫_{max(v,V_r)}^θ (v/u)^k e^{(u−v)/a} du + H(V_r − v)(v/V_r)^k e^{(V_r−v)/a}],
    /// a sum of positive terms — no cancellation as v → θ⁻ (where the original bracket → 0) — evaluated
    /// in logs with ln ν, so the density of a neuron whose rate underflows is still finite.
    public static func lnDensityWithThreshold(at v: Double, _ p: ShotNoiseParameters, _ r: ShotNoiseRate,
                                              workspace ws: IntegrationWorkspace) throws -> Double {
        precondition(p.excitatoryOnly && p.vReset >= 0)
        if v <= 0 || v >= p.theta { return -.infinity }
        let k = p.k, a = p.aE, theta = p.theta
        let lnV = log(v)
        @inline(__always) func phi(_ u: Double) -> Double { k * (lnV - log(u)) + (u - v) / a }
        let lo = max(v, p.vReset)
        var lnBracket = -Double.infinity
        if lo < theta {
            let M = max(phi(lo), phi(theta))
            var points = [lo]
            let uMin = k * a                                  // minimum of phi (convex in u)
            if uMin > lo * (1 + 1e-9) && uMin < theta * (1 - 1e-9) { points.append(uMin) }
            points.append(theta)
            let integral = try integrate(points, ws) { u in exp(phi(u) - M) }
            lnBracket = M + log(integral) - log(a)
        }
        if v < p.vReset { lnBracket = Special.logAddExp(lnBracket, phi(p.vReset)) }
        return log(p.tauM) + r.lnRatePerMs - lnV + lnBracket
    }

    /// Jump of P0 at V_r: P0(V_r⁻) − P0(V_r⁺) = τ_m ν / V_r [1/mV].
    public static func densityJumpAtReset(_ p: ShotNoiseParameters, _ r: ShotNoiseRate) -> Double {
        exp(log(p.tauM) + r.lnRatePerMs - log(p.vReset))
    }

    /// ⟨V⟩ over non-refractory time (§5.6, closed form): τ R_e a_e − τ (a_e + θ − V_r) ν/(1 − ντ_ref),
    /// with ν/(1 − ντ_ref) = 1/(1/ν − τ_ref) taken from the rate's logs (no cancellation).
    public static func meanVNonRefractory(_ p: ShotNoiseParameters, _ r: ShotNoiseRate) -> Double {
        p.tauM * p.rE * p.aE - p.tauM * (p.aE + p.theta - p.vReset) * exp(-r.lnIntegralPart)
    }

    /// ∫ v P0(v) dv = (1 − ντ_ref) ⟨V⟩_nonref.
    public static func firstMoment(_ p: ShotNoiseParameters, _ r: ShotNoiseRate) -> Double {
        r.nonRefractoryFraction * meanVNonRefractory(p, r)
    }

    // MARK: diffusion approximation (§5.4)

    public static func diffusionRate(_ p: ShotNoiseParameters, workspace ws: IntegrationWorkspace) throws -> SiegertRate {
        try Siegert.rate(p.diffusion, workspace: ws)
    }
}
