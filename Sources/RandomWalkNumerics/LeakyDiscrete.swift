// THEORY §4.2: the leaky discrete-time neuron V'_{t+1} = βU_t + X_t, X_t ~ N(m, s²), spike when V' ≥ θ,
// then U = V_r ("reset") or U = V' − θ ("subtract") within the same step. Exact stationary spike
// probability per step by the Nyström transfer operator (masses u_i = w_i p(y_i), as in GaussianWalk).
import Foundation
import GSLSupport

public struct LeakyDiscrete: Sendable {
    public enum Mode: Int, Sendable { case reset = 0, subtract = 1 }
    public var beta, m, s, theta, vReset: Double
    public var mode: Mode
    public var resolution: NystromResolution

    public init(beta: Double, m: Double, s: Double, theta: Double, vReset: Double, mode: Mode,
                resolution: NystromResolution = .standard) {
        self.beta = beta; self.m = m; self.s = s; self.theta = theta; self.vReset = vReset; self.mode = mode
        self.resolution = resolution
    }

    public var freeMean: Double { m / (1 - beta) }
    public var freeStd: Double { s / (1 - beta * beta).squareRoot() }
    /// P_free(U > θ) = Q((θ − m/(1−β))√(1−β²)/s): the no-reset estimate (not a rate estimator).
    public var freeAbove: Double { Special.normalTail((theta - freeMean) / freeStd) }

    /// The state space. Reset: (−∞, θ], lower end min(mean − 14 std, V_r − 14 s) (contains THEORY's
    /// min(mean − 14 std, V_r − 1)). Subtract: no-spike states ≤ θ and post-spike states V' − θ > 0; the
    /// density jumps at 0 and θ (breakpoints, fine panels). Bounds: for θ ≥ 0 the subtract chain stays below
    /// the free AR(1) process (U' ≤ βU + X), for θ < 0 below the one with input m − θ; it never falls below
    /// min(mean, 0) − 14 std. THEORY's upper end θ + 14 s + m is always included.
    func grid() -> NystromGrid {
        var g = NystromGrid()
        switch mode {
        case .reset:
            let lower = min(freeMean - 14 * freeStd, vReset - 14 * s)
            g.addSegment(lower, theta, s: s, fineAtLo: false, fineAtHi: true, resolution)
        case .subtract:
            let lower = min(freeMean, 0, theta) - 14 * freeStd - s
            let upper = max(theta + 14 * s + m, (m + max(0, -theta)) / (1 - beta) + 14 * freeStd, 0) + s
            if theta > 0 {
                g.addSegment(lower, 0, s: s, fineAtLo: false, fineAtHi: true, resolution)
                g.addSegment(0, theta, s: s, fineAtLo: true, fineAtHi: true, resolution)
                g.addSegment(theta, upper, s: s, fineAtLo: true, fineAtHi: false, resolution)
            } else {
                // No state in (θ, 0]: below θ nothing spiked, above 0 everything did.
                g.addSegment(lower, theta, s: s, fineAtLo: false, fineAtHi: true, resolution)
                g.addSegment(0, upper, s: s, fineAtLo: true, fineAtHi: false, resolution)
            }
        }
        return g
    }

    public struct Result: Sendable {
        /// Stationary spike probability per step.
        public var spikeProbability: Double
        public var nodes: Int
    }

    /// Columns j with |y_i − c − βy_j − m| ≤ cut (all columns when β = 0).
    func columns(_ g: NystromGrid, _ target: Double, _ cut: Double) -> (Int, Int) {
        if beta * (g.y.last! - g.y.first!) <= 1e-300 { return abs(target - m) <= cut ? (0, g.count - 1) : (1, 0) }
        return (g.lowerBound((target - m - cut) / beta), g.upperBound((target - m + cut) / beta))
    }

    /// The length of the state space grid() covers (in mV) and its fine ends, without building it.
    func gridExtent() -> (length: Double, anchors: Int) {
        switch mode {
        case .reset:
            return (theta - min(freeMean - 14 * freeStd, vReset - 14 * s), 1)
        case .subtract:
            let lower = min(freeMean, 0, theta) - 14 * freeStd - s
            let upper = max(theta + 14 * s + m, (m + max(0, -theta)) / (1 - beta) + 14 * freeStd, 0) + s
            return (upper - lower, 4)
        }
    }

