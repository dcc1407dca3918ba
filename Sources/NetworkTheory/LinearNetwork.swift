// Linear stability and population-rate spectra of a working point, from the single-neuron rate response.
//
// Effective connectivity at frequency f (Brunel & Hakim 1999; Lindner, Doiron & Longtin 2005; Trousdale et al.
// 2012), from the diffusion approximation of the input, mu_a(t) = tau_a sum_b K_ab J_ab nu_b(t - d_ab) and
// sigma_a^2(t) = tau_a sum_b K_ab J_ab^2 nu_b(t - d_ab):
//     M_ab(f) = tau_a K_ab [J_ab chi^mu_a(f) + J_ab^2 chi^sigma2_a(f)] exp(-2 pi i f d_ab) / (1 + 2 pi i f tau_s,a),
// chi the linear-response estimator's rate response to mu(t) [Hz/mV] and to sigma^2(t) [Hz/mV^2], the last factor
// the exponential synapse's filter of the presynaptic rate (1 for delta synapses). By default the mu channel only,
// as NNMT: with delta synapses the white-noise response to sigma^2 does not decay with frequency (the rate follows
// a noise-intensity step instantly), so M(i omega) keeps a modulus near K J^2 tau chi^sigma2(inf) at every
// frequency and the delay turns it round forever: a continuum of barely damped (or growing) fast modes that real
// synapses, with their finite rise, do not have. --sigma2-channel includes it.
//
// Stability (Nyquist): g(s) = det(1 - M(s)) is analytic in Re s > 0 (causal responses, delays), g -> 1 as
// |s| -> inf, so the number of unstable modes is Z = -(1/pi) [arg g(i omega)]_{omega = 0}^{inf} (the change of the
// unwrapped phase along the positive frequency axis; g(-i omega) = conj g(i omega) gives the other half). Above
// f_c, where the row-sum norm of M stays below 0.999, g lies in a region where log det(1 - M) = -sum_k tr(M^k)/k
// converges: that series gives the phase there on the branch that returns to arg 1 = 0 (the far end of the
// contour) without winding. Below f_c the frequencies are refined until consecutive phases differ by < pi/8.
// The growing mode: at the minimum of |g(i omega)|, one Newton step off the axis, s = i omega - g / g'(s) with
// g' = -i dg/domega, estimates its frequency and growth rate (first order: exact as the mode approaches the axis).
//
// Spectra: the population-averaged rate of N_b independent neurons fluctuates with S_b(f)/N_b, S_b the stationary
// spike-train spectrum (the estimator's spectrum_hz; a Poisson spectrum nu_b if it has none); the network filters
// it, P = Q diag(S_b / N_b) Q^H with Q = (1 - M)^-1, and the power spectrum of population a's rate is P_aa [Hz].
import ComplexModule
import Foundation
import WorkbenchCore

public struct NetworkStability: Sendable {
    public var stable: Bool
    public var unstableModes: Int
    /// The growing (or least damped) mode's frequency [Hz] and growth rate [1/s], first-order estimates.
    public var modeFrequency: Double, modeGrowthRate: Double
    /// Frequencies evaluated (the refinement's work) and whether the sigma^2 channel was included.
    public var frequenciesEvaluated: Int
    public var sigma2Channel: Bool
    /// The response estimator's warnings at the mode's frequency (e.g. outside its validity there).
    public var warningsAtMode: [String]
}

public struct NetworkSpectra: Sendable {
    public var frequencies: [Double]
    /// power[a][k]: power spectrum of population a's rate at frequencies[k] [Hz].
    public var power: [[Double]]
    public var poissonSingleNeuron: Bool
    /// |Q(f) - 1| and the collective input spectra [mV^2/Hz] per population (LinearNetwork.spectra).
    public var amplification: [Double] = []
    public var collectiveInput: [[Double]] = []
}

struct LinearNetwork {
    let network: NetworkModel
    let theory: PopulationEstimator
    let point: WorkingPoint
    let muRe: Int, muIm: Int, s2Re: Int?, s2Im: Int?, spectrum: Int?

