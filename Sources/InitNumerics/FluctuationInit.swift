// THEORY §6: the PSP kernel of the current-based LIF with exponential synapses (stork convention),
// Campbell statistics of the free membrane, and the fluctuation-driven initialisation of Rossbroich,
// Gygax & Zenke (2022). Units: times in ms, rates in 1/ms inside (the plugin converts Hz), U and w in
// units of the membrane variable (stork: threshold θ = 1).
import Foundation

/// ε(t) = (τ_syn/(τ_mem − τ_syn))(e^{−t/τ_mem} − e^{−t/τ_syn}): integrals and peak, continuous or on
/// a time grid (stork's numerical mode, as closed-form infinite sums).
public struct PSPKernel: Sendable, Equatable {
    public let tauMem, tauSyn: Double
    /// Δt of a discrete-time SNN, nil for continuous time.
    public let timeStep: Double?

    public init(tauMem: Double, tauSyn: Double, timeStep: Double? = nil) {
        self.tauMem = tauMem; self.tauSyn = tauSyn; self.timeStep = timeStep
    }

    /// ε̄ = ∫ε dt [ms].
    public var integral: Double {
        guard let dt = timeStep else { return tauSyn }
        return dt / -expm1(-dt / tauSyn)                      // Δt/(1 − d2)
    }

    /// ε̂ = ∫ε² dt [ms].
    public var squareIntegral: Double {
        guard let dt = timeStep else { return tauSyn * tauSyn / (2 * (tauSyn + tauMem)) }
        // Δt c² [1/(1−d1²) − 2/(1−d1d2) + 1/(1−d2²)] with c = (1−d1)/(d1−d2) is a second difference that
        // cancels as τ_mem → τ_syn; the identity Σ_k (x^k − y^k)² = (x−y)²(1+xy)/((1−x²)(1−y²)(1−xy))
        // removes the (d1−d2)² factor exactly, and every 1 − e^{−s} is an expm1.
        let d1 = exp(-dt / tauMem), d2 = exp(-dt / tauSyn)
        let one1 = -expm1(-dt / tauMem)
        let one11 = -expm1(-2 * dt / tauMem), one22 = -expm1(-2 * dt / tauSyn)
        let one12 = -expm1(-dt / tauMem - dt / tauSyn)
        return dt * one1 * one1 * (1 + d1 * d2) / (one11 * one22 * one12)
    }

    /// Time of the peak, τ_mem τ_syn ln(τ_mem/τ_syn)/(τ_mem − τ_syn) [ms] (τ when equal).
    public var peakTime: Double {
        let d = tauMem - tauSyn
        if d == 0 { return tauMem }
        return tauMem * log1p(d / tauSyn) / (d / tauSyn)      // ln(τm/τs)/(τm−τs) without cancellation
    }

    /// ε(t), written with expm1 so that τ_mem → τ_syn has no cancellation.
    public func value(at t: Double) -> Double {
        let d = tauMem - tauSyn
        let e = d == 0 ? t / tauMem : tauSyn * -expm1(-d * t / (tauMem * tauSyn)) / d
        return exp(-t / tauMem) * e
    }

    public var peakValue: Double { value(at: peakTime) }
}

/// Free membrane statistics of n Poisson inputs of rate ν with i.i.d. weights (Campbell, §6.2).
public struct CampbellStatistics: Sendable, Equatable {
    public var mean: Double
    /// Per-neuron temporal variance, averaged over the weight draw: what the init targets.
    public var variance: Double
    /// Variance across neurons: temporal plus the quenched part n ν² ε̄² σ_w².
    public var varianceAcross: Double

    public static let zero = CampbellStatistics(mean: 0, variance: 0, varianceAcross: 0)

    /// One afferent group: n inputs at rate ν [1/ms], weight mean μ_w, std σ_w.
    public static func group(n: Double, rate: Double, muW: Double, sigmaW: Double, kernel k: PSPKernel) -> CampbellStatistics {
        let temporal = n * rate * (muW * muW + sigmaW * sigmaW) * k.squareIntegral
        return CampbellStatistics(mean: n * rate * muW * k.integral, variance: temporal,
                                  varianceAcross: temporal + n * rate * rate * k.integral * k.integral * sigmaW * sigmaW)
    }

