// Hard corners, each against an independent 60-digit mpmath evaluation of THEORY §1.2/§1.7
// (direct quadrature of F(u) = e^{u²} erfc(-u) on the double-precision inputs).
import Foundation
import GSLSupport
import SiegertNumerics
import Testing

struct SiegertCornerTests {
    @Test("Gain where y F(y) → -1/√π cancels", arguments: [
        (LIFParameters(mu: 25, sigma: 0.001), 41.714907183505388, 4.6403558161545326, 0.00061871408544696264),
        (LIFParameters(mu: 25, sigma: 1e-4), 41.714906877241908, 4.6403558807313573, 6.1871411719711123e-5),
        (LIFParameters(mu: 1e6, sigma: 5), 499.95000424963899, 4.9991501083002317e-8, 2.4996125483070948e-13),
    ])
    func mpmathGain(_ p: LIFParameters, _ rate: Double, _ dMu: Double, _ dSigma: Double) throws {
        let r = try Siegert.rate(p, workspace: IntegrationWorkspace())
        let g = Siegert.logGain(p, r)
        expectRelative(r.rateHz, rate, 1e-13, "rate at μ=\(p.mu), σ=\(p.sigma)")
        expectRelative(r.rateHz * g.dMu, dMu, 1e-12, "dν/dμ at μ=\(p.mu), σ=\(p.sigma)")
        expectRelative(r.rateHz * g.dSigma, dSigma, 1e-12, "dν/dσ at μ=\(p.mu), σ=\(p.sigma)")
    }

    @Test func resetWithinRoundingOfThreshold() throws {
        // V_r = 19.999999999999996 mV: (θ - V_r)/σ = 7.1e-16 is below the spacing of doubles at y_θ = -196.
        let p = LIFParameters(mu: 1000, sigma: 5, vReset: 19.999999999999996, tauRef: 0)
        let ws = IntegrationWorkspace()
        let r = try Siegert.rate(p, workspace: ws)
        expectRelative(r.rateHz, 1.3792453366252095e19, 1e-13, "rate with a 7e-16 noise-unit reset gap")
        let cv = try Siegert.cv(p, r, workspace: ws)
        #expect(cv.isFinite && cv > 1, "a reset just below threshold with τ_ref = 0 gives a huge CV: \(cv)")
        let mv = Siegert.meanVNonRefractory(p, r)
        #expect(mv > 19.98 && mv < 20, "mean potential between reset and threshold: \(mv)")
    }

    @Test func cvIsEvaluableOnAFineRegimeGrid() throws {
        // Breakpoints that fall within ulps of -1, -10, ... or of each other once made QAGP fail.
        let ws = IntegrationWorkspace()
        var failures: [String] = []
        for sigma in [1e-4, 1e-3, 0.01, 0.07, 0.1, 0.11, 0.3, 0.4999999999999999, 0.6, 1, 10] {
            for i in 0...1200 {
                let p = LIFParameters(mu: -20 + 0.05 * Double(i), sigma: sigma)
                do {
                    let r = try Siegert.rate(p, workspace: ws)
                    let cv = try Siegert.cv(p, r, workspace: ws)
                    if !(cv.isFinite && cv >= 0) { failures.append("μ=\(p.mu) σ=\(sigma): CV \(cv)") }
                } catch { failures.append("μ=\(p.mu) σ=\(sigma): \(error)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, e.g. \(failures.prefix(3))")
    }

    @Test func cvIsOneFarBelowThreshold() throws {
        // Rare firing from a reset far below a high barrier: exponential ISIs, CV = 1 - τ_ref/T̄ = 1.
        let ws = IntegrationWorkspace()
        for y in [20.0, 29.9, 30.1, 100, 1e4, 1e6, 1e100] {
            let p = LIFParameters(mu: 0, sigma: 20 / y)
            let r = try Siegert.rate(p, workspace: ws)
            expectRelative(try Siegert.cv(p, r, workspace: ws), 1, 2e-12, "CV at y_θ = \(y)")
        }
    }

    @Test func meanPotentialsKeepTheirDigits() throws {
        let ws = IntegrationWorkspace()
        let tiny = LIFParameters(mu: 15, sigma: 5, tauM: 1e-300)
        expectRelative(Siegert.meanVNonRefractory(tiny, try Siegert.rate(tiny, workspace: ws)), 13.0713468358873, 1e-12, "τ_m = 1e-300")
        let s1 = LIFParameters(mu: 15, sigma: 5)
        expectRelative(Siegert.meanVAll(s1, try Siegert.rate(s1, workspace: ws)), 13.0132320407906, 1e-12, "S1 <V>_all")
    }

    @Test func outOfRangeInputsAreErrorsNotNaN() {
        for p in [LIFParameters(mu: 15, sigma: 1e-300), LIFParameters(mu: -1e300, sigma: 5), LIFParameters(mu: 15, sigma: Double("1e-320")!)] {
            #expect(p.unrepresentable?.contains("'sigma' = ") == true, "\(p)")
        }
        #expect(LIFParameters(mu: 15, sigma: 5).unrepresentable == nil)
    }
}