    public func spikeProbability() throws -> Result {
        if mode == .reset {
            // Input far above threshold: from V_r the next step spikes but with probability ε = Q((m + βV_r − θ)/s),
            // and from the state a miss leaves (just below θ) the step after spikes too, so 1 − r ≲ 2ε. Below
            // ε = 1e-18 that is under half an ulp of 1: r = 1 exactly in doubles. (The chain's solve divides by
            // ε and gave NaN there, reported as ok by the host: found by the CLI campaign.)
            let miss = Special.normalTail((m + beta * vReset - theta) / s)
            if miss < 1e-18 { return Result(spikeProbability: 1, nodes: 0) }
        }
        let extent = gridExtent()
        try NystromGrid.checkSize(length: extent.length, s: s, anchors: extent.anchors, resolution, "spike_prob")
        let g = grid()
        let N = g.count
        let cut = resolution.bandCut * s, invS = 1 / s
        let y = g.y, w = g.w
        // I − K, K_ij = w_i [φ_s(y_i − βy_j − m)·1(y_i ≤ θ) + φ_s(y_i + θ − βy_j − m)·1(y_i > 0, subtract)]
        let profile = { (i: Int) -> (Int, Int) in
            var (c0, c1) = (1, 0)
            if y[i] <= theta { (c0, c1) = columns(g, y[i], cut) }
            if mode == .subtract && y[i] > 0 {
                let (d0, d1) = columns(g, y[i] + theta, cut)
                if d0 <= d1 { (c0, c1) = c0 <= c1 ? (min(c0, d0), max(c1, d1)) : (d0, d1) }
            }
            return (c0, c1)
        }
        try ProfileMatrix.check(n: N, "spike_prob", columns: profile)
        var a = ProfileMatrix(n: N, columns: profile)
        for i in 0..<N {
            let yi = y[i], wi = w[i]
            let stay = yi <= theta, jumped = mode == .subtract && yi > 0
            a.fillRow(i) { j in
                let mu = beta * y[j] + m
                var v = 0.0
                if stay { v += gaussian(yi - mu, invS) }
                if jumped { v += gaussian(yi + theta - mu, invS) }
                v *= wi
                return i == j ? 1 - v : -v
            }
        }
        switch mode {
        case .reset:
            // The stationary chain, solved so that a small spike probability stays accurate. The renewal form
            // r = 1/(1 + 1ᵀ(I − K)^{-1}c) solves with I − K, whose smallest singular value is ~r: below
            // r ~ 1e-10 it loses all digits (it gave r < 0 at r ~ 1e-16). Here the state is the grid masses
            // u and the reset atom a (mass at V_r after a spike):
            //   u = K u + a c,   a = q_r a + qᵀu   ⇒   (I − K − c̃ qᵀ) u = 0,  c̃ = c/(1 − q_r),
            // with c_i = w_i φ_s(y_i − βV_r − m), q_j = Q((θ − βy_j − m)/s) (spike from node j), q_r the same
            // from V_r. Normalised by u_* = 1 at the node nearest the free mean (equation * replaced), the
            // matrix is A' − c̃' qᵀ with A' = I − K with row * replaced (well conditioned: the near-null vector
            // of I − K is large at *) and c̃' = c̃ with entry * zeroed; Sherman–Morrison:
            //   u = z + x (qᵀz)/(1 − qᵀx),  z = A'^{-1} e_*,  x = A'^{-1} c̃'.
            // The spike probability per step is the atom's share: r = a/(Σu + a), a = qᵀu/(1 − q_r).
            // 1 − q_r = Q(−(θ − βV_r − m)/s) is formed directly (no cancellation when q_r → 1).
            let star = min(N - 1, g.lowerBound(min(max(freeMean, y.first!), y.last!)))
            a.fillRow(star) { j in j == star ? 1 : 0 }
            try a.factorize()
            let stayAtom = Special.normalTail(-(theta - beta * vReset - m) / s)          // 1 − q_r
            var x = (0..<N).map { w[$0] * gaussian(y[$0] - beta * vReset - m, invS) / stayAtom }
            x[star] = 0
            a.solve(&x)
            var z = [Double](repeating: 0, count: N)
            z[star] = 1
            a.solve(&z)
            let q = (0..<N).map { Special.normalTail((theta - beta * y[$0] - m) / s) }
            var qz = CompensatedSum(), qx = CompensatedSum()
            for j in 0..<N { qz.add(q[j] * z[j]); qx.add(q[j] * x[j]) }
            let factor = qz.value / (1 - qx.value)
            var mass = CompensatedSum(), flux = CompensatedSum()
            for j in 0..<N {
                let u = z[j] + x[j] * factor
                mass.add(u)
                flux.add(q[j] * u)
            }
            let atom = flux.value / stayAtom
            return Result(spikeProbability: atom / (mass.value + atom), nodes: N)
        case .subtract:
            // (I − K)u = 0 with Σu = 1: fix u at the node nearest the free mean (a well-populated node, so
            // the reduced system stays well conditioned) by replacing its equation with u_* = 1.
            let star = min(N - 1, g.lowerBound(min(max(freeMean, y.first!), y.last!)))
            a.fillRow(star) { j in j == star ? 1 : 0 }
            try a.factorize()
            var u = [Double](repeating: 0, count: N)
            u[star] = 1
            a.solve(&u)
            var mass = CompensatedSum(), flux = CompensatedSum()
            for j in 0..<N {
                mass.add(u[j])
                flux.add(u[j] * Special.normalTail((theta - beta * y[j] - m) / s))
            }
            return Result(spikeProbability: flux.value / mass.value, nodes: N)
        }
    }
}
