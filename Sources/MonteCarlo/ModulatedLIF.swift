// Time-varying input for the LIF simulators, and the spectral observables of their spike trains.
//
// Modulation (`--modulate mu:EPS:F` or `sigma2:EPS:F`): μ(t) = μ + ε cos 2πFt [ε in mV] or
// σ²(t) = σ² + ε cos 2πFt [ε in mV²], t from the start of the run (burn-in included).
//   White noise: the C kernel's OU step stays exact for the time-varying input, from per-step tables
//   (ModulationTable below); the Brownian-bridge crossing test uses σ² at the middle of the step.
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

/// The white kernel's per-step inputs under a modulation (mc_kernels.h: w_drift_steps, noise_steps,
/// exponent_steps), filled chunk by chunk. Exact OU step: with w = θ - V,
///   w' = e^{-Δt/τ} w + (θ - μ)(1 - e^{-Δt/τ}) - ε Re[e^{iωt} K] + √var Z,
///   K = (e^{iωΔt} - e^{-Δt/τ})/(1 + iωτ) for μ(t); for σ²(t) the variance var = (σ²/2)(1 - e^{-2Δt/τ}) gains
///   ε Re[e^{iωt} (e^{iωΔt} - e^{-2Δt/τ})/(2 + iωτ)];
/// the bridge exponent -2τ/(σ² Δt) takes σ² at the middle of the step.
/// e^{iωt} comes by rotation from exact values at every 1024th step: a pure function of the step index, so the
/// chunking (which differs with the thread count) never changes a value.
struct ModulationTable {
    static let chunk = 4096
    let modulation: Modulation
    let dt, tauM, sigma2, baseDrift, baseVariance: Double
    let kRe, kIm, rotCos, rotSin, halfCos, halfSin: Double
    let wDrift, noise, exponent: UnsafeMutablePointer<Double>

    init(_ p: LIFModelParameters, _ o: SimulationOptions, _ m: Modulation) {
        modulation = m; dt = o.dt; tauM = p.tauM; sigma2 = p.sigma * p.sigma
        let decay = Foundation.exp(-o.dt / p.tauM)
        baseDrift = -(p.theta - p.mu) * Foundation.expm1(-o.dt / p.tauM)
        baseVariance = sigma2 * (1 - decay * decay) / 2
        let w = 2 * Double.pi * m.frequency / 1000                 // rad/ms
        let (numRe, numIm, denRe) = m.target == .mu
            ? (cos(w * o.dt) - decay, sin(w * o.dt), 1.0)
            : (cos(w * o.dt) - decay * decay, sin(w * o.dt), 2.0)
        let denIm = w * p.tauM, den = denRe * denRe + denIm * denIm
        kRe = (numRe * denRe + numIm * denIm) / den
        kIm = (numIm * denRe - numRe * denIm) / den
        rotCos = cos(phase(m.frequency, o.dt)); rotSin = sin(phase(m.frequency, o.dt))
        halfCos = cos(phase(m.frequency, o.dt / 2)); halfSin = sin(phase(m.frequency, o.dt / 2))
        wDrift = .allocate(capacity: Self.chunk)
        noise = .allocate(capacity: Self.chunk)
        exponent = .allocate(capacity: Self.chunk)
    }

    func release() { wDrift.deallocate(); noise.deallocate(); exponent.deallocate() }

    /// Fills entries 0..<count with the steps start..<start + count (indices from the start of the run).
    func fill(from start: Int, count: Int) {
        precondition(count <= Self.chunk)
        let anchor = start - start % 1024
        var a = phase(modulation.frequency, Double(anchor) * dt)
        var c = cos(a), s = sin(a)
        for _ in anchor..<start { (c, s) = (c * rotCos - s * rotSin, s * rotCos + c * rotSin) }
        for k in 0..<count {
            let n = start + k
            if n % 1024 == 0 { a = phase(modulation.frequency, Double(n) * dt); c = cos(a); s = sin(a) }
            let input = modulation.amplitude * (c * kRe - s * kIm)                      // ε Re[e^{iωt} K]
            if modulation.target == .mu {
                wDrift[k] = baseDrift - input
                noise[k] = baseVariance.squareRoot()
                exponent[k] = -2 * tauM / (sigma2 * dt)
            } else {
                wDrift[k] = baseDrift
                noise[k] = (baseVariance + input).squareRoot()
                // cos ω(t + Δt/2) by the half-step rotation.
                exponent[k] = -2 * tauM / ((sigma2 + modulation.amplitude * (c * halfCos - s * halfSin)) * dt)
            }
            (c, s) = (c * rotCos - s * rotSin, s * rotCos + c * rotSin)
        }
    }
}
