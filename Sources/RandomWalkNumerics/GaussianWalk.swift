// THEORY §4.1: barrier crossing of the Gaussian random walk S_k = x0 + Σ X_i, X_i ~ N(m, s²),
// N = min{k ≥ 1: S_k ≥ a}. Exact numerics by the Nyström killed-density recursion, and the
// approximations (Siegmund's corrected diffusion, the naive continuous formula, Wald's identity).
//
// Coordinates: z = y − a (distance to the barrier, z < 0), so node positions never round at the scale
// of a. Densities are carried as masses u_i = w_i p(z_i): the transfer operator K_ij = w_i φ_s(z_i − z_j − m)
// then has column sums ≤ 1 (probability of surviving a step from z_j), which makes I − K diagonally
// dominant by columns (see ProfileMatrix.factorize).
import Foundation
import GSLSupport

public struct GaussianWalk: Sendable {
    public var x0, a, m, s: Double
    public var resolution: NystromResolution

    public init(x0: Double, a: Double, m: Double, s: Double, resolution: NystromResolution = .standard) {
        self.x0 = x0; self.a = a; self.m = m; self.s = s; self.resolution = resolution
    }

    /// ρ = −ζ(1/2)/√(2π) (Siegmund's overshoot constant).
    public static let rho: Double = -GSL.zeta(0.5) / (2 * Double.pi).squareRoot()

    var z0: Double { x0 - a }

    /// Nodes on [zL, 0], fine at the barrier.
    func grid(lower zL: Double) -> NystromGrid {
        var g = NystromGrid()
        g.addSegment(zL, 0, s: s, fineAtLo: false, fineAtHi: true, resolution)
        return g
    }

    /// The forward operator K_ij = w_i φ_s(z_i − z_j − m) on its band (|Δ| ≤ bandCut·s), optionally as I − K.
    func forwardOperator(_ g: NystromGrid, identityMinus: Bool) -> ProfileMatrix {
        let invS = 1 / s
        var k = ProfileMatrix(n: g.count, columns: forwardProfile(g))
        for i in 0..<g.count {
            let yi = g.y[i], wi = g.w[i]
            k.fillRow(i) { j in
                let v = wi * gaussian(yi - g.y[j] - m, invS)
                return identityMinus ? (i == j ? 1 - v : -v) : v
            }
        }
        return k
    }

    /// Columns of row i of the forward operator: |y_i − y_j − m| ≤ bandCut·s.
    func forwardProfile(_ g: NystromGrid) -> (Int) -> (Int, Int) {
        let cut = resolution.bandCut * s
        return { i in (g.lowerBound(g.y[i] - self.m - cut), g.upperBound(g.y[i] - self.m + cut)) }
    }

    /// Lower cut-off of THEORY §4.1 for a horizon of n steps (relative to a): z0 − 10 s − max_{k≤n}(14 s√k − km).
    /// At step k the free walk is below z0 + km − 14 s√k with probability Q(14) = 8e-45, so this is THEORY's
    /// z0 − (14 s√n + max(0, −m) n + 10 s) for m ≤ 0, and for m > 0 no deeper than 49 s²/m + 10 s below x0.
    public func lowerCutoff(steps n: Int) -> Double {
        let nd = Double(n)
        var depth = 14 * s * nd.squareRoot() - nd * m
        if m > 0 && nd.squareRoot() > 7 * s / m { depth = 49 * s * s / m }
        return z0 - 10 * s - depth
    }

    /// A step count after which P(N ≤ n) cannot grow by more than 1e-19 of itself: m > 0: P(N > k) ≤
    /// P(S_k < a) ≤ Q(9); m < 0: P(k < N < ∞) ≤ E[e^{λ(S_k − a)}] = e^{−γ(a−x0)/2 − k m²/(2s²)} (λ = |m|/s²,
    /// Lundberg: P(ever cross from y) ≤ e^{−γ(a−y)}), against P(N ≤ k) ≥ Q((a − x0 − m)/s). m = 0: none.
    public func effectiveHorizon(_ n: Int) -> Int {
        let d = a - x0
        var k: Double
        if m > 0 {
            let t = (9 * s + (81 * s * s + 4 * m * d).squareRoot()) / (2 * m)
            k = (t * t).rounded(.up)
        } else if m < 0 {
            let gamma = 2 * abs(m) / (s * s)
            k = ((43.8 - Special.logNormalTail((d - m) / s) - gamma * d / 2) * 2 * s * s / (m * m)).rounded(.up)
        } else {
            return n
        }
        // NaN (e.g. s² underflowing to 0 at subnormal inputs) means no bound; −∞ means one step suffices.
        return k < Double(n) ? Int(max(1, k)) : n
    }