    init(network: NetworkModel, theory: PopulationEstimator, point: WorkingPoint, sigma2Channel: Bool) throws {
        (self.network, self.theory, self.point) = (network, theory, point)
        guard let re = theory.output("response_mu_re_hz_per_mv"), let im = theory.output("response_mu_im_hz_per_mv")
        else {
            throw WorkbenchError.badInput(
                "the response estimator '\(theory.estimator.name)' has no outputs "
                    + "response_mu_re_hz_per_mv and response_mu_im_hz_per_mv")
        }
        (muRe, muIm) = (re, im)
        s2Re = sigma2Channel ? theory.output("response_sigma2_re_hz_per_mv2") : nil
        s2Im = sigma2Channel ? theory.output("response_sigma2_im_hz_per_mv2") : nil
        if sigma2Channel && (s2Re == nil || s2Im == nil) {
            throw WorkbenchError.badInput(
                "--sigma2-channel: the response estimator '\(theory.estimator.name)' has no "
                    + "outputs response_sigma2_re_hz_per_mv2 and response_sigma2_im_hz_per_mv2")
        }
        spectrum = theory.output("spectrum_hz")
    }

    var n: Int { network.count }

    /// M(f) (row-major) and the single-neuron spectra at each frequency.
    func connectivity(_ freqs: [Double]) throws -> (m: [[Complex<Double>]], single: [[Double]]) {
        var points: [(population: Int, mu: Double, sigma: Double, f: Double)] = []
        for f in freqs { for a in 0..<n { points.append((a, point.mu[a], point.sigma[a], f)) } }
        let want = [
            "response_mu_re_hz_per_mv", "response_mu_im_hz_per_mv", "response_sigma2_re_hz_per_mv2",
            "response_sigma2_im_hz_per_mv2", "spectrum_hz",
        ]
        let batch = try theory.evaluate(points, want: want, names: network.populations.map(\.name))
        var ms: [[Complex<Double>]] = [], singles: [[Double]] = []
        for (k, f) in freqs.enumerated() {
            var m = [Complex<Double>](repeating: .zero, count: n * n)
            var single = [Double](repeating: 0, count: n)
            for a in 0..<n {
                let row = k * n + a
                let chiMu = Complex(batch.value(row, muRe), batch.value(row, muIm))
                let chiS2 =
                    s2Re.flatMap { re in s2Im.map { Complex(batch.value(row, re), batch.value(row, $0)) } } ?? .zero
                let tau = network.populations[a].tauM * 1e-3
                // Exponential synapses low-pass the presynaptic rate before it modulates mu (NNMT's synaptic_filter).
                let filter = Complex<Double>(1) / Complex(1, 2 * Double.pi * f * network.populations[a].tauS * 1e-3)
                for b in 0..<n where network.indegree[a][b] != 0 {
                    let w = network.weight[a][b], phase = -2 * Double.pi * f * network.delay[a][b] * 1e-3
                    let response = (chiMu * Complex(w) + chiS2 * Complex(w * w)) * filter
                    m[a * n + b] = response * Complex(tau * network.indegree[a][b]) * Complex(cos(phase), sin(phase))
                }
                single[a] = spectrum.map { batch.value(row, $0) } ?? point.rates[a]
            }
            ms.append(m)
            singles.append(single)
        }
        return (ms, singles)
    }

    func rowSumNorm(_ m: [Complex<Double>]) -> Double {
        (0..<n).map { a in (0..<n).reduce(0.0) { $0 + m[a * n + $1].length } }.max() ?? 0
    }

    /// arg det(1 - M) on the branch continuous with arg 1 = 0 inside the disk rho(M) < 1:
    /// Im log det(1 - M) = -Im sum_k tr(M^k)/k, which converges there (rowSum is a bound of rho).
    func seriesPhase(_ m: [Complex<Double>], rowSum: Double) -> Double {
        var power = m, sum = Complex<Double>.zero
        var bound = rowSum
        for k in 1...60_000 {
            var trace = Complex<Double>.zero
            for i in 0..<n { trace += power[i * n + i] }
            sum += trace / Complex(Double(k))
            bound *= rowSum
            if Double(n) * bound / Double(k + 1) < 1e-13 { break }
            var next = [Complex<Double>](repeating: .zero, count: n * n)
            for i in 0..<n {
                for l in 0..<n where power[i * n + l] != .zero {
                    for j in 0..<n { next[i * n + j] += power[i * n + l] * m[l * n + j] }
                }
            }
            power = next
        }
        return -sum.imaginary
    }

