// The single-neuron theory a network needs, reached by estimator name through the plugin ABI: any estimator whose
// parameters include mu and sigma and whose outputs include rate_hz serves for the working point (cv if it has
// one); one that also takes f and gives response_mu_re/im_hz_per_mv serves for stability and spectra. Parameters
// the population does not give keep the estimator's defaults, so a new neuron-model plugin needs no host code.
import Foundation
import WorkbenchCore

struct PopulationEstimator {
    let estimator: LoadedEstimator
    let mu: Int, sigma: Int, frequency: Int?
    /// Per population: the estimator's row with everything but mu, sigma (and f) filled in.
    let baseRows: [[Double]]

    init(_ estimator: LoadedEstimator, network: NetworkModel, role: String, needsFrequency: Bool) throws {
        self.estimator = estimator
        guard let mu = estimator.parameter(named: "mu"), let sigma = estimator.parameter(named: "sigma") else {
            throw WorkbenchError.badInput("the \(role) estimator '\(estimator.name)' has no parameters mu and sigma")
        }
        (self.mu, self.sigma) = (mu.index, sigma.index)
        frequency = estimator.parameter(named: "f")?.index
        if needsFrequency && frequency == nil {
            throw WorkbenchError.badInput("the \(role) estimator '\(estimator.name)' has no frequency parameter f")
        }
        var rows: [[Double]] = []
        for pop in network.populations {
            var row = estimator.parameters.map(\.defaultValue)
            // A population without tau_s has delta synapses: tau_s = 0 for an estimator that takes it.
            if let p = estimator.parameter(named: "tau_s") { row[p.index] = 0 }
            for (name, value) in pop.neuron {
                if let p = estimator.parameter(named: name) {
                    row[p.index] = value
                } else if name == "tau_s" && value > 0 {
                    throw WorkbenchError.badInput(
                        "population \(pop.name) has tau_s = \(formatNumber(value)) ms, which the "
                            + "\(role) estimator '\(estimator.name)' does not take (use its coloured-noise counterpart)"
                    )
                }
            }
            for p in estimator.parameters
            where p.isRequired && p.index != mu.index && p.index != sigma.index
                && p.index != frequency && row[p.index].isNaN
            {
                throw WorkbenchError.badInput(
                    "the \(role) estimator '\(estimator.name)' needs '\(p.name)', which population "
                        + "\(pop.name) does not give")
            }
            rows.append(row)
        }
        baseRows = rows
    }

    func output(_ name: String) -> Int? { estimator.output(named: name)?.index }

    /// Evaluates one row per (population, mu, sigma[, f]) and returns the batch; a failed row is an error naming
    /// the population.
    func evaluate(
        _ points: [(population: Int, mu: Double, sigma: Double, f: Double)], want: [String],
        names: [String]
    ) throws -> LoadedEstimator.Batch {
        var input: [Double] = []
        input.reserveCapacity(points.count * estimator.parameters.count)
        for p in points {
            var row = baseRows[p.population]
            row[mu] = p.mu
            row[sigma] = p.sigma
            if let f = frequency { row[f] = p.f }
            input += row
        }
        var mask = [Bool](repeating: false, count: estimator.outputs.count)
        for w in want { if let i = output(w) { mask[i] = true } }
        let batch = estimator.evaluate(input, want: mask)
        if let row = (0..<points.count).first(where: { batch.status[$0] < 0 }) {
            let p = points[row]
            throw WorkbenchError.badInput(
                "\(estimator.name) failed for population \(names[p.population]) at mu = "
                    + "\(formatNumber(p.mu)) mV, sigma = \(formatNumber(p.sigma)) mV: "
                    + (batch.messages[row] ?? "no message")
            )
        }
        return batch
    }
}
