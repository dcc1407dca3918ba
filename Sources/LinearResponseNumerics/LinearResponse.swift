// Linear response and spike-train spectrum of the white-noise LIF (THEORY §0.2 conventions), exact up to
// rounding, by threshold integration (Richardson, Phys. Rev. E 76, 021919, 2007) with a Taylor-series
// integrator. Units inside: y = (V - μ)/σ, time in units of τ_m; Hz and mV appear only in `Result`.
//
// Model. τ_m dV/dt = μ(t) - V + σ(t) √τ_m ξ(t), threshold θ, reset V_r, refractory τ_ref. In y and s = t/τ_m
// the Fokker–Planck flux is j = -(y p + p'/2) (p: density per unit y, ' = d/dy), ∂_s p = -∂_y j.
//   Stationary, normalised to the threshold flux j0 = 1 (p0 is then the density per unit of ν0 τ_m):
//     p0(y) = 2 e^{-y²} ∫_{max(y, y_r)}^{y_θ} e^{u²} du  (j0 = 1 on (y_r, y_θ), 0 below y_r).
//   First order in a modulation ε e^{iωt} (ŵ = ω τ_m): i ŵ p1 = -j1', j1 = -(y p1 + p1'/2) + ε f, with
//     f = p0/σ                        for μ(t) = μ + ε e^{iωt}      [ε in mV],
//     f = -p0'/(2σ²) = (y p0 + j0)/σ² for σ²(t) = σ² + ε e^{iωt}   [ε in mV²];
//   p1(y_θ) = 0, j1(y_θ) = ν1 τ_m (the rate is the threshold flux), j1 → 0 as y → -∞, and at y_r the
//   reset re-injects the flux that left τ_ref earlier: j1 drops by ν1 τ_m e^{-iŵ τ_ref/τ_m} going below y_r.
//   That phase factor is what NNMT's closed form leaves out (our f → 0 limit is then ∂ν/∂μ exactly).
//
// Threshold integration. Integrate downward from y_θ, as ODEs p' = -2(y p + j - f), j' = -iŵ p:
//   a: p = 0, j = 1 at y_θ, no forcing, j -= E = e^{-iŵ τ_ref/τ_m} at y_r  (the unit-rate solution);
//   r: p = 0, j = 1 at y_r, no forcing                                  (a unit source at the reset);
//   b_μ, b_σ²: p = j = 0 at y_θ, forcing f, no jump.
// The physical solution ν1 τ_m a + b has j → 0 at -∞: ν1/ν0 = -j_b/j_a at the bottom (per unit of ν0:
// b is driven by p0 normalised to j0 = 1). A unit source at y_r with absorbing θ leaks j_r/j_h of it through
// θ, j_h = j_a + E j_r, so the ISI density has the Fourier transform F = E j_r/j_h and, for the renewal
// spike train, S(ω)/ν0 = Re[(1 + F)/(1 - F)] = 1 + 2 Re[E j_r / j_a].
// Downward is the stable direction: every solution is dominated there by the mode that does not vanish at
// -∞ (a slowly turning j ~ |y|^{iŵ}), the other mode decays (Richardson 2007, §II). The bottom is where p0
// has fallen by e^{-46} below its value at max(0, y_r)-ish: y_low = -√(min(y_r, 0)² + 46); the decaying
// mode left in j there is below 1e-19 of the answer.
//
// Rounding. j is carried as c + u, c the constant part (1, 1 - E, 0) and u the integral of -iŵ p, so that
// j_a = (1 - E) + u_a keeps its digits when ŵ → 0 (both parts are O(ŵ)); 1 - E = 2 sin²(φ/2) + i sin φ.
// p0 and its Taylor coefficients come from the closed form at every step (Dawson function, as THEORY §1.3
// evaluates the density), so no error accumulates in the forcing. p0 spans e^{y_θ²} (bulk over threshold
// region) when ν0 underflows, and the threshold region matters (Kramers: the response is made there): p0 is
// taken in a scale local to each step, and each solution is stored as e^{lnScale} times its true size,
// rescaled when it grows beyond 1e150 (the Gaussian mode grows as e^{y_θ²} below a high threshold, the
// oscillating one as e^{√ŵ Δy} at high frequency) or when the forcing outgrows it.
//
// Taylor integrator (hand-written rather than GSL's odeiv2: the coefficients of the system are linear in y, so its
// Taylor coefficients follow from a two-term recurrence and one step spans ρ = 3 local scales at order ~30;
// odeiv2 was not measured against it):
// about y0 with step h and scaled coefficients a_k = p_k h^k, υ_k = u_k h^k,
//   (k+1) a_{k+1} = -2h (y0 a_k + h a_{k-1} + [k=0] c + υ_k - w F_k h^k),   (k+1) υ_{k+1} = -iŵ h a_k.
// The step keeps h (2|y0| + √(2ŵ) + 2) ≤ ρ = 3, where the terms fall like ρ^k/k! (ρ = 2 took 1.3× the time for the
// same accuracy against the 30-digit reference); the sum stops when a term is below 1e-18 of the largest state.
// The four solutions run side by side in SIMD lanes (one loop for all, ~2× over four loops).
import ComplexModule
import RealModule
import Foundation
import GSLSupport
import SiegertNumerics

