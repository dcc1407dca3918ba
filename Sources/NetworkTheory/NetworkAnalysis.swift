// `workbench network FILE`: the working points of a network, each with its stability and population-rate
// spectra, from estimators chosen by name (defaults: siegert and linear-response for delta synapses, their
// coloured-noise counterparts when a population has tau_s > 0).
import Foundation
import WorkbenchCore

public struct NetworkAnalysis: Sendable {
    public struct Point: Sendable {
        public var workingPoint: WorkingPoint
        public var stability: NetworkStability?
        public var spectra: NetworkSpectra?
    }

    public var network: NetworkModel
    public var rateEstimator: String, responseEstimator: String?
    public var points: [Point]
    public var seconds: Double

    public struct Options: Sendable {
        public var rateEstimator: String?
        public var responseEstimator: String?
        /// Frequencies of the spectra [Hz]; empty: none.
        public var spectrumFrequencies: [Double] = []
        public var stability = true
        /// Include the sigma^2 channel of the input in the effective connectivity (LinearNetwork.swift).
        public var sigma2Channel = false
        public var pluginPaths: [String] = []
        public init() {}
    }

    /// The registry the options name, and an estimator by name from it.
    static func estimator(_ name: String, role: String, _ options: Options) throws -> LoadedEstimator {
        let registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: options.pluginPaths))
        guard let e = registry.estimator(named: name) else {
            throw WorkbenchError.badInput(
                "no \(role) estimator '\(name)' (available: "
                    + "\(registry.estimators.map(\.name).sorted().joined(separator: ", ")))")
        }
        return e
    }

    /// The rate theory of the options (default siegert, siegert-colored with tau_s > 0).
    static func rateTheory(_ network: NetworkModel, _ options: Options) throws -> (String, PopulationEstimator) {
        let colored = network.populations.contains { $0.tauS > 0 }
        let name = options.rateEstimator ?? (colored ? "siegert-colored" : "siegert")
        let theory = try PopulationEstimator(
            try estimator(name, role: "rate", options), network: network, role: "rate", needsFrequency: false)
        return (name, theory)
    }

    public static func run(_ network: NetworkModel, _ options: Options) throws -> NetworkAnalysis {
        let start = Date()
        let colored = network.populations.contains { $0.tauS > 0 }
        let (rateName, rate) = try rateTheory(network, options)
        let found = try WorkingPointSolver(network: network, theory: rate).solve()
        var response: PopulationEstimator?
        let wantsLinear = options.stability || !options.spectrumFrequencies.isEmpty
        let responseName = options.responseEstimator ?? (colored ? "linear-response-colored" : "linear-response")
        if wantsLinear {
            response = try PopulationEstimator(
                try estimator(responseName, role: "response", options), network: network,
                role: "response", needsFrequency: true)
        }
        var points: [Point] = []
        for wp in found {
            var p = Point(workingPoint: wp)
            if let response {
                let linear = try LinearNetwork(
                    network: network, theory: response, point: wp,
                    sigma2Channel: options.sigma2Channel)
                if options.stability { p.stability = try linear.stability() }
                if !options.spectrumFrequencies.isEmpty { p.spectra = try linear.spectra(options.spectrumFrequencies) }
            }
            points.append(p)
        }
        return NetworkAnalysis(
            network: network, rateEstimator: rateName, responseEstimator: response.map { _ in responseName },
            points: points, seconds: Date().timeIntervalSince(start))
    }
}
