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

    /// How a finite synaptic jump enters the map. diffusion: THEORY §8 as written (the input is replaced by
    /// its diffusion limit). siegmund: Siegmund's corrected diffusion (THEORY §4), θ → θ + ρ·w_rms with
    /// ρ = −ζ(1/2)/√(2π): a spike is fired by a jump, which overshoots θ by ρ·w_rms on average — first order
    /// in w/σ, and what event-driven layers measure (n = 1000, Kaiming: 8.94 Hz vs 9.54 Hz unshifted).
    public enum Jumps: Int, Sendable { case diffusion, siegmund }
    /// annealed: each synaptic event draws its weight (the map's compound-Poisson input). quenched: weights
    /// fixed per synapse; neuron i's mean input is Gaussian across neurons with variance n σ_w² τ² E[ν²],
    /// so a layer carries E[ν] and E[ν²] and its rate is the Gaussian average of the Siegert rate.
    public enum Disorder: Int, Sendable { case annealed, quenched }
    public static let siegmundRho = 0.582597157939011

    /// One layer's input and output.
    public struct Step: Sendable {
        /// Mean input and noise amplitude (across neurons, the mean of μ_i under quenched disorder).
        public let mu, sigma: Double
        /// ln ν of the layer's output [ln(1/ms)] (ln E[ν] under quenched disorder); −∞ when below every representable log.
        public let lnRate: Double
        /// ln E[ν²] (= 2 lnRate when annealed: every neuron has the same rate).
        public let lnSecondMoment: Double
        /// d ln ν_l / d ln ν_{l−1}: annealed, μ ∂ln ν/∂μ + (σ/2) ∂ln ν/∂σ (μ ∝ ν, σ ∝ √ν); quenched, by
        /// central differences of the averaged map.
        public let logLogSlope: Double
    }

    /// The neuron as the diffusion map sees it: Siegmund's shift of the threshold by ρ times the rms jump.
    public static func mapped(_ neuron: LayerNeuron, muW: Double, sigmaW: Double, jumps: Jumps) -> LayerNeuron {
        guard jumps == .siegmund else { return neuron }
        var n = neuron
        n.theta += siegmundRho * (muW * muW + sigmaW * sigmaW).squareRoot()
        return n
    }

    /// The Siegert rate of (μ, σ) in logs, with the Kramers limit where y_θ is beyond Siegert's range.
    static func step(mu: Double, sigma: Double, neuron n: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> Step {
        let p = LIFParameters(mu: mu, sigma: sigma, theta: n.theta, vReset: n.vReset, tauM: n.tauM, tauRef: n.tauRef)
        if sigma > 0, p.unrepresentable == nil {
            do {
                let r = try Siegert.rate(p, workspace: ws)
                let g = Siegert.logGain(p, r)
                return Step(mu: mu, sigma: sigma, lnRate: r.lnRatePerMs, lnSecondMoment: 2 * r.lnRatePerMs,
                            logLogSlope: mu * g.dMu + sigma / 2 * g.dSigma)
            } catch { throw Failure(description: "Siegert rate at mu = \(mu), sigma = \(sigma): \(error)") }
        }
        // σ → 0 (input collapsed) with μ < θ: ln ν = −y_θ² + O(ln y_θ), and the logarithmic terms are
        // below one ulp of y_θ² once y_θ > 1e150 (the edge of Siegert's representable range).
        guard mu < n.theta else { throw Failure(description: "mean input \(mu) at or above threshold with vanishing noise: deterministic regime outside the diffusion map") }
        let y = (n.theta - mu) / sigma
        return Step(mu: mu, sigma: sigma, lnRate: -(y * y), lnSecondMoment: -2 * (y * y), logLogSlope: 0)
    }

    /// Layer input statistics from the previous layer's ln ν (delta synapses, Brunel convention).
    public static func input(lnRate: Double, n: Double, muW: Double, sigmaW: Double, tauM: Double) -> (mu: Double, sigma: Double) {
        let nu = exp(lnRate)
        return (n * muW * nu * tauM, (n * (muW * muW + sigmaW * sigmaW) * tauM).squareRoot() * exp(lnRate / 2))
    }

    /// Layers 1...l from the input rate ν_0 (ln, 1/ms); element i is layer i + 1.
    public static func propagate(lnRate0: Double, layers: Int, n: Double, muW: Double, sigmaW: Double,
                                 neuron: LayerNeuron, jumps: Jumps = .diffusion, disorder: Disorder = .annealed,
                                 lnSecondMoment0: Double? = nil, workspace ws: IntegrationWorkspace) throws -> [Step] {
        let seen = mapped(neuron, muW: muW, sigmaW: sigmaW, jumps: jumps)
        var steps: [Step] = []
        // Layer 0 by default: n Poisson inputs of one rate, E[ν²] = ν².
        var lnNu = lnRate0, lnSecond = lnSecondMoment0 ?? 2 * lnRate0
        for _ in 0..<layers {
            if lnNu == -.infinity {
                steps.append(Step(mu: 0, sigma: 0, lnRate: -.infinity, lnSecondMoment: -.infinity, logLogSlope: 0))
                continue
            }
            let s = disorder == .quenched && sigmaW > 0
                ? try quenchedStep(lnMean: lnNu, lnSecond: lnSecond, n: n, muW: muW, sigmaW: sigmaW, neuron: seen, workspace: ws)
                : try step(input: input(lnRate: lnNu, n: n, muW: muW, sigmaW: sigmaW, tauM: neuron.tauM), neuron: seen, workspace: ws)
            steps.append(s)
            lnNu = s.lnRate; lnSecond = s.lnSecondMoment
        }
        return steps
    }

    static func step(input: (mu: Double, sigma: Double), neuron: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> Step {
        try step(mu: input.mu, sigma: input.sigma, neuron: neuron, workspace: ws)
    }

    static let panelRule = GaussLegendre(order: 20)

    /// ln ∫ φ(z) e^{k·g(z)} dz for a concave-ish exponent: located on a coarse grid, then 8 Gauss–Legendre
    /// panels over ±10 around the peak (the Gaussian factor makes the rest < e^{-50}).
    static func lnGaussianAverage(_ k: Double, _ g: (Double) throws -> Double) throws -> Double {
        var peak = 0.0, best = -Double.infinity
        for i in -40...40 {
            let z = Double(i) / 2, h = k * (try g(z)) - z * z / 2
            if h > best { best = h; peak = z }
        }
        guard best > -.infinity else { return -.infinity }
        var sum = 0.0
        var failure: Error?
        for panel in 0..<8 {
            let a = peak - 10 + 2.5 * Double(panel)
            sum += panelRule.integrate(a, a + 2.5) { z in
                do { return exp(k * (try g(z)) - z * z / 2 - best) } catch { failure = error; return 0 }
            }
        }
        if let failure { throw failure }
        return best + log(sum) - 0.5 * log(2 * Double.pi)
    }

    /// One layer under quenched disorder: μ_i = μ̄ + s z, z ~ N(0, 1), s² = n σ_w² τ² E[ν²]; σ is common (LLN).
    static func quenchedStep(lnMean: Double, lnSecond: Double, n: Double, muW: Double, sigmaW: Double,
                             neuron: LayerNeuron, workspace ws: IntegrationWorkspace) throws -> Step {
        func moments(_ lnMean: Double, _ lnSecond: Double) throws -> (mu: Double, sigma: Double, ln1: Double, ln2: Double) {
            let (mu, sigma) = input(lnRate: lnMean, n: n, muW: muW, sigmaW: sigmaW, tauM: neuron.tauM)
            let spread = n.squareRoot() * sigmaW * neuron.tauM * exp(lnSecond / 2)
            let g = { (z: Double) throws -> Double in try step(mu: mu + spread * z, sigma: sigma, neuron: neuron, workspace: ws).lnRate }
            return (mu, sigma, try lnGaussianAverage(1, g), try lnGaussianAverage(2, g))
        }
        let m = try moments(lnMean, lnSecond)
        let h = 1e-4
        let up = try moments(lnMean + h, lnSecond + 2 * h), down = try moments(lnMean - h, lnSecond - 2 * h)
        let slope = m.ln1.isFinite ? (up.ln1 - down.ln1) / (2 * h) : 0
        return Step(mu: m.mu, sigma: m.sigma, lnRate: m.ln1, lnSecondMoment: m.ln2, logLogSlope: slope)
    }

    public struct FixedPoint: Sendable {
        public let muW, sigmaW: Double          // per weight (σ_w from n σ_w²)
        public let nMuW, nVarW: Double
        public let mu, sigma: Double            // the layer input at ν*
        /// dν_{l+1}/dν_l at ν*: stable iff |slope| < 1.
        public let slope: Double
    }

    /// Zero mean: Φ(0, σ) = ν* for σ (Brent on ln Φ − ln ν* over [1e−3 θ, 100 θ]), n σ_w² = σ²/(ν* τ_m).
    public static func zeroMean(targetRate nu: Double, n: Double, neuron: LayerNeuron, jumps: Jumps = .diffusion,
                                workspace ws: IntegrationWorkspace) throws -> FixedPoint {
        let lnTarget = log(nu)
        // σ_w follows σ (n σ_w² = σ²/(ν* τ_m)), and with it Siegmund's threshold shift.
        func seen(_ s: Double) -> LayerNeuron { mapped(neuron, muW: 0, sigmaW: s / (nu * neuron.tauM * n).squareRoot(), jumps: jumps) }
        let f = { (s: Double) -> Double in ((try? step(mu: 0, sigma: s, neuron: seen(s), workspace: ws).lnRate) ?? .nan) - lnTarget }
        let lo = 1e-3 * neuron.theta, hi = 100 * neuron.theta
        guard f(hi) >= 0 else {
            throw Failure(description: "target rate \(1000 * nu) Hz is not reachable with zero-mean weights: sigma = 100 theta gives \(1000 * exp(f(hi) + lnTarget)) Hz")
        }
        guard f(lo) <= 0 else { throw Failure(description: "target rate \(1000 * nu) Hz is below what sigma = 1e-3 theta gives") }
        let sigma = try RootFinding.brent(lo, hi, epsrel: 4e-16, f)
        let nVar = sigma * sigma / (nu * neuron.tauM)
        let s = try step(mu: 0, sigma: sigma, neuron: seen(sigma), workspace: ws)
        return FixedPoint(muW: 0, sigmaW: (nVar / n).squareRoot(), nMuW: 0, nVarW: nVar, mu: 0, sigma: sigma, slope: s.logLogSlope)
    }

    /// Fixed spread: n σ_w² given, solve Φ(μ, σ(μ)) = ν* for n μ_w, with σ² = (n σ_w² + (n μ_w)²/n) ν* τ_m.
    public static func fixedSpread(targetRate nu: Double, nVarW: Double, n: Double, neuron: LayerNeuron,
                                   jumps: Jumps = .diffusion, workspace ws: IntegrationWorkspace) throws -> FixedPoint {
        let lnTarget = log(nu), scale = nu * neuron.tauM
        func moments(_ nMuW: Double) -> (Double, Double) { (nMuW * scale, ((nVarW + nMuW * nMuW / n) * scale).squareRoot()) }
        func seen(_ nMuW: Double) -> LayerNeuron { mapped(neuron, muW: nMuW / n, sigmaW: (nVarW / n).squareRoot(), jumps: jumps) }
        let f = { (m: Double) -> Double in
            let (mu, sigma) = moments(m)
            return ((try? step(mu: mu, sigma: sigma, neuron: seen(m), workspace: ws).lnRate) ?? .nan) - lnTarget
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
        let s = try step(mu: mu, sigma: sigma, neuron: seen(m), workspace: ws)
        return FixedPoint(muW: m / n, sigmaW: (nVarW / n).squareRoot(), nMuW: m, nVarW: nVarW, mu: mu, sigma: sigma, slope: s.logLogSlope)
    }
}