public enum LinearResponse {
    public typealias C = Complex<Double>

    /// The response of the rate and the spectrum at one frequency, relative to the stationary rate ν0.
    public struct Result: Sendable {
        /// ν1/ν0 for a modulation of μ [1/mV] and of σ² [1/mV²], convention ν(t) = ν0 + ε Re[ν1 e^{iωt}].
        public let relativeMu: C, relativeSigma2: C
        /// S(ω)/ν0 of the spike train (→ 1 as ω → ∞, → CV² as ω → 0).
        public let relativeSpectrum: Double
        /// Fourier transform of the ISI density at ω (reset phase included).
        public let isiTransform: C
        /// Taylor steps taken (work measure).
        public let steps: Int
        public init(relativeMu: C, relativeSigma2: C, relativeSpectrum: Double, isiTransform: C, steps: Int) {
            self.relativeMu = relativeMu; self.relativeSigma2 = relativeSigma2; self.relativeSpectrum = relativeSpectrum
            self.isiTransform = isiTransform; self.steps = steps
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case tooManySteps(predicted: Double), notFinite
        public var description: String {
            switch self {
            case .tooManySteps(let n):
                // Formatted as a double: n is NaN or inf for infinite f·τ_m, and Int(n) would trap.
                let count = n.isFinite ? String(format: "%.3g", n) : "unboundedly many"
                return "the threshold integration would take \(count) Taylor steps (limit \(maxSteps)): "
                    + "its work grows as y_theta^2 and y_reset^2 (y = (V - mu)/sigma) and as sqrt(f tau_m)"
            case .notFinite: return "threshold integration produced a non-finite value"
            }
        }
    }

    /// Taylor steps of a point: ∫ (2|y| + Λ)/ρ dy from y_low to y_θ, Λ = √(2ŵ) + 2 (the step rule below).
    public static func predictedSteps(yTheta yT: Double, yReset yR: Double, omegaTauM w: Double,
                                      rho: Double = 3) -> Double {
        let yLow = -((min(yR, 0) * min(yR, 0)) + 46).squareRoot(), lambda = (2 * w).squareRoot() + 2
        let antiderivative = { (y: Double) in y * abs(y) + lambda * y }
        return (antiderivative(yT) - antiderivative(yLow)) / rho + 2
    }

    /// At most 2·10⁵ steps (~0.1 s): a point beyond is refused before any work, so that no row of a batch stalls
    /// (σ → 0 makes the Gaussian mode stiff: steps ~ y², e.g. 10⁶ for y_r = -2000).
    public static let maxSteps = 200_000
    static let maxTerms = 60

    /// The four solutions a, r, b_μ, b_σ² side by side in SIMD lanes (same recurrence, one loop): p, j = c + u,
    /// each lane stored as e^{lnScale} times its true size; w is each lane's forcing weight in that storage.
    struct Solutions {
        typealias V = SIMD4<Double>
        static let a = 0, r = 1, bMu = 2, bS2 = 3
        var pRe = V(), pIm = V(), uRe = V(), uIm = V(), cRe = V(), cIm = V()
        var lnScale = V()
        var w = V()
        func j(_ l: Int) -> C { C(cRe[l] + uRe[l], cIm[l] + uIm[l]) }
        mutating func scale(_ l: Int, lnFactor x: Double) {
            let f = exp(x)
            pRe[l] *= f; pIm[l] *= f; uRe[l] *= f; uIm[l] *= f; cRe[l] *= f; cIm[l] *= f
            lnScale[l] += x
        }
        func magnitude(_ l: Int) -> Double {
            max(abs(pRe[l]), abs(pIm[l]), abs(uRe[l]), abs(uIm[l]), abs(cRe[l]), abs(cIm[l]))
        }
        mutating func rescaleIfLarge() {
            for l in 0..<4 { let m = magnitude(l); if m > 1e150 { scale(l, lnFactor: -log(m)) } }
        }
    }

