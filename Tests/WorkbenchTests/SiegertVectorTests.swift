// Every number of THEORY §1.5 and §1.7, the §0.3 erfcx vectors, and the §1.4 limits.
import Foundation
import GSLSupport
import SiegertNumerics
import Testing

private func rate(_ p: LIFParameters) throws -> SiegertRate { try Siegert.rate(p, workspace: IntegrationWorkspace()) }

struct ErfcxTests {
    @Test("erfcx at THEORY §0.3 points", arguments: [
        (-3.0, 16205.9888539996), (0, 1), (1, 0.427583576155807), (5, 0.110704637733069),
        (26, 0.0216835848505629), (30, 0.0187958888614168), (1000, 5.64189301453388e-4),
    ])
    func erfcx(_ x: Double, _ ref: Double) {
        expectRelative(Special.erfcx(x), ref, 1e-14, "erfcx(\(x))")
    }

    @Test func erfcxIsContinuousAtTheSeriesSwitch() {
        let below = Special.erfcx(26.0.nextDown), above = Special.erfcx(26)
        expectRelative(below, above, 1e-14, "erfcx across x = 26")
    }

    @Test func K0() { expectRelative(Siegert.K0, 0.391066419137417, 1e-13, "K(0)") }
}

/// The regime-named fixtures of THEORY §1.5 (τ_m = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms unless stated).
struct SiegertCase: CustomTestStringConvertible, Sendable {
    let id: String
    let p: LIFParameters
    let rateHz, lnRateHz, meanISI, cv, meanV, meanVAll: Double
    let varISI: Double?
    var testDescription: String { id }

    static let all: [SiegertCase] = [
        SiegertCase(id: "S1 fluctuation-driven", p: .init(mu: 15, sigma: 5), rateHz: 9.46079980575913, lnRateHz: 2.2471569255533,
                    meanISI: 105.699308782674, cv: 0.81475721165945, meanV: 13.0713468358873, meanVAll: 13.0132320407906, varISI: 7416.52937118419),
        SiegertCase(id: "S2 supra-threshold weak noise", p: .init(mu: 22, sigma: 3), rateHz: 30.8799834906251, lnRateHz: 3.43010819052642,
                    meanISI: 32.3834370022766, cv: 0.378511332873863, meanV: 15.4174662338229, meanVAll: 15.0828836981, varISI: 150.246254836373),
        SiegertCase(id: "S3 sub-threshold rare firing", p: .init(mu: 0, sigma: 2), rateHz: 1.04411315408462e-41, lnRateHz: -94.3628209440301,
                    meanISI: 9.5775060019879e+43, cv: 1.0, meanV: -2.08822630816925e-42, meanVAll: -1.87940367735232e-42, varISI: 9.17286212181142e+87),
        SiegertCase(id: "S4 underflowing rate", p: .init(mu: 0, sigma: 0.5), rateHz: 0, lnRateHz: -1592.971775227900470,  // 14 digits in THEORY; 50-digit mpmath here
                    meanISI: .infinity, cv: 1.0, meanV: 0, meanVAll: 0, varISI: nil),
        SiegertCase(id: "S5 mean-driven tiny noise", p: .init(mu: 25, sigma: 0.01), rateHz: 41.714937809774, lnRateHz: 3.73085928551687,
                    meanISI: 23.9722279956437, cv: 0.00111239525162095, meanV: 15.8976003689907, meanVAll: 15.405564303752, varISI: 7.11107160527908e-4),
        SiegertCase(id: "S6 y_theta = 0, no refractoriness", p: .init(mu: 20, sigma: 4, tauRef: 0), rateHz: 25.8508385084185, lnRateHz: 3.25234303789135,
                    meanISI: 38.6834647423272, cv: 0.558263133569666, meanV: 14.8298322983163, meanVAll: 14.8298322983163, varISI: 466.367876739888),
        SiegertCase(id: "S7 supra-threshold, reset at rest", p: .init(mu: 30, sigma: 10, vReset: 0, tauRef: 0), rateHz: 52.1414115957812,
                    lnRateHz: 3.95395948132226, meanISI: 19.1786138770534, cv: 0.481858684623903, meanV: 9.14343536168752,
                    meanVAll: 9.14343536168752, varISI: 85.4031349064316),
    ]
}