    func stability() throws -> NetworkStability {
        // A coarse grid (f = 0, then 20 per decade from 0.1 Hz to 10 MHz) locates f_c, above which the row-sum norm
        // of M stays below 0.999 (|M| does not depend on the delays, so it is smooth in f and the grid suffices).
        let coarse = [0.0] + (0...160).map { 0.1 * pow(10, Double($0) / 20) }
        let coarseM = try connectivity(coarse).m
        let norms = coarseM.map(rowSumNorm)
        guard norms.last! < 1 else {
            throw WorkbenchError.badInput(
                "the effective connectivity does not decay at high frequency (row-sum norm "
                    + "\(formatSignificant(norms.last!, 3)) at 10 MHz, from the instantaneous sigma^2 response of "
                    + "white "
                    + "noise): the diffusion approximation predicts growing modes at every high frequency here; use "
                    + "exponential synapses (tau_s > 0) or --no-stability")
        }
        let c = min((norms.lastIndex { $0 >= 0.999 }).map { $0 + 1 } ?? 0, coarse.count - 1)
        var g: [Double: Complex<Double>] = [:]
        for (f, m) in zip(coarse, coarseM) { g[f] = LinearAlgebra.identityMinus(m, n: n).det }
        // Below f_c: the coarse grid, plus a linear grid fine enough that the longest delay turns M by < pi/8.
        let longest = network.delay.joined().max() ?? 0
        var freqs = Array(coarse[0...c])
        if longest > 0 && coarse[c] > 0 {
            let step = 1 / (16 * longest * 1e-3)
            let linear = stride(from: step, to: coarse[c], by: step).filter { !g.keys.contains($0) }
            for (f, m) in zip(linear, try connectivity(Array(linear)).m) {
                g[f] = LinearAlgebra.identityMinus(m, n: n).det
            }
            freqs = (freqs + linear).sorted()
        }
        // Refine [0, f_c] where the phase moves by pi/8 or more between neighbours (delays rotate M quickly).
        for _ in 0..<24 {
            var mids: [Double] = []
            for k in 1..<freqs.count {
                let a = g[freqs[k - 1]]!, b = g[freqs[k]]!
                if abs((b / a).phase) >= Double.pi / 8 && freqs[k] - freqs[k - 1] > 1e-9 * freqs[k] {
                    mids.append(0.5 * (freqs[k - 1] + freqs[k]))
                }
            }
            if mids.isEmpty { break }
            guard freqs.count + mids.count <= 200_000 else {
                throw WorkbenchError.badInput("the phase of det(1 - M) could not be resolved with 200000 frequencies")
            }
            for (f, m) in zip(mids, try connectivity(mids).m) { g[f] = LinearAlgebra.identityMinus(m, n: n).det }
            freqs = (freqs + mids).sorted()
        }
        var phase = 0.0
        for k in freqs.indices.dropFirst() { phase += (g[freqs[k]]! / g[freqs[k - 1]]!).phase }
        // From f_c on, g stays where the series gives its phase, and returns to arg 1 = 0 without winding.
        phase -= seriesPhase(coarseM[c], rowSum: norms[c])
        let modes = Int((-phase / Double.pi).rounded())
        // The least stable mode. det(1 - M(0)) < 0 while g -> 1 along the positive real axis: a real root s > 0, a
        // non-oscillating growing mode (frequency 0, growth rate not estimated). Otherwise the minimum of |g| on the
        // axis, one Newton step off it.
        if g[0]!.real < 0 {
            return try finish(modes: modes, frequency: 0, growth: .nan, evaluated: g.count)
        }
        let k = freqs.indices.min { g[freqs[$0]]!.length < g[freqs[$1]]!.length }!
        let lo = max(k - 1, 0), hi = min(k + 1, freqs.count - 1)
        var modeFrequency = freqs[k], growth = 0.0
        if hi > lo {
            let dg = (g[freqs[hi]]! - g[freqs[lo]]!) / Complex(2 * Double.pi * (freqs[hi] - freqs[lo]))
            let s = Complex(0, 2 * Double.pi * freqs[k]) - Complex(0, 1) * g[freqs[k]]! / dg
            // The step is trusted only while it stays near the sampled band (it extrapolates from one point).
            let f = abs(s.imaginary) / (2 * Double.pi)
            if s.real.isFinite && f.isFinite && f <= 2 * freqs[hi] {
                modeFrequency = f; growth = s.real
            } else {
                growth = .nan
            }
        }
        return try finish(modes: modes, frequency: modeFrequency, growth: growth, evaluated: g.count)
    }

