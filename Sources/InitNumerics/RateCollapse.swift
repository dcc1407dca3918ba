// THEORY §8: layer-to-layer rate propagation through the Siegert map (Perez-Nieves & Goodman 2023)
// and the fixed-point initialisation. Delta synapses, weights in the potential's unit (PSP jumps);
// Campbell in the Brunel convention: μ = n μ_w ν τ_m, σ² = n (μ_w² + σ_w²) ν τ_m. Rates in 1/ms,
// carried as ln ν so that collapse (ν ≈ 1e-957 Hz after four Kaiming layers) stays exact.
import Foundation
import GSLSupport
import SiegertNumerics

public struct LayerNeuron: Sendable {
    public var theta, vReset, tauM, tauRef: Double
    public init(theta: Double, vReset: Double, tauM: Double, tauRef: Double) {
        self.theta = theta; self.vReset = vReset; self.tauM = tauM; self.tauRef = tauRef
    }
}

public enum RateCollapse {
    public struct Failure: Error, CustomStringConvertible, Sendable { public let description: String }

    /// One layer's input and output.
    public struct Step: Sendable {
        public let mu, sigma: Double
        /// ln ν of the layer's output [ln(1/ms)]; −∞ when below every representable log.
        public let lnRate: Double
        /// (∂ln ν/∂μ, ∂ln ν/∂σ) at the layer's input (0 when collapsed beyond representation).
        public let logGain: (dMu: Double, dSigma: Double)
        /// d ln ν_l / d ln ν_{l−1} = μ ∂ln ν/∂μ + (σ/2) ∂ln ν/∂σ (μ ∝ ν, σ ∝ √ν).
        public var logLogSlope: Double { mu * logGain.dMu + sigma / 2 * logGain.dSigma }
    }

