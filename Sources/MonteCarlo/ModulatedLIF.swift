// Time-varying input for the LIF simulators, and the spectral observables of their spike trains.
//
// Modulation (`--modulate mu:EPS:F` or `sigma2:EPS:F`): μ(t) = μ + ε cos 2πFt [ε in mV] or
// σ²(t) = σ² + ε cos 2πFt [ε in mV²], t from the start of the run (burn-in included).
//   White noise: the OU step stays exact for the time-varying input. Over [t, t + Δt]:
//     V ← V e^{-Δt/τ} + μ(1 - e^{-Δt/τ}) + ε Re[e^{iωt} (e^{iωΔt} - e^{-Δt/τ})/(1 + iωτ)] + √var Z,
//     var = (σ²/2)(1 - e^{-2Δt/τ}) [+ ε Re[e^{iωt} (e^{iωΔt} - e^{-2Δt/τ})/(2 + iωτ)] for σ²(t)],
//   and the Brownian-bridge crossing test uses σ² at the middle of the step.
//   Coloured noise: the Euler step of V takes μ (or σ) at the middle of the step.
// Response (Fourier projection over whole periods): the first ⌊F T⌋ periods of the window give
//   ν1 = (2/(ε N T_p)) Σ_spikes e^{-iωt_k},
// the estimate of ν1 in ν(t) = ν0 + ε Re[ν1 e^{iωt}] (ν0 and the e^{-iωt} part integrate to zero over whole
// periods). A spike is dated at the middle of the step in which the threshold was crossed (the end of the step
// would lag the phase by ωΔt/2, 3 % of the imaginary part at 100 Hz and Δt = 0.1 ms).
// Spectrum at f (`--spectrum f1,f2,...`): per neuron the periodogram |Σ_k e^{-iωt_k}|²/T_f over the first
// ⌊f T⌋ periods (T_f), averaged over neurons; whole periods make the mean rate's line vanish exactly.
// Standard errors of both come from independent blocks, as every observable's.
import Foundation

public struct Modulation: Sendable, Equatable {
    public enum Target: String, Sendable, CaseIterable { case mu, sigma2 }
    public var target: Target
    public var amplitude: Double       // mV (mu) or mV² (sigma2)
    public var frequency: Double       // Hz
    public init(target: Target, amplitude: Double, frequency: Double) {
        self.target = target; self.amplitude = amplitude; self.frequency = frequency
    }

    /// The observables of a response to this modulation: names' stem and unit.
    public var stem: String { target == .mu ? "response_mu" : "response_sigma2" }
    public var unit: String { target == .mu ? "Hz/mV" : "Hz/mV^2" }
    public var unitSuffix: String { target == .mu ? "_hz_per_mv" : "_hz_per_mv2" }
}

/// Whole periods of f [Hz] in a window of T ms: their length in ms (0 if not even one fits).
public func wholePeriods(_ f: Double, window T: Double) -> Double {
    let periods = (f * T / 1000).rounded(.down)
    return periods * 1000 / f
}

/// ω t for f [Hz] and t [ms], reduced to [0, 2π) before the multiplication by 2π (t reaches 1e6 ms).
@inline(__always) func phase(_ f: Double, _ t: Double) -> Double {
    let cycles = f * t / 1000
    return 2 * Double.pi * (cycles - cycles.rounded(.down))
}

/// Per-block accumulators of the response projection and the per-neuron periodograms.
struct SpectralTaps {
    let modulation: Modulation?
    let projectionEnd: Double          // ms of window used for the response
    let frequencies: [Double], ends: [Double]
    let burnIn: Double, halfStep: Double
    var cosSum = 0.0, sinSum = 0.0
    /// Per lane and frequency: Σ cos, Σ sin of the spikes so far.
    var x: [Double]

    init(_ o: SimulationOptions, lanes: Int) {
        modulation = o.modulation
        projectionEnd = o.modulation.map { wholePeriods($0.frequency, window: o.time) } ?? 0
        frequencies = o.spectrumFrequencies
        ends = o.spectrumFrequencies.map { wholePeriods($0, window: o.time) }
        burnIn = o.burnIn; halfStep = o.dt / 2
        x = [Double](repeating: 0, count: 2 * lanes * o.spectrumFrequencies.count)
    }

    var isActive: Bool { modulation != nil || !frequencies.isEmpty }