    /// The size of P(N ≤ n) before it is computed: nodes of the grid and steps to iterate. Throws
    /// NystromLimit beyond NystromLimits (nodes, or nodes × steps).
    public func checkCrossingWork(steps n: Int) throws {
        let nEff = effectiveHorizon(n)
        guard nEff > 1 else { return }
        let length = -lowerCutoff(steps: nEff)
        try NystromGrid.checkSize(length: length, s: s, anchors: 1, resolution, "P(N <= n)")
        let work = NystromGrid.estimatedNodes(length: length, s: s, anchors: 1, resolution) * Double(nEff)
        guard work <= NystromLimits.maxNodeSteps else {
            throw NystromLimit("P(N <= n) needs about \(String(format: "%.2g", work)) node-steps (\(nEff) steps on the grid; limit \(String(format: "%.2g", NystromLimits.maxNodeSteps)))")
        }
        // A drift of many s shifts the operator's band away from the diagonal, and the profile with it.
        let g = grid(lower: -length)
        try ProfileMatrix.check(n: g.count, "P(N <= n)", columns: forwardProfile(g))
    }

    // MARK: P(N ≤ n)

    public struct CrossingResult: Sendable {
        /// P(N ≤ k) for k = 1...n.
        public var cumulative: [Double]
        public var nodes: Int
        /// Steps actually iterated (the rest add < 1e-18 relative and repeat the last value).
        public var iterated: Int
        public var last: Double { cumulative.last! }
    }

    /// P(N ≤ k) for k = 1...n by flux accumulation: P(N ≤ n) = Σ_k Σ_j u_{k−1,j} Q((a − y_j − m)/s), so a
    /// small probability is a sum of small positive terms (no 1 − S_n cancellation). At step k only nodes
    /// above z0 + km − 14 s√k − 10 s carry mass (the free walk is below with probability < Q(14) = 8e-45).
    /// The recursion stops once what can still cross — the survival (m ≥ 0), or its Lundberg bound
    /// Σ u_j e^{γ z_j} (m < 0) — is below 1e-18 of P(N ≤ k).
    public func crossingProbabilities(steps n: Int) -> CrossingResult {
        precondition(n >= 1)
        var out = [Double]()
        out.reserveCapacity(n)
        var sum = CompensatedSum()
        sum.add(Special.normalTail((a - x0 - m) / s))
        out.append(sum.value)
        let nEff = effectiveHorizon(n)
        func finish(_ nodes: Int, _ iterated: Int) -> CrossingResult {
            // Quadrature can overshoot 1 by an ulp when everything crosses.
            for i in out.indices where out[i] > 1 { out[i] = 1 }
            while out.count < n { out.append(out.last!) }
            return CrossingResult(cumulative: out, nodes: nodes, iterated: iterated)
        }
        if nEff == 1 { return finish(0, 1) }
        let zL = lowerCutoff(steps: nEff)
        let g = grid(lower: zL)
        let N = g.count
        let q = (0..<N).map { Special.normalTail((-g.y[$0] - m) / s) }
        let gamma = 2 * abs(m) / (s * s)
        let reach = m < 0 ? (0..<N).map { exp(gamma * g.y[$0]) } : [Double](repeating: 1, count: N)
        let invS = 1 / s
        var u = [Double](repeating: 0, count: N), next = [Double](repeating: 0, count: N)
        func firstActive(_ k: Int) -> Int {
            g.lowerBound(max(zL, z0 + Double(k) * m - 14 * s * Double(k).squareRoot() - 10 * s))
        }
        var lo = firstActive(1)
        for i in lo..<N { u[i] = g.w[i] * gaussian(g.y[i] - z0 - m, invS) }
        var kernel: ProfileMatrix?
        for k in 1..<nEff {
            // flux of step k + 1 from the survivors of step k
            var f = 0.0, residual = 0.0
            for i in lo..<N { f += u[i] * q[i]; residual += u[i] * reach[i] }
            sum.add(f)
            out.append(sum.value)
            if k + 1 == nEff || residual <= 1e-18 * sum.value { return finish(N, k + 1) }
            if kernel == nil { kernel = forwardOperator(g, identityMinus: false) }
            let nextLo = firstActive(k + 1)
            u.withUnsafeBufferPointer { up in
                next.withUnsafeMutableBufferPointer { np in
                    kernel!.multiply(up.baseAddress!, into: np.baseAddress!, rows: nextLo..<N, firstColumn: lo)
                    for i in 0..<nextLo { np[i] = 0 }
                }
            }
            swap(&u, &next)
            lo = nextLo
        }
        return finish(N, nEff)
    }