    /// The Siegert rate of (μ, σ) in logs, with the Kramers limit where y_θ is beyond Siegert's range.
    static func step(mu: Double, sigma: Double, neuron n: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> Step {
        let p = LIFParameters(mu: mu, sigma: sigma, theta: n.theta, vReset: n.vReset, tauM: n.tauM, tauRef: n.tauRef)
        if sigma > 0, p.unrepresentable == nil {
            do {
                let r = try Siegert.rate(p, workspace: ws)
                return Step(mu: mu, sigma: sigma, lnRate: r.lnRatePerMs, logGain: Siegert.logGain(p, r))
            } catch { throw Failure(description: "Siegert rate at mu = \(mu), sigma = \(sigma): \(error)") }
        }
        // σ → 0 (input collapsed) with μ < θ: ln ν = −y_θ² + O(ln y_θ), and the logarithmic terms are
        // below one ulp of y_θ² once y_θ > 1e150 (the edge of Siegert's representable range).
        guard mu < n.theta else { throw Failure(description: "mean input \(mu) at or above threshold with vanishing noise: deterministic regime outside the diffusion map") }
        let y = (n.theta - mu) / sigma
        return Step(mu: mu, sigma: sigma, lnRate: -(y * y), logGain: (0, 0))
    }

    /// Layer input statistics from the previous layer's ln ν (delta synapses, Brunel convention).
    public static func input(lnRate: Double, n: Double, muW: Double, sigmaW: Double, tauM: Double) -> (mu: Double, sigma: Double) {
        let nu = exp(lnRate)
        return (n * muW * nu * tauM, (n * (muW * muW + sigmaW * sigmaW) * tauM).squareRoot() * exp(lnRate / 2))
    }

    /// Layers 1...l from the input rate ν_0 (ln, 1/ms); element i is layer i + 1.
    public static func propagate(lnRate0: Double, layers: Int, n: Double, muW: Double, sigmaW: Double,
                                 neuron: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> [Step] {
        var steps: [Step] = []
        var lnNu = lnRate0
        for _ in 0..<layers {
            if lnNu == -.infinity {
                steps.append(Step(mu: 0, sigma: 0, lnRate: -.infinity, logGain: (0, 0)))
                continue
            }
            let (mu, sigma) = input(lnRate: lnNu, n: n, muW: muW, sigmaW: sigmaW, tauM: neuron.tauM)
            let s = try step(mu: mu, sigma: sigma, neuron: neuron, workspace: ws)
            steps.append(s)
            lnNu = s.lnRate
        }
        return steps
    }

    public struct FixedPoint: Sendable {
        public let muW, sigmaW: Double          // per weight (σ_w from n σ_w²)
        public let nMuW, nVarW: Double
        public let mu, sigma: Double            // the layer input at ν*
        /// dν_{l+1}/dν_l at ν*: stable iff |slope| < 1.
        public let slope: Double
    }

    /// Zero mean: Φ(0, σ) = ν* for σ (Brent on ln Φ − ln ν* over [1e−3 θ, 100 θ]), n σ_w² = σ²/(ν* τ_m).
    public static func zeroMean(targetRate nu: Double, n: Double, neuron: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> FixedPoint {
        let lnTarget = log(nu)
        let f = { (s: Double) -> Double in ((try? step(mu: 0, sigma: s, neuron: neuron, workspace: ws).lnRate) ?? .nan) - lnTarget }
        let lo = 1e-3 * neuron.theta, hi = 100 * neuron.theta
        guard f(hi) >= 0 else {
            throw Failure(description: "target rate \(1000 * nu) Hz is not reachable with zero-mean weights: sigma = 100 theta gives \(1000 * exp(f(hi) + lnTarget)) Hz")
        }
        guard f(lo) <= 0 else { throw Failure(description: "target rate \(1000 * nu) Hz is below what sigma = 1e-3 theta gives") }
        let sigma = try RootFinding.brent(lo, hi, epsrel: 4e-16, f)
        let nVar = sigma * sigma / (nu * neuron.tauM)
        let s = try step(mu: 0, sigma: sigma, neuron: neuron, workspace: ws)
        return FixedPoint(muW: 0, sigmaW: (nVar / n).squareRoot(), nMuW: 0, nVarW: nVar, mu: 0, sigma: sigma, slope: s.logLogSlope)
    }

    /// Fixed spread: n σ_w² given, solve Φ(μ, σ(μ)) = ν* for n μ_w, with σ² = (n σ_w² + (n μ_w)²/n) ν* τ_m.
    public static func fixedSpread(targetRate nu: Double, nVarW: Double, n: Double, neuron: LayerNeuron,
                                   workspace ws: IntegrationWorkspace) throws -> FixedPoint {
        let lnTarget = log(nu), scale = nu * neuron.tauM
        func moments(_ nMuW: Double) -> (Double, Double) { (nMuW * scale, ((nVarW + nMuW * nMuW / n) * scale).squareRoot()) }
        let f = { (m: Double) -> Double in
            let (mu, sigma) = moments(m)
            return ((try? step(mu: mu, sigma: sigma, neuron: neuron, workspace: ws).lnRate) ?? .nan) - lnTarget
        }
        // Φ grows with n μ_w on the excitatory side; expand a bracket around 0 in units of θ/(ν τ_m).
        var lo = -neuron.theta / scale, hi = neuron.theta / scale
        var tries = 0
        while !(f(lo) < 0) && tries < 60 { lo *= 2; tries += 1 }
        tries = 0
        while !(f(hi) > 0) && tries < 60 { hi *= 2; tries += 1 }
        guard f(lo) < 0, f(hi) > 0 else {
            throw Failure(description: "target rate \(1000 * nu) Hz is not reachable with n var_w = \(nVarW) at any mean weight")
        }
        let m = try RootFinding.brent(lo, hi, epsrel: 4e-16, f)
        let (mu, sigma) = moments(m)
        let s = try step(mu: mu, sigma: sigma, neuron: neuron, workspace: ws)
        return FixedPoint(muW: m / n, sigmaW: (nVarW / n).squareRoot(), nMuW: m, nVarW: nVarW, mu: mu, sigma: sigma, slope: s.logLogSlope)
    }
}