struct SiegertVectorTests {
    @Test(arguments: SiegertCase.all)
    func rateAndMoments(_ c: SiegertCase) throws {
        let ws = IntegrationWorkspace()
        let r = try Siegert.rate(c.p, workspace: ws)
        expectRelative(r.rateHz, c.rateHz, 1e-12, "\(c.id) rate")
        expectLogRate(r.lnRateHz, c.lnRateHz, "\(c.id)")
        if c.meanISI.isFinite { expectRelative(exp(r.lnMeanISI), c.meanISI, 1e-12, "\(c.id) mean ISI") }
        else { #expect(exp(r.lnMeanISI) == .infinity) }
        let cv = try Siegert.cv(c.p, r, workspace: ws)
        expectRelative(cv, c.cv, 1e-10, "\(c.id) CV")
        if let v = c.varISI { expectRelative(exp(2 * (log(cv) + r.lnMeanISI)), v, 1e-10, "\(c.id) Var(ISI)") }
        expectRelative(Siegert.meanVNonRefractory(c.p, r), c.meanV, 1e-12, "\(c.id) <V> non-refractory")
        expectRelative(Siegert.meanVAll(c.p, r), c.meanVAll, 1e-12, "\(c.id) <V> all")
    }

    @Test("I(a, b) of THEORY §1.5", arguments: [
        (-1.0, 1.0, log(2.92530349181436)), (-7.5, -2.5, log(0.601917877761768)), (-2.5, 0, log(1.09124039315789)),
        (-1500, -500, log(0.619825108123928)), (5, 10, 97.7024790065336), (20, 40, 1596.311433290403916),   // THEORY prints 14 digits; mpmath, 50 digits
        (-4, -2.0 / 3.0, log(0.857100933453196)), (-3, -1, log(0.541018708815898)),
    ] as [(Double, Double, Double)])
    func integralI(_ a: Double, _ b: Double, _ lnI: Double) throws {
        let r = try rate(LIFParameters(mu: 0, sigma: 1, theta: b, vReset: a))
        let got = r.c + log(r.S)
        #expect(abs(got - lnI) <= max(1e-13, 4e-16 * abs(lnI)), "ln I(\(a), \(b)) = \(got), expected \(lnI)")
    }

    @Test("Density of S1 and S3 (THEORY §1.5)", arguments: [
        (15.0, 5.0, -5.0, 2.49159275192648e-8), (15, 5, 5, 0.00405518658640896), (15, 5, 10, 0.0814505999117326),
        (15, 5, 12, 0.113167869670229), (15, 5, 15, 0.110702842828575), (15, 5, 19, 0.0180999085294324),
        (15, 5, 19.9, 0.00154399642544143), (0, 2, 0, 0.282094791773878), (0, 2, 5, 5.44571057588177e-4),
        (0, 2, 15, 1.05034134452875e-25),
    ])
    func density(_ mu: Double, _ sigma: Double, _ v: Double, _ ref: Double) throws {
        let p = LIFParameters(mu: mu, sigma: sigma)
        expectRelative(Siegert.density(at: v, p, try rate(p)), ref, 1e-12, "P0(\(v)) at mu=\(mu), sigma=\(sigma)")
    }

    @Test func densityIntegralsAndKink() throws {
        let p = LIFParameters(mu: 15, sigma: 5)
        let r = try rate(p)
        let ws = IntegrationWorkspace()
        let pts = [p.mu - 40 * p.sigma, p.vReset, p.theta]
        let mass = try ws.qagp(pts, epsrel: 1e-13) { Siegert.density(at: $0, p, r) }.value
        expectRelative(mass, 0.981078400388482, 1e-12, "∫P0 = 1 - ν τ_ref")
        let first = try ws.qagp(pts, epsrel: 1e-13) { $0 * Siegert.density(at: $0, p, r) }.value
        expectRelative(first, 12.8240160446754, 1e-12, "∫V P0 dV")
        // Kink at V_r from second-order one-sided differences: truncation ~h² and round-off ~ε/h.
        let h = 1e-4, f = { Siegert.density(at: $0, p, r) }
        let right = (-3 * f(p.vReset) + 4 * f(p.vReset + h) - f(p.vReset + 2 * h)) / (2 * h)
        let left = (3 * f(p.vReset) - 4 * f(p.vReset - h) + f(p.vReset - 2 * h)) / (2 * h)
        expectRelative(right - left, -0.0151372796892146, 1e-6, "kink at V_r")
        // Slope at θ: the escaping flux -2ντ_m/σ².
        let atTheta = (f(p.theta - 2 * h) - 4 * f(p.theta - h) + 3 * f(p.theta)) / (2 * h)
        expectRelative(atTheta, -0.0151372796892146, 1e-6, "P0'(θ⁻)")
        #expect(f(p.theta) == 0 && f(p.theta + 1) == 0)
    }

    @Test("Gain of THEORY §1.7", arguments: [
        (LIFParameters(mu: 15, sigma: 5), 2.90729106315229, 3.44996834876098),
        (LIFParameters(mu: 22, sigma: 3), 4.53285244447029, 2.12369086571586),
        (LIFParameters(mu: 20, sigma: 4, tauRef: 0), 4.67388243746377, 3.12117368229547),
        (LIFParameters(mu: 30, sigma: 10, vReset: 0, tauRef: 0), 2.39574682443729, 1.0545489038916),
        (LIFParameters(mu: 0, sigma: 2), 1.03883902677832e-40, 1.03883902677832e-39),
    ])
    func gain(_ p: LIFParameters, _ dMu: Double, _ dSigma: Double) throws {
        let r = try rate(p)
        let g = Siegert.logGain(p, r)
        expectRelative(r.rateHz * g.dMu, dMu, 1e-12, "dν/dμ at μ=\(p.mu), σ=\(p.sigma)")
        expectRelative(r.rateHz * g.dSigma, dSigma, 1e-12, "dν/dσ at μ=\(p.mu), σ=\(p.sigma)")
    }

    @Test func gainAgreesWithFiniteDifferencesOfTheLogRate() throws {
        for p in [LIFParameters(mu: 15, sigma: 5), LIFParameters(mu: 0, sigma: 0.5), LIFParameters(mu: 25, sigma: 0.3)] {
            let g = Siegert.logGain(p, try rate(p))
            let h = 1e-5 * p.sigma
            func lnNu(_ q: LIFParameters) throws -> Double { try rate(q).lnRateHz }
            var up = p, dn = p
            up.mu += h; dn.mu -= h
            expectRelative((try lnNu(up) - lnNu(dn)) / (2 * h), g.dMu, 1e-6, "d ln ν/dμ at σ=\(p.sigma)")
            up = p; dn = p; up.sigma += h; dn.sigma -= h
            expectRelative((try lnNu(up) - lnNu(dn)) / (2 * h), g.dSigma, 1e-6, "d ln ν/dσ at σ=\(p.sigma)")
        }
    }
}

/// THEORY §1.4: the limits the recipe must reproduce.
struct SiegertLimitTests {
    @Test func meanDrivenSmallNoise() throws {
        let ws = IntegrationWorkspace()
        for sigma in [0.1, 0.01, 1e-3, 1e-5] {
            let p = LIFParameters(mu: 25, sigma: sigma)
            let r = try Siegert.rate(p, workspace: ws)
            let d1 = p.mu - p.theta, d2 = p.mu - p.vReset
            let T = p.tauRef + p.tauM * (log(d2 / d1) - sigma * sigma / 4 * (1 / (d1 * d1) - 1 / (d2 * d2)))
            // The next neglected term is O(σ⁴).
            expectRelative(exp(r.lnMeanISI), T, max(1e-13, 10 * pow(sigma / d1, 4)), "T̄ at σ=\(sigma)")
            let cv = try Siegert.cv(p, r, workspace: ws)
            let nuTau = p.tauM / T
            let cvLinear = nuTau * (sigma * sigma / 2 * (1 / (d1 * d1) - 1 / (d2 * d2))).squareRoot()
            expectRelative(cv, cvLinear, max(1e-12, 2 * pow(sigma / d1, 2)), "CV at σ=\(sigma)")
        }
        // S5's deterministic limit 1000/(2 + 20 ln 3).
        let r = try Siegert.rate(LIFParameters(mu: 25, sigma: 1e-7), workspace: ws)
        expectRelative(r.rateHz, 41.7149068741483, 1e-12, "deterministic limit")
    }

