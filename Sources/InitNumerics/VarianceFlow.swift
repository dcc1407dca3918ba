// THEORY §7: variance flow through thresholded layers (Micheli, Booij, van Gemert & Tömen 2024).
// The map σ² ↦ c Q(θ/σ), c = n Var[w], its fixed points and their stability; layers carried in logs,
// because under Kaiming or Glorot the spike probability leaves the double range within three layers.
import Foundation
import GSLSupport

public enum VarianceFlow {
    /// x_c solves x φ(x)/(2Q(x)) = 1: the fold of x² Q(x), where the two non-zero fixed points meet.
    public static let xC: Double = {
        // Brent on a bracket where the slope goes from 0.5 to 1.3; the slope is increasing in x.
        try! RootFinding.brent(0.5, 2, epsrel: 1e-15) { slope(x: $0) - 1 }
    }()

    /// Slope of the map at a fixed point with x = θ/σ: d(c Q(θ/σ))/d(σ²) = x φ(x)/(2 Q(x)),
    /// written with erfcx (φ/Q = √(2/π)/erfcx(x/√2)) so it stays finite for large x.
    public static func slope(x: Double) -> Double {
        x / ((2 * Double.pi).squareRoot() * Special.erfcx(x / 2.0.squareRoot()))
    }

    /// c_min = θ²/(x_c² Q(x_c)): below it only σ = 0 (activity death) is a fixed point.
    public static func cMin(theta: Double) -> Double { theta * theta / (xC * xC * Special.normalTail(xC)) }

    /// The Micheli init n Var[w] = σ*²/Q(θ/σ*), which makes σ* a fixed point.
    public static func micheli(theta: Double, sigmaTarget: Double) -> Double {
        sigmaTarget * sigmaTarget / Special.normalTail(theta / sigmaTarget)
    }

    /// The non-zero fixed points σ (stable: x = θ/σ < x_c; unstable: x > x_c), nil when c < c_min.
    public static func fixedPoints(c: Double, theta: Double) throws -> (stable: Double, unstable: Double)? {
        // Fixed point: x² Q(x) = θ²/c, in logs: g(x) = 2 ln x + ln Q(x) − ln(θ²/c).
        let lnR = 2 * log(theta) - log(c)
        let g = { (x: Double) in 2 * log(x) + Special.logNormalTail(x) - lnR }
        let top = g(xC)
        if top < 0 { return nil }
        if top == 0 { return (theta / xC, theta / xC) }
        // x² Q(x) ≈ x²/2 for small x and ≈ x φ(x) for large x: brackets from those bounds.
        if lnR < -600 {
            // θ²/c below ~1e-260 (θ = 1e-300: θ² is 0 in doubles): the stable root x ≈ √(2θ²/c) is found in
            // u = ln x, where nothing underflows; σ = θ/x = e^{ln θ - u}.
            let h = { (u: Double) in 2 * u + Special.logNormalTail(exp(u)) - lnR }
            var uLo = min(log(xC / 2), (log(2) + lnR) / 2 - log(2))
            while h(uLo) > 0 { uLo -= log(2) }
            let uStable = try RootFinding.brent(uLo, log(xC), epsrel: 1e-15, h)
            var hi = max(2 * xC, (-2 * lnR).squareRoot() + 10)
            while g(hi) > 0 { hi *= 2 }
            let xUnstable = try RootFinding.brent(xC, hi, epsrel: 1e-15, g)
            return (exp(log(theta) - uStable), theta / xUnstable)
        }
        var lo = min(xC / 2, (2 * exp(lnR)).squareRoot() / 2)
        while g(lo) > 0 { lo /= 2 }
        var hi = max(2 * xC, (max(0, -2 * lnR)).squareRoot() + 10)
        while g(hi) > 0 { hi *= 2 }
        let xStable = try RootFinding.brent(lo, xC, epsrel: 1e-15, g)
        let xUnstable = try RootFinding.brent(xC, hi, epsrel: 1e-15, g)
        return (theta / xStable, theta / xUnstable)
    }

    public struct Layer: Sendable {
        /// ln Var[u_l] and ln P(u_l > θ); −∞ once the layer is below every representable log.
        public let lnVariance, lnSpikeProbability: Double
        /// Linear values (0 below the double range), rounded once from the linear recursion.
        public let variance, spikeProbability: Double
        init(variance: Double, lnVariance: Double, spikeProbability: Double, lnSpikeProbability: Double) {
            self.variance = variance; self.lnVariance = lnVariance
            self.spikeProbability = spikeProbability; self.lnSpikeProbability = lnSpikeProbability
        }
    }

    /// ln Q(θ/σ) for σ = e^{lnVar/2}, finite while (θ/σ)² is.
    static func lnSpikeProbability(theta: Double, lnVariance: Double) -> Double {
        let lnX = log(theta) - lnVariance / 2
        if lnX > 354 { return -.infinity }                  // x² > 1e307: ln Q ≈ −x²/2 overflows
        return Special.logNormalTail(exp(lnX))
    }

    /// Layer l of the map started from Var[u_0] = σ0²: Var[u_{l+1}] = c Q(θ/σ_l).
    /// Values stay linear while they are normal doubles — each step multiplies the relative error by
    /// x²/2 (x = θ/σ), so the |ln|·ε of a log round trip would be amplified too — and go to logs below.
    public static func layer(_ l: Int, c: Double, theta: Double, sigma0: Double) -> Layer {
        var variance = sigma0 * sigma0, lnVar = 2 * log(sigma0)
        func spikeProbability() -> (Double, Double) {
            if variance >= 1e-300 {
                let x = theta / variance.squareRoot()
                if x < 37 { let q = Special.normalTail(x); return (q, log(q)) }
                let lnQ = Special.logNormalTail(x)
                return (exp(lnQ), lnQ)
            }
            let lnQ = lnVar == -.infinity ? -.infinity : lnSpikeProbability(theta: theta, lnVariance: lnVar)
            return (exp(lnQ), lnQ)
        }
        var (p, lnP) = spikeProbability()
        if l > 0 {
            for _ in 0..<l {
                variance = c * p
                lnVar = variance >= 1e-300 ? log(variance) : log(c) + lnP
                (p, lnP) = spikeProbability()
            }
        }
        return Layer(variance: variance, lnVariance: lnVar, spikeProbability: p, lnSpikeProbability: lnP)
    }
}