    // MARK: E[N] and P(N < ∞)

    /// Depth below x0 (γ = 2|m|/s²) beyond which walks are dropped for E[N] (m > 0) and P(N < ∞)
    /// (m < 0). Lundberg: a walk reaches depth d below its start (m > 0), or climbs d (m < 0), with
    /// probability ≤ e^{−γd}. E[N]: the truncation error is ≤ e^{−γd}(a − x0 + d + s)/m, kept below
    /// 1e-17·E[N]; P(N < ∞) ≈ e^{−γ(a−x0+ρs)}: the error e^{−γ(a−L)} is kept below 1e-17 of it.
    public func eventDepth() -> Double {
        let gamma = 2 * abs(m) / (s * s)
        var d = 10 * s
        if m > 0 {
            let en = max(1, (a - x0) / m)
            for _ in 0..<4 { d = max(10 * s, (39 + log(max(1, (a - x0 + d + s) / (m * en)))) / gamma) }
        } else if m < 0 {
            d = max(10 * s, 39 / gamma + Self.rho * s)
        }
        return d + 10 * s
    }

    public struct MeanResult: Sendable { public var value: Double; public var nodes: Int }

    /// E[N] = 1 + Σ_i ((I − K)^{-1} u_1)_i for m > 0 (nil otherwise: infinite), one profile-LU solve.
    /// `depth` overrides the cut-off depth below x0 (tests).
    public func meanCrossingTime(depth: Double? = nil) throws -> MeanResult? {
        guard m > 0 else { return nil }
        let lower = z0 - (depth ?? eventDepth())
        try NystromGrid.checkSize(length: -lower, s: s, anchors: 1, resolution, "E[N]")
        let g = grid(lower: lower)
        try ProfileMatrix.check(n: g.count, "E[N]", columns: forwardProfile(g))
        var a = forwardOperator(g, identityMinus: true)
        try a.factorize()
        let invS = 1 / s
        var b = (0..<g.count).map { g.w[$0] * gaussian(g.y[$0] - z0 - m, invS) }
        a.solve(&b)
        var sum = CompensatedSum()
        sum.add(1)
        for v in b { sum.add(v) }
        return MeanResult(value: sum.value, nodes: g.count)
    }

    /// P(N < ∞): 1 for m ≥ 0; for m < 0 the backward equation
    /// h_i = Q((a − y_i − m)/s) + Σ_j w_j φ_s(y_j − y_i − m) h_j,  P = Q((a − x0 − m)/s) + Σ_j w_j φ_s(y_j − x0 − m) h_j.
    public func crossingProbabilityEver() throws -> MeanResult {
        guard m < 0 else { return MeanResult(value: 1, nodes: 0) }
        try NystromGrid.checkSize(length: eventDepth() - z0, s: s, anchors: 1, resolution, "P(N < inf)")
        let g = grid(lower: z0 - eventDepth())
        let cut = resolution.bandCut * s, invS = 1 / s
        let backward = { (i: Int) in (g.lowerBound(g.y[i] + self.m - cut), g.upperBound(g.y[i] + self.m + cut)) }
        try ProfileMatrix.check(n: g.count, "P(N < inf)", columns: backward)
        var t = ProfileMatrix(n: g.count, columns: backward)
        for i in 0..<g.count {
            let yi = g.y[i]
            t.fillRow(i) { j in
                let v = g.w[j] * gaussian(g.y[j] - yi - m, invS)
                return i == j ? 1 - v : -v
            }
        }
        try t.factorize()
        var h = (0..<g.count).map { Special.normalTail((-g.y[$0] - m) / s) }
        t.solve(&h)
        var sum = CompensatedSum()
        sum.add(Special.normalTail((a - x0 - m) / s))
        for j in 0..<g.count { sum.add(g.w[j] * gaussian(g.y[j] - z0 - m, invS) * h[j]) }
        return MeanResult(value: sum.value, nodes: g.count)
    }

    // MARK: Approximations