    /// Exponentially distributed weights of rate λ (mean 1/λ, E[w²] = 2/λ², Var = 1/λ²), sign ±1.
    public static func exponentialGroup(n: Double, rate: Double, lambda: Double, sign: Double, kernel k: PSPKernel) -> CampbellStatistics {
        let temporal = 2 * n * rate * k.squareIntegral / (lambda * lambda)
        return CampbellStatistics(mean: sign * n * rate * k.integral / lambda, variance: temporal,
                                  varianceAcross: temporal + n * rate * rate * k.integral * k.integral / (lambda * lambda))
    }

    public static func + (a: Self, b: Self) -> Self {
        CampbellStatistics(mean: a.mean + b.mean, variance: a.variance + b.variance, varianceAcross: a.varianceAcross + b.varianceAcross)
    }
}

/// The inverse problems of §6.3–§6.4.
public enum FluctuationInit {
    public struct Infeasible: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static func g(_ x: Double) -> String { String(format: "%.6g", x) }

    public struct NormalWeights: Sendable, Equatable {
        public var muW: Double
        /// σ_w² of the feed-forward group and, with a recurrent group, of the recurrent one.
        public var varianceW: Double
        public var varianceWRecurrent: Double?
    }

    /// μ_w and σ_w² for targets (μ_U, σ_U): `nFF` feed-forward inputs and optionally `nRec` recurrent
    /// ones (all at rate ν), the variance split α : 1 − α between the groups (stork `_get_weight_parameters_dst`).
    public static func normal(meanU: Double, sigmaU: Double, nFF: Double, nRec: Double?, alpha: Double,
                              rate: Double, kernel k: PSPKernel) throws -> NormalWeights {
        let total = nFF + (nRec ?? 0)
        let muW = meanU / (total * rate * k.integral)
        let shareFF = nRec == nil ? 1 : alpha
        func variance(_ share: Double, _ n: Double, _ group: String) throws -> Double {
            let v = share * sigmaU * sigmaU / (n * rate * k.squareIntegral) - muW * muW
            guard v >= 0 else {
                let fromMean = n * rate * muW * muW * k.squareIntegral
                throw Infeasible(description: "infeasible target: mean_u = \(g(meanU)) needs mu_w = \(g(muW)), whose fluctuations n nu mu_w² eps_hat = \(g(fromMean)) alone exceed \(group)'s share \(g(share * sigmaU * sigmaU)) of sigma_u² (sigma_w² would be \(g(v)) < 0); lower |target_mu_u| or allow larger fluctuations (smaller xi or larger target_sigma_u)")
            }
            return v
        }
        let vFF = try variance(shareFF, nFF, nRec == nil ? "the input" : "the feed-forward group")
        let vRec = try nRec.map { try variance(1 - alpha, $0, "the recurrent group") }
        return NormalWeights(muW: muW, varianceW: vFF, varianceWRecurrent: vRec)
    }

    /// Dale's law, balanced (μ_U = 0), exponential weights: (λ_E, λ_I) for σ_U (§6.4).
    public static func dale(nE: Double, nI: Double, rate: Double, sigmaU: Double, excitatory kE: PSPKernel,
                            inhibitory kI: PSPKernel) -> (lambdaE: Double, lambdaI: Double) {
        let delta = (nI * kI.integral) / (nE * kE.integral)
        // σ_U² = 2ν(N_E ε̂_E/λ_E² + N_I ε̂_I/λ_I²) with λ_I = δ λ_E, solved for λ_E.
        let lambdaE = (2 * rate * (delta * delta * nE * kE.squareIntegral + nI * kI.squareIntegral)).squareRoot() / (delta * sigmaU)
        return (lambdaE, delta * lambdaE)
    }
}
