// A recurrent network of LIF populations as the mean-field theory sees it: sizes, neuron parameters, in-degrees,
// weights and delays between populations, and each population's external Poisson drive and DC input.
//
// Units: potentials and weights in mV (J is the PSP jump of a delta synapse, or the area-equivalent w tau_s / C of
// an exponential one, as in NNMT), times in ms, rates in Hz. Index order everywhere: [target][source].
import Foundation
import MonteCarlo

public struct NetworkPopulation: Sendable {
    public var name: String
    public var size: Int
    /// Neuron parameters by the estimators' names (theta, v_reset, tau_m, tau_ref, tau_s), in mV and ms.
    public var neuron: [String: Double]
    /// External Poisson drive: rate per synapse [Hz], in-degree, weight [mV]; and a DC shift of mu [mV].
    public var externalRate = 0.0, externalIndegree = 0.0, externalWeight = 0.0
    public var dc = 0.0

    public var tauM: Double { neuron["tau_m"] ?? 20 }
    public var tauS: Double { neuron["tau_s"] ?? 0 }
}

public struct NetworkModel: Sendable {
    public var name: String
    public var populations: [NetworkPopulation]
    /// In-degree K[a][b] (synapses onto one neuron of a from b), weight J[a][b] [mV], delay D[a][b] [ms].
    public var indegree: [[Double]], weight: [[Double]], delay: [[Double]]

    public var count: Int { populations.count }
    public var neurons: Int { populations.reduce(0) { $0 + $1.size } }
    public var synapses: Double {
        (0..<count).reduce(0.0) { s, a in s + Double(populations[a].size) * indegree[a].reduce(0, +) }
    }

    /// The diffusion approximation of the input (Brunel 2000, eq. 4; Brunel convention sigma = sqrt(2) x the free
    /// std): mu_a = tau_m (sum_b K_ab J_ab nu_b + K_ext J_ext nu_ext) + dc, sigma_a^2 = tau_m sum_b K_ab J_ab^2 nu_b
    /// (+ external), with nu in 1/ms.
    public func input(rates: [Double]) -> (mu: [Double], sigma: [Double]) {
        var mu = [Double](repeating: 0, count: count), sigma = mu
        for a in 0..<count {
            let p = populations[a]
            var drift = p.externalIndegree * p.externalWeight * p.externalRate
            var noise = p.externalIndegree * p.externalWeight * p.externalWeight * p.externalRate
            for b in 0..<count where indegree[a][b] != 0 {
                drift += indegree[a][b] * weight[a][b] * rates[b]
                noise += indegree[a][b] * weight[a][b] * weight[a][b] * rates[b]
            }
            let tau = p.tauM * 1e-3  // ms → s, the rates being in Hz
            mu[a] = tau * drift + p.dc
            sigma[a] = (tau * noise).squareRoot()
        }
        return (mu, sigma)
    }
}

extension NetworkModel {
    /// The network as the simulator (MonteCarlo.NetworkSimulator) takes it; neuron parameters the file leaves out
    /// take the LIF estimators' defaults (theta 20 mV, v_reset 10 mV, tau_m 20 ms, tau_ref 2 ms, tau_s 0).
    public var simulationSpec: NetworkSimulationSpec {
        NetworkSimulationSpec(
            populations: populations.map { p in
                var s = NetworkSimulationSpec.Population(name: p.name, size: p.size)
                s.tauM = p.tauM; s.tauS = p.tauS
                s.theta = p.neuron["theta"] ?? 20; s.vReset = p.neuron["v_reset"] ?? 10
                s.tauRef = p.neuron["tau_ref"] ?? 2
                s.dc = p.dc
                s.externalRate = p.externalRate; s.externalIndegree = p.externalIndegree
                s.externalWeight = p.externalWeight
                return s
            }, indegree: indegree, weight: weight, delay: delay)
    }
}
