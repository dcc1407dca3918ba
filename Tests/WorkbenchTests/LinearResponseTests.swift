// linear-response: limits that hold exactly (f → 0: the Siegert gain and ν0 CV²; f → ∞: the rate), and the
// 30-digit reference of Tests/Fixtures/linear_response_reference.py.
import Foundation
import GSLSupport
import LinearResponseNumerics
import SiegertNumerics
import XCTest

final class LinearResponseTests: XCTestCase {
    func relative(_ p: LIFParameters, f: Double) throws -> LinearResponse.Result {
        try LinearResponse.relative(yTheta: p.yTheta, yReset: p.yReset, omegaTauM: 2 * .pi * f * p.tauM / 1000,
                                    phase: 2 * .pi * f * p.tauRef / 1000, sigma: p.sigma)
    }

    func testLowFrequencyIsTheSiegertGain() throws {
        for (mu, sigma, tauRef) in [(15.0, 5.0, 2.0), (22, 3, 2), (20, 4, 0), (30, 2, 2), (10, 4, 2), (0, 2, 2)] {
            let p = LIFParameters(mu: mu, sigma: sigma, tauRef: tauRef)
            let r = try Siegert.rate(p)
            let g = Siegert.logGain(p, r)
            let lr = try relative(p, f: 1e-7)
            XCTAssertEqual(lr.relativeMu.real, g.dMu, accuracy: 1e-9 * abs(g.dMu), "mu \(mu) sigma \(sigma)")
            XCTAssertEqual(lr.relativeSigma2.real, g.dSigma / (2 * sigma), accuracy: 1e-9 * abs(g.dSigma / (2 * sigma)))
            let cv = try Siegert.cv(p, r, workspace: IntegrationWorkspace())
            XCTAssertEqual(lr.relativeSpectrum, cv * cv, accuracy: 1e-7 * cv * cv, "mu \(mu) sigma \(sigma)")
            let high = try relative(p, f: 1e6)
            XCTAssertEqual(high.relativeSpectrum, 1, accuracy: 1e-2)
            print("mu \(mu) sigma \(sigma): steps \(lr.steps), \(high.steps); S(1e6 Hz)/nu0 = \(high.relativeSpectrum)",
                  lr.relativeMu.real / g.dMu - 1, lr.relativeSigma2.real / (g.dSigma / (2 * sigma)) - 1, lr.relativeSpectrum / (cv * cv) - 1)
        }
    }
}