    /// Siegmund's corrected diffusion: the §3.2 CDF at t = n with the barrier moved up by ρs.
    public func siegmundCrossingProbability(steps n: Int) -> Double {
        InverseGaussian.cdf(t: Double(n), distance: a - x0 + Self.rho * s, drift: m, noise: s)
    }
    /// The continuous (Wiener) formula with the barrier distance a − x0.
    public func naiveCrossingProbability(steps n: Int) -> Double {
        InverseGaussian.cdf(t: Double(n), distance: a - x0, drift: m, noise: s)
    }
    /// Wald's identity with E[R] ≈ ρs (m > 0).
    public var waldMeanRho: Double? { m > 0 ? (a - x0 + Self.rho * s) / m : nil }
    /// Wald's identity with the exact a → ∞ overshoot E[R_∞] (m > 0).
    public var waldMeanLadder: Double? { m > 0 ? (a - x0 + Self.ladderOvershoot(m: m, s: s)) / m : nil }
    /// exp(−2|m|(a − x0 + ρs)/s²) for m < 0, 1 otherwise.
    public var siegmundEver: Double { m < 0 ? exp(-2 * abs(m) * (a - x0 + Self.rho * s) / (s * s)) : 1 }

    /// E[R_∞] = (m² + s²)/(2m) − Σ_{k≥1} E[S_k⁻]/k (Spitzer; ladder heights), m > 0.
    /// f(k) = E[S_k⁻]/k = (s/√k)[φ(z) − zQ(z)], z = m√k/s, summed to K − 1 = 399, then the Euler–Maclaurin
    /// tail ∫_K^∞ f + f(K)/2 − f'(K)/12 + f'''(K)/720 with the closed forms
    /// ∫_K^∞ f = (s²/m)[(1 + Z²)Q(Z) − Zφ(Z)], f'(k) = −(s/2)k^{−3/2}φ(c√k), c = m/s
    /// (next term < 1e-18 s). For m ≪ s the two parts cancel (~s/m), losing log10(s/m) digits.
    public static func ladderOvershoot(m: Double, s: Double) -> Double {
        precondition(m > 0)
        let c = m / s, K = 400
        func f(_ k: Double) -> Double {
            let z = c * k.squareRoot()
            let phi = exp(-0.5 * z * z) * 0.39894228040143267794
            let mills = (Double.pi / 2).squareRoot() * Special.erfcx(z / 2.0.squareRoot())   // Q(z)/φ(z)
            return s / k.squareRoot() * phi * (1 - z * mills)
        }
        var sum = CompensatedSum()
        for k in 1..<K { sum.add(f(Double(k))) }
        let k = Double(K), Z = c * k.squareRoot()
        let phiZ = exp(-0.5 * Z * Z) * 0.39894228040143267794
        let integral = s * s / m * ((1 + Z * Z) * Special.normalTail(Z) - Z * phiZ)
        let alpha = 0.5 * c * c
        let g = pow(k, -1.5) * phiZ
        let g2 = (15.0 / 4 * pow(k, -3.5) + 3 * alpha * pow(k, -2.5) + alpha * alpha * pow(k, -1.5)) * phiZ
        let f1 = -0.5 * s * g, f3 = -0.5 * s * g2
        sum.add(integral); sum.add(f(k) / 2); sum.add(-f1 / 12); sum.add(f3 / 720)
        return (m * m + s * s) / (2 * m) - sum.value
    }
}

/// The first-passage-time CDF of THEORY §3.2, F(t) = Φ(z1) + e^{2ma/s²}Φ(−z2), in its stable form
/// (second term ½ e^{−z1²/2} erfcx(z2/√2) for z2 ≥ 0). (The wiener plugin has its own copy.)
public enum InverseGaussian {
    public static func cdf(t: Double, distance a: Double, drift m: Double, noise s: Double) -> Double {
        let st = s * t.squareRoot()
        let z1 = (m * t - a) / st, z2 = (m * t + a) / st
        let first = 0.5 * GSL.erfc(-z1 / 2.0.squareRoot())
        let second: Double
        if z2 >= 0 {
            second = 0.5 * exp(-0.5 * z1 * z1) * Special.erfcx(z2 / 2.0.squareRoot())
        } else {
            second = exp(2 * m * a / (s * s)) * Special.normalTail(z2)     // Φ(−z2) = Q(z2); only for m < 0: no overflow
        }
        return first + second
    }
}