    func finish(modes: Int, frequency: Double, growth estimate: Double, evaluated: Int) throws -> NetworkStability {
        // A first-order growth rate whose sign contradicts the count is not reported.
        let growth = (modes > 0) == (estimate > 0) ? estimate : .nan
        // Whether the response estimator vouches for itself at the mode's frequency (a low-frequency theory such as
        // the coloured-noise shift may predict a fast mode where it no longer holds).
        let at = (0..<n).map { (population: $0, mu: point.mu[$0], sigma: point.sigma[$0], f: frequency) }
        let check = try theory.evaluate(at, want: ["rate_hz"], names: network.populations.map(\.name))
        let warnings = Array(Set((0..<n).flatMap { theory.estimator.warningTexts(check.status[$0]) })).sorted()
        return NetworkStability(
            stable: modes == 0, unstableModes: modes, modeFrequency: frequency,
            modeGrowthRate: growth, frequenciesEvaluated: evaluated,
            sigma2Channel: s2Re != nil && s2Im != nil, warningsAtMode: warnings)
    }

    /// Also, per frequency, what `validate network` needs for its model errors: the amplification |Q - 1| (row-sum
    /// norm: a relative error e of M changes P by about 2 e |Q - 1|), and per population the spectrum of the
    /// collective part of its mean input, S_mu_a = sum_bc W_ab (P - D)_bc conj(W_ac) [mV^2/Hz] with
    /// W_ab = tau_a K_ab J_ab e^{-2 pi i f d_ab} / (1 + 2 pi i f tau_s,a) and D = diag(S_b / N_b): the input
    /// fluctuations that the rate fluctuations of the populations cause beyond independent spiking, which the
    /// mean field (independent Poisson inputs) leaves out.
    func spectra(_ freqs: [Double]) throws -> NetworkSpectra {
        let (ms, singles) = try connectivity(freqs)
        var power = [[Double]](repeating: [Double](repeating: .nan, count: freqs.count), count: n)
        var collective = power
        var amplification = [Double](repeating: .nan, count: freqs.count)
        for (k, f) in freqs.enumerated() {
            guard let q = LinearAlgebra.identityMinus(ms[k], n: n).inverse else { continue }
            let d = (0..<n).map { singles[k][$0] / Double(network.populations[$0].size) }
            // P = Q D Q^H (full: the cross-spectra enter the input).
            var p = [Complex<Double>](repeating: .zero, count: n * n)
            for a in 0..<n {
                for b in 0..<n {
                    var sum = Complex<Double>.zero
                    for c in 0..<n { sum = sum + q[a * n + c] * Complex(d[c]) * q[b * n + c].conjugate }
                    p[a * n + b] = sum
                }
                power[a][k] = p[a * n + a].real
            }
            amplification[k] = (0..<n).map { a in
                (0..<n).reduce(0.0) { $0 + (q[a * n + $1] - Complex(a == $1 ? 1 : 0)).length }
            }.max() ?? .nan
            for a in 0..<n {
                let tau = network.populations[a].tauM * 1e-3
                let filter = Complex<Double>(1) / Complex(1, 2 * Double.pi * f * network.populations[a].tauS * 1e-3)
                let w = (0..<n).map { b -> Complex<Double> in
                    let phase = -2 * Double.pi * f * network.delay[a][b] * 1e-3
                    let weight = Complex(tau * network.indegree[a][b] * network.weight[a][b])
                    return weight * Complex(cos(phase), sin(phase)) * filter
                }
                var sum = Complex<Double>.zero
                for b in 0..<n {
                    for c in 0..<n {
                        let excess = p[b * n + c] - Complex(b == c ? d[b] : 0)
                        sum = sum + w[b] * excess * w[c].conjugate
                    }
                }
                collective[a][k] = sum.real
            }
        }
        return NetworkSpectra(frequencies: freqs, power: power, poissonSingleNeuron: spectrum == nil,
                              amplification: amplification, collectiveInput: collective)
    }
}