    /// ln p0(y) (normalised to j0 = 1 above y_r) from the closed form of THEORY §1.3:
    /// p0 = 2 e^{M - y²}[e^{y_θ² - M} D(y_θ) - e^{l² - M} D(l)], l = max(y, y_r), M = max(y_θ², l²), every exponent a
    /// difference of squares, the bracket in [0, 1]. -inf at the threshold.
    /// D(y_θ) and D(y_r) are the caller's (`dT`, `dR`): only D(y) above the reset changes from step to step.
    @inline(__always) static func lnP0(_ y: Double, yT: Double, yR: Double, dT: Double, dR: Double) -> Double {
        let l = max(y, yR)
        let dL = y > yR ? GSL.dawson(y) : dR
        let bracket: Double, lead: Double
        if yT * yT >= l * l {
            lead = (yT - y) * (yT + y)
            bracket = dT - exp((l - yT) * (l + yT)) * dL
        } else {
            lead = (l - y) * (l + y)
            bracket = exp((yT - l) * (yT + l)) * dT - dL
        }
        return bracket > 0 ? M_LN2 + lead + log(bracket) : -.infinity
    }

    /// Threshold integration at ŵ = ω τ_m for the thresholds y_θ > y_r and the reset phase φ = ω τ_ref.
    /// `rho` is the step's reach (h·scale); tests compare ρ = 3 with the six times shorter steps of ρ = 0.5.
    public static func relative(yTheta yT: Double, yReset yR: Double, omegaTauM w: Double, phase phi: Double,
                                sigma: Double, rho: Double = 3) throws -> Result {
        let predicted = predictedSteps(yTheta: yT, yReset: yR, omegaTauM: w, rho: rho)
        guard predicted <= Double(maxSteps) else { throw Failure.tooManySteps(predicted: predicted) }
        let yLow = -((min(yR, 0) * min(yR, 0)) + 46).squareRoot()
        // E = e^{-iφ}; 1 - E without cancellation.
        let sinHalf = sin(phi / 2)
        let oneMinusE = C(2 * sinHalf * sinHalf, sin(phi))
        let e = C(cos(phi), -sin(phi))

        let dT = GSL.dawson(yT), dR = GSL.dawson(yR)
        var z = Solutions()
        z.cRe[Solutions.a] = 1
        var rStarted = false
        if !(yR < yT) {
            // y_r and y_θ rounded to the same double (θ - V_r below the rounding of μ/σ): the reset is at threshold.
            z.cRe[Solutions.a] = oneMinusE.real; z.cIm[Solutions.a] = oneMinusE.imaginary
            z.cRe[Solutions.r] = 1
            rStarted = true
        }
        let lambdaOmega = (2 * w).squareRoot() + 2

        // Scratch for the Taylor coefficients of p0 (real) per step.
        var pk = [Double](repeating: 0, count: maxTerms + 2)
        var y = yT, steps = 0
        while y > yLow {
            let atOrAboveReset = y > yR && !rStarted
            let stop = atOrAboveReset ? yR : yLow
            var h = -rho / (2 * abs(y) + lambdaOmega)
            // The last step of a segment lands exactly on its end (y + (stop - y) may round past it).
            let lands = y + h <= stop
            if lands { h = stop - y }
            // p0 in the local scale e^{lp}, lp = max(ln p0, ln j0): p0 and j0 are both ≤ 1 there, so neither
            // overflows and the one that matters is never lost (p0 near a high threshold is e^{-y_θ²} of its
            // bulk, yet its forcing is what the response there is made of).
            let lnP = lnP0(y, yT: yT, yR: yR, dT: dT, dR: dR)
            let lp = atOrAboveReset ? max(lnP, 0) : lnP
            let j0 = atOrAboveReset ? exp(-lp) : 0
            pk[0] = lnP == -.infinity ? 0 : exp(lnP - lp)
            pk[1] = -2 * h * (y * pk[0] + j0)
            var n = 1
            var largest = max(abs(pk[0]), abs(pk[1]))
            while n < maxTerms {
                let next = -2 * h * (y * pk[n] + h * pk[n - 1]) / Double(n + 1)
                pk[n + 1] = next
                n += 1
                largest = max(largest, abs(next))
                if abs(next) <= 1e-18 * largest && abs(pk[n - 1]) <= 1e-18 * largest { break }
            }
            pk[n + 1] = 0                      // terms past n are below rounding: the forcing ends there
            // Forcing f_μ = p0/σ, f_σ² = (y p0 + j0)/σ², in each solution's own scale: a solution smaller than
            // the new forcing is first scaled up to it.
            for (l, divisor) in [(Solutions.bMu, sigma), (Solutions.bS2, sigma * sigma)] {
                var lnForcing = lp + z.lnScale[l]
                if lnForcing > 0 { z.scale(l, lnFactor: -lnForcing); lnForcing = 0 }
                z.w[l] = exp(lnForcing) / divisor
            }
            advance(&z, h: h, y: y, w: w, pk: pk, terms: n + 1, j0: j0)
            y = lands ? stop : y + h
            steps += 1
            if steps > 2 * maxSteps { throw Failure.tooManySteps(predicted: Double(steps)) }     // not reached
            if y == yR && atOrAboveReset {
                // Crossing the reset going down: the re-injected flux E leaves j_a (its constant part was
                // 1 in the scale of a), and r starts here.
                let s = exp(z.lnScale[Solutions.a])
                z.cRe[Solutions.a] = oneMinusE.real * s; z.cIm[Solutions.a] = oneMinusE.imaginary * s
                z.cRe[Solutions.r] = 1
                rStarted = true
            }
        }
        guard rStarted else { throw Failure.notFinite }      // unreachable: y_low < y_r and the loop lands on it
        let ja = z.j(Solutions.a), jr = z.j(Solutions.r)
        let lnA = z.lnScale[Solutions.a]
        let relMu = (z.j(Solutions.bMu) / ja).multiplied(by: -exp(lnA - z.lnScale[Solutions.bMu]))
        let relS2 = (z.j(Solutions.bS2) / ja).multiplied(by: -exp(lnA - z.lnScale[Solutions.bS2]))
        let ejrOverJa = (e * jr / ja).multiplied(by: exp(lnA - z.lnScale[Solutions.r]))
        let spectrum = 1 + 2 * ejrOverJa.real
        // F = E j_r/j_h, j_h = j_a + E j_r.
        let isi = ejrOverJa / (1 + ejrOverJa)
        guard relMu.isFinite, relS2.isFinite, spectrum.isFinite else { throw Failure.notFinite }
        return Result(relativeMu: relMu, relativeSigma2: relS2, relativeSpectrum: spectrum, isiTransform: isi,
                      steps: steps)
    }