    @Test func meanDrivenAsymptoticCVIsContinuous() throws {
        // Across |y_theta| = 1e6, where the CV switches from quadrature to the linear-noise form.
        let ws = IntegrationWorkspace()
        let pIn = LIFParameters(mu: 25, sigma: 5 / 0.99e6), pOut = LIFParameters(mu: 25, sigma: 5 / 1.01e6)
        let cvIn = try Siegert.cv(pIn, try Siegert.rate(pIn, workspace: ws), workspace: ws)
        let cvOut = try Siegert.cv(pOut, try Siegert.rate(pOut, workspace: ws), workspace: ws)
        expectRelative(cvIn / cvOut, 1.01e6 / 0.99e6, 1e-9, "CV ∝ σ across the switch")
    }

    @Test func subThresholdKramers() throws {
        for sigma in [1.0, 0.5, 0.1] {
            let p = LIFParameters(mu: 0, sigma: sigma)
            let r = try Siegert.rate(p, workspace: IntegrationWorkspace())
            let y = p.yTheta
            let kramers = -y * y + log(y / (p.tauM * Special.sqrtPi))
            // Relative corrections are O(1/y²) in ν.
            #expect(abs(r.lnRatePerMs - kramers) < 2 / (y * y), "Kramers at σ=\(sigma): \(r.lnRatePerMs) vs \(kramers)")
            let cv = try Siegert.cv(p, r, workspace: IntegrationWorkspace())
            expectRelative(cv, 1, 1e-10, "CV → 1 at σ=\(sigma)")
        }
    }