    /// A spike in `lane` at window time t [ms] (the end of its step).
    @inline(__always) mutating func spike(lane: Int, at t: Double) {
        let tm = t - halfStep
        if let m = modulation, tm < projectionEnd {
            let a = phase(m.frequency, tm + burnIn)
            cosSum += cos(a); sinSum += sin(a)
        }
        for k in frequencies.indices where tm < ends[k] {
            let a = phase(frequencies[k], tm)
            let i = 2 * (lane * frequencies.count + k)
            x[i] += cos(a); x[i + 1] += sin(a)
        }
    }

    func finish(_ r: inout BlockResult, lanes: Int) {
        r.fourierCos = cosSum; r.fourierSin = sinSum
        r.periodogram = frequencies.indices.map { k in
            var s = 0.0
            for lane in 0..<lanes {
                let i = 2 * (lane * frequencies.count + k)
                s += x[i] * x[i] + x[i + 1] * x[i + 1]
            }
            return s / ends[k]
        }
    }
}

/// White-noise LIF step under a modulation: exact OU step, Brownian-bridge or grid crossing test.
struct ModulatedWhiteStep: MembraneStep {
    let mu, sigma2, theta, decay, dt, tauM: Double
    let bridge: Bool
    let modulation: Modulation
    /// (e^{iωΔt} - e^{-Δt/τ})/(1 + iωτ) for μ, (e^{iωΔt} - e^{-2Δt/τ})/(2 + iωτ) for σ².
    let kRe, kIm: Double
    /// cos ωt, sin ωt of the current step by rotation, re-anchored on the exact values every 1024 steps
    /// (the rotation alone would drift by ~1e-16 per step). Every block runs the same sequence.
    let rotCos, rotSin, halfCos, halfSin: Double
    var c = 1.0, s = 0.0
    var n = 0

    init(_ p: LIFModelParameters, _ o: SimulationOptions, _ m: Modulation) {
        mu = p.mu; sigma2 = p.sigma * p.sigma; theta = p.theta; dt = o.dt; tauM = p.tauM
        decay = Foundation.exp(-o.dt / p.tauM)
        bridge = o.scheme == .bridge
        modulation = m
        let w = 2 * Double.pi * m.frequency / 1000                 // rad/ms
        let (numRe, numIm, denRe) = m.target == .mu
            ? (cos(w * o.dt) - decay, sin(w * o.dt), 1.0)
            : (cos(w * o.dt) - decay * decay, sin(w * o.dt), 2.0)
        let denIm = w * p.tauM, den = denRe * denRe + denIm * denIm
        kRe = (numRe * denRe + numIm * denIm) / den
        kIm = (numIm * denRe - numRe * denIm) / den
        rotCos = cos(phase(m.frequency, o.dt)); rotSin = sin(phase(m.frequency, o.dt))
        halfCos = cos(phase(m.frequency, o.dt / 2)); halfSin = sin(phase(m.frequency, o.dt / 2))
    }

    @inline(__always) mutating func step(_ v: V8, _ normals: inout NormalBuffer, _ uniforms: inout LaneRNG) -> (V8, Mask8) {
        if n & 1023 == 0 {
            let a = phase(modulation.frequency, Double(n) * dt)
            c = cos(a); s = sin(a)
        }
        n += 1
        let inputTerm = modulation.amplitude * (c * kRe - s * kIm)      // ε Re[e^{iωt} K]
        var drift = mu * (1 - decay), variance = sigma2 * (1 - decay * decay) / 2
        var sigma2Mid = sigma2
        if modulation.target == .mu { drift += inputTerm } else {
            variance += inputTerm
            // cos ω(t + Δt/2) = cos ωt cos(ωΔt/2) - sin ωt sin(ωΔt/2), with the half-step rotation.
            sigma2Mid += modulation.amplitude * (c * halfCos - s * halfSin)
        }
        (c, s) = (c * rotCos - s * rotSin, s * rotCos + c * rotSin)
        let vn = v * decay + drift + variance.squareRoot() * normals.next()
        var crossed = vn .>= theta
        if bridge {
            // p = exp(-2τ(θ - V_n)(θ - V_{n+1})/(σ² Δt)) for two sub-threshold end points.
            let p = VectorMath.exp((-2 * tauM / (sigma2Mid * dt)) * (theta - v) * (theta - vn))
            crossed = crossed .| (uniforms.uniform() .< p)
        }
        return (vn, crossed)
    }
}