    /// One Taylor step of the four solutions from y to y + h (coefficients of p0 in `pk`, scaled by h^k, the
    /// first `terms` of them non-zero). Real and imaginary parts in lanes: the loop is the estimator's whole cost.
    @inline(__always)
    static func advance(_ z: inout Solutions, h: Double, y: Double, w: Double, pk: [Double], terms: Int, j0: Double) {
        typealias V = Solutions.V
        var aRe = z.pRe, aIm = z.pIm, uRe = z.uRe, uIm = z.uIm
        var prevRe = V(), prevIm = V()
        var pRe = aRe, pIm = aIm, sumURe = uRe, sumUIm = uIm
        var scale = V(repeating: 1e-300)
        for l in 0..<4 { scale[l] = max(z.magnitude(l), abs(z.w[l]) * abs(pk[0]), 1e-300) }
        let threshold2 = (1e-18 * scale) * (1e-18 * scale)
        let wMu = z.w[Solutions.bMu], wS2 = z.w[Solutions.bS2]
        var k = 0
        while k < maxTerms {
            var f = V()
            if k < terms {
                f[Solutions.bMu] = wMu * pk[k]
                f[Solutions.bS2] = wS2 * (y * pk[k] + (k > 0 ? h * pk[k - 1] : j0))
            }
            var rRe = aRe * y + prevRe * h + uRe - f, rIm = aIm * y + prevIm * h + uIm
            if k == 0 { rRe += z.cRe; rIm += z.cIm }
            let g = -2 * h / Double(k + 1), q = w * h / Double(k + 1)
            let nextRe = rRe * g, nextIm = rIm * g
            // u_{k+1} = -iŵ a_k h/(k+1): (re, im) ← ŵ h/(k+1) (im, -re).
            let nuRe = aIm * q, nuIm = -aRe * q
            pRe += nextRe; pIm += nextIm; sumURe += nuRe; sumUIm += nuIm
            prevRe = aRe; prevIm = aIm; aRe = nextRe; aIm = nextIm; uRe = nuRe; uIm = nuIm
            k += 1
            // Squared sizes: the generic pointwiseMax of SIMD4 is an uninlined call (measured: half the time).
            let t2 = aRe * aRe + aIm * aIm + uRe * uRe + uIm * uIm + prevRe * prevRe + prevIm * prevIm
            if k > 2 && k >= terms && all(t2 .<= threshold2) { break }
        }
        z.pRe = pRe; z.pIm = pIm; z.uRe = sumURe; z.uIm = sumUIm
        z.rescaleIfLarge()
    }
}
