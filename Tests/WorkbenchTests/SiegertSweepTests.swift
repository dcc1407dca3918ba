// Random sweeps across every regime of THEORY §1.3 against the slow reference path (direct QAG at
// 50·DBL_EPSILON on smooth variables; SiegertReference), failing above the stated bounds.
import Foundation
import GSLSupport
import SiegertNumerics
import Testing

/// Deterministic generator (SplitMix64) so a failing point can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// (y_r, y_θ) spread over all regimes: y_θ of either sign from 1e-3 to `maxY` (log-uniform) or near 0,
/// and widths b - a from 1e-4 to 1e6.
func randomLimits(_ g: inout SplitMix64, maxY: Double, minWidth: Double = 1e-4, maxWidth: Double = 1e6) -> (Double, Double) {
    let b: Double
    switch Int.random(in: 0..<4, using: &g) {
    case 0: b = Double.random(in: -3...3, using: &g)
    case 1: b = pow(10, Double.random(in: -3...log10(maxY), using: &g))
    default: b = -pow(10, Double.random(in: -3...log10(maxY), using: &g))
    }
    let width = pow(10, Double.random(in: log10(minWidth)...log10(maxWidth), using: &g))
    return (b - width, b)
}

struct SiegertSweepTests {
    @Test func rateMatchesReferenceOver100000RandomPoints() throws {
        var g = SplitMix64(state: 20261123)
        let ws = IntegrationWorkspace(), wsRef = IntegrationWorkspace()
        var worst = 0.0, worstAt = (0.0, 0.0), failures = 0
        for _ in 0..<100_000 {
            let (a, b) = randomLimits(&g, maxY: 1e6)
            let tauRef = Bool.random(using: &g) ? 0 : Double.random(in: 0...5, using: &g)
            let p = LIFParameters(mu: 0, sigma: 1, theta: b, vReset: a, tauM: 20, tauRef: tauRef)
            let got = try Siegert.rate(p, workspace: ws).lnRateHz
            let ref = try SiegertReference.lnRateHz(p, wsRef)
            // |Δ ln ν| ≤ max(1e-13, 4e-16·|ln ν|) (THEORY §1.7): 1e-13 relative on a normal rate.
            let err = abs(got - ref) / max(1e-13, 4e-16 * abs(ref)) * 1e-13
            if err > worst { worst = err; worstAt = (a, b) }
            if err > 1e-13 { failures += 1 }
        }
        print("rate sweep: worst scaled error \(worst) at (y_r, y_θ) = \(worstAt)")
        #expect(failures == 0, "\(failures) points above 1e-13; worst \(worst) at (y_r, y_θ) = \(worstAt)")
    }

    @Test func cvMatchesTheBrunelDoubleIntegral() throws {
        var g = SplitMix64(state: 7)
        let ws = IntegrationWorkspace(), wsRef = IntegrationWorkspace()
        var worst = 0.0, worstAt = (0.0, 0.0)
        for _ in 0..<300 {
            let (a, b) = randomLimits(&g, maxY: 25, minWidth: 1e-2, maxWidth: 1e3)
            let p = LIFParameters(mu: 0, sigma: 1, theta: b, vReset: a, tauM: 20, tauRef: Double.random(in: 0...5, using: &g))
            let r = try Siegert.rate(p, workspace: ws)
            let got = try Siegert.cv(p, r, workspace: ws), ref = try SiegertReference.cv(p, wsRef)
            let err = abs(got - ref) / ref
            if err > worst { worst = err; worstAt = (a, b) }
        }
        #expect(worst <= 1e-10, "worst CV error \(worst) at (y_r, y_θ) = \(worstAt)")
    }

    @Test func densityMatchesDirectQuadrature() throws {
        var g = SplitMix64(state: 11)
        let ws = IntegrationWorkspace(), wsRef = IntegrationWorkspace()
        var worst = 0.0
        for _ in 0..<2000 {
            let mu = Double.random(in: -20...40, using: &g), sigma = pow(10, Double.random(in: -1...1.5, using: &g))
            let p = LIFParameters(mu: mu, sigma: sigma)
            let r = try Siegert.rate(p, workspace: ws)
            let v = Double.random(in: min(p.vReset, mu) - 3 * sigma...p.theta, using: &g)
            let y = (v - mu) / sigma, lower = max(y, r.a)
            let L = r.lnRatePerMs + log(p.tauM)
            // P0 = (2/σ) ∫_lower^{y_θ} e^{L + u² - y²} du, integrated directly.
            let ref = 2 / sigma * (try wsRef.qag(lower, r.b, epsrel: 50 * .ulpOfOne) { u in exp(L + (u - y) * (u + y)) }.value)
            let got = Siegert.density(at: v, p, r)
            guard ref > 1e-300 else { continue }
            // Near θ the density → 0 linearly: compare relative to the slope scale there as well.
            let scale = max(ref, 1e-12 * 2 * exp(L) / sigma)
            worst = max(worst, abs(got - ref) / scale)
        }
        #expect(worst <= 1e-11, "worst density error \(worst)")
    }
}
