// Every self-consistent working point the solver can find: rates nu with nu_a = Phi_a(mu_a(nu), sigma_a(nu)),
// Phi the rate estimator (siegert, siegert-colored, or any plugin with mu, sigma -> rate_hz).
//
// Method: Newton's method on F(nu) = Phi(nu) - nu from many deterministic starts (equal rates from 0 to 400 Hz,
// then log-uniform mixtures from a fixed seed), with a backtracking line search on |F| (a start that stops
// improving is dropped) and rates kept >= 0.
// The Jacobian follows the chain rule through the input: dPhi_a/dnu_b = Phi_mu tau K_ab J_ab
// + Phi_sigma tau K_ab J_ab^2 / (2 sigma_a), with Phi_mu and Phi_sigma by central differences (4 estimator rows
// per population): the residual is the estimator's own rate, so the answer's accuracy is the estimator's.
// Solutions closer than 1e-6 (relative) are one point.
import Foundation
import GSLSupport
import MonteCarlo
import WorkbenchCore

public struct WorkingPoint: Sendable {
    public var rates: [Double], mu: [Double], sigma: [Double]
    /// The ISI CV per population, if the estimator gives one (NaN otherwise).
    public var cv: [Double]
    /// max_a |Phi_a - nu_a| / max(nu_a, 1e-3 Hz) at the answer.
    public var residual: Double
}

public struct WorkingPointSolver {
    let network: NetworkModel
    let theory: PopulationEstimator
    let rate: Int, cvOutput: Int?

    init(network: NetworkModel, theory: PopulationEstimator) throws {
        self.network = network
        self.theory = theory
        guard let r = theory.output("rate_hz") else {
            throw WorkbenchError.badInput("the rate estimator '\(theory.estimator.name)' has no output rate_hz")
        }
        rate = r
        cvOutput = theory.output("cv")
    }

    var names: [String] { network.populations.map(\.name) }

    /// Phi(nu) and, with `derivatives`, d Phi / d mu and d Phi / d sigma per population.
    func transfer(_ nu: [Double], derivatives: Bool) throws -> (phi: [Double], dMu: [Double], dSigma: [Double]) {
        let (mu, sigma) = network.input(rates: nu)
        let n = network.count
        var points: [(population: Int, mu: Double, sigma: Double, f: Double)] = []
        for a in 0..<n {
            guard sigma[a] > 0 else {
                throw WorkbenchError.badInput(
                    "population \(names[a]) receives no input noise (sigma = 0): give it external "
                        + "drive or recurrent input with nonzero rates")
            }
            points.append((a, mu[a], sigma[a], 0))
        }
        var h = [Double](repeating: 0, count: n)
        if derivatives {
            for a in 0..<n {
                h[a] = 1e-5 * sigma[a]
                points += [
                    (a, mu[a] + h[a], sigma[a], 0), (a, mu[a] - h[a], sigma[a], 0),
                    (a, mu[a], sigma[a] + h[a], 0), (a, mu[a], sigma[a] - h[a], 0),
                ]
            }
        }
        let batch = try theory.evaluate(points, want: ["rate_hz"], names: names)
        let phi = (0..<n).map { batch.value($0, rate) }
        guard derivatives else { return (phi, [], []) }
        var dMu = [Double](repeating: 0, count: n), dSigma = dMu
        for a in 0..<n {
            let base = n + 4 * a
            dMu[a] = (batch.value(base, rate) - batch.value(base + 1, rate)) / (2 * h[a])
            dSigma[a] = (batch.value(base + 2, rate) - batch.value(base + 3, rate)) / (2 * h[a])
        }
        return (phi, dMu, dSigma)
    }

    static func residual(_ phi: [Double], _ nu: [Double]) -> Double {
        zip(phi, nu).map { abs($0 - $1) / max($1, 1e-3) }.max() ?? 0
    }

    /// Newton from `start`; nil if it stalls or does not converge in 60 steps.
    func newton(from start: [Double]) throws -> [Double]? {
        let n = network.count
        var nu = start
        var (phi, dMu, dSigma) = try transfer(nu, derivatives: true)
        for _ in 0..<60 {
            let r = Self.residual(phi, nu)
            if r < 1e-12 { return nu }
            let (_, sigma) = network.input(rates: nu)
            // Jacobian of F = Phi - nu.
            var jac = [Double](repeating: 0, count: n * n)
            for a in 0..<n {
                let tau = network.populations[a].tauM * 1e-3
                for b in 0..<n {
                    let k = network.indegree[a][b], w = network.weight[a][b]
                    jac[a * n + b] = dMu[a] * tau * k * w + dSigma[a] * tau * k * w * w / (2 * sigma[a])
                }
                jac[a * n + a] -= 1
            }
            guard let step = try? LinearAlgebra.solve(jac, (0..<n).map { nu[$0] - phi[$0] }, n: n),
                step.allSatisfy(\.isFinite)
            else { return nil }
            // Keep rates >= 0: shorten the step so no rate goes below 0 (to 0 at most).
            var scale = 1.0
            for a in 0..<n where nu[a] + step[a] < 0 { scale = min(scale, nu[a] / -step[a]) }
            // A start that stops improving (a local minimum of |F|, not a root) is abandoned.
            var accepted = false
            for _ in 0..<20 {
                let trial = (0..<n).map { max(0, nu[$0] + scale * step[$0]) }
                let t = try transfer(trial, derivatives: true)
                if Self.residual(t.phi, trial) < r {
                    (nu, phi, dMu, dSigma) = (trial, t.phi, t.dMu, t.dSigma)
                    accepted = true
                    break
                }
                scale /= 2
            }
            if !accepted { return nil }
        }
        return Self.residual(phi, nu) < 1e-9 ? nu : nil
    }

    /// The deterministic starts: equal rates, then log-uniform mixtures in [1e-3, 400] Hz (splitmix64, seed 1).
    func starts(random: Int) -> [[Double]] {
        let n = network.count
        var list = [0.01, 0.1, 1, 3, 10, 30, 100, 200, 400].map { [Double](repeating: $0, count: n) }
        var state: UInt64 = 1
        func next() -> Double { Double(splitMix64(&state) >> 11) * 0x1p-53 }
        if n > 1 { for _ in 0..<random { list.append((0..<n).map { _ in 1e-3 * pow(4e5, next()) }) } }
        return list
    }

    /// Every distinct working point found, ordered by mean rate.
    public func solve(randomStarts: Int = 24) throws -> [WorkingPoint] {
        var found: [[Double]] = []
        for start in starts(random: randomStarts) {
            guard let nu = try newton(from: start) else { continue }
            let same = found.contains { f in zip(f, nu).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($0), 1e-6) } }
            if !same { found.append(nu) }
        }
        found.sort { $0.reduce(0, +) < $1.reduce(0, +) }
        return try found.map { nu in
            let (mu, sigma) = network.input(rates: nu)
            let points = (0..<network.count).map { (population: $0, mu: mu[$0], sigma: sigma[$0], f: 0.0) }
            let batch = try theory.evaluate(points, want: ["rate_hz", "cv"], names: names)
            let phi = (0..<network.count).map { batch.value($0, rate) }
            let cv = (0..<network.count).map { a in cvOutput.map { batch.value(a, $0) } ?? .nan }
            return WorkingPoint(rates: nu, mu: mu, sigma: sigma, cv: cv, residual: Self.residual(phi, nu))
        }
    }
}