    @Test func largeNoise() throws {
        let p = LIFParameters(mu: 0, sigma: 1e6)
        let r = try Siegert.rate(p, workspace: IntegrationWorkspace())
        let T = p.tauRef + p.tauM * Special.sqrtPi * (p.theta - p.vReset) / p.sigma
        expectRelative(exp(r.lnMeanISI), T, 1e-4, "σ → ∞")
    }

    @Test func yThetaZeroIsContinuous() throws {
        let ws = IntegrationWorkspace()
        let at = LIFParameters(mu: 20, sigma: 4, tauRef: 0)
        let rAt = try Siegert.rate(at, workspace: ws), cvAt = try Siegert.cv(at, rAt, workspace: ws)
        for mu in [20 - 1e-9, 20 + 1e-9] {
            let p = LIFParameters(mu: mu, sigma: 4, tauRef: 0)
            let r = try Siegert.rate(p, workspace: ws)
            expectRelative(r.rateHz, rAt.rateHz, 1e-9, "rate across the A/C boundary")
            expectRelative(try Siegert.cv(p, r, workspace: ws), cvAt, 1e-9, "CV across the A/C boundary")
        }
    }

    @Test func narrowResetIntervalKeepsItsDigits() throws {
        // Case B with b - a ≪ 1: I(a, b) ≈ (b - a) F(b) to first order.
        let ws = IntegrationWorkspace()
        for (a, b) in [(0.1, 0.1001), (30.0, 30.000001), (3.0, 3.0 + 1e-9)] {
            let r = try Siegert.rate(LIFParameters(mu: 0, sigma: 1, theta: b, vReset: a), workspace: ws)
            let ref = try SiegertReference.scaledIntegral(a, b, ws)
            expectRelative(r.S, ref.S, 1e-12, "S(\(a), \(b))")
        }
    }
}
