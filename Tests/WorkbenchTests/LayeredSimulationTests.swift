// THEORY §9.6–§9.8: the simulators of the initialisation estimators, validated through the CLI.
import Foundation
import InitNumerics
import MonteCarlo
import Testing

struct LayeredSimulationTests {
    func validate(_ args: [String]) throws -> (code: Int32, quantities: [String: [String: Any]]) {
        let r = try workbench(["validate"] + args + ["--format", "json"])
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        let q = try #require(j["quantities"] as? [[String: Any]])
        return (r.code, Dictionary(uniqueKeysWithValues: q.map { ($0["quantity"] as! String, $0) }))
    }

    /// Campbell is exact for the free current-based LIF: δ = 0, continuous (event-driven) and discrete kernels,
    /// forward weights and the solved init (the simulator takes the init's weights from the estimator's outputs).
    @Test(arguments: [["200", "10", "--target-mu-u", "0.5", "--xi", "1"], ["200", "10", "--mu-w", "0.05", "--sigma-w", "0.3", "--time-step", "1"],
                      ["100", "20", "--target-mu-u", "0.2", "--xi", "2", "--n-rec", "50", "--tau-syn", "10"]])
    func fluctuationInitAgreesWithTheFreeMembraneSimulation(_ args: [String]) throws {
        let r = try validate(["fluctuation-init"] + args)
        #expect(r.code == 0, "\(r.quantities)")
        #expect(Set(r.quantities.keys) == ["mean_u", "std_u", "std_u_across"])
        for q in r.quantities.values { #expect(q["delta"] as? Double == 0) }
    }

    /// §9.6: at Δt = 1 ms, τ_syn = 5 ms the continuous ε̂ is 22 % off in σ_U²; a discrete simulation rejects it.
    @Test func theContinuousKernelIsRejectedByADiscreteSimulation() throws {
        let r = try workbench(["simulate", "lif-current", "200", "10", "--mu-w", "0.05", "--sigma-w", "0.3", "--time-step", "1", "--format", "json"])
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let std = try #require((j["observables"] as? [String: Any])?["std_u"] as? [String: Any])
        let continuous = (200 * 0.01 * (0.0025 + 0.09) * 0.5).squareRoot()
        #expect(abs(std["value"] as! Double - continuous) > 8 * (std["se"] as! Double), "\(std)")
    }

    /// §9.7: Kaiming collapses at layer 3–4 in simulation too; the Micheli fixed point holds at n = 1000;
    /// a variance 1.2 × the estimator's is rejected.
    @Test func varianceFlowFiniteWidthNetwork() throws {
        let k1 = try validate(["variance-flow-init", "--scheme", "kaiming", "--n", "1000", "--layer", "1"])
        #expect(k1.code == 0, "\(k1.quantities)")
        for l in ["3", "4"] {
            let k = try validate(["variance-flow-init", "--scheme", "kaiming", "--n", "1000", "--layer", l])
            #expect(k.code == 0 && (k.quantities["p_spike"]?["verdict"] as? String)?.contains("collapsed in simulation too") == true, "layer \(l)")
        }
        // One run holds one draw of every weight matrix, and its SE (batches of samples) leaves out the
        // spread between draws: measured over seeds 1-8 at layer 1, sd 0.0045 against an SE of 0.0005. So
        // the Micheli network is judged by the mean over six seeds, with the seed-to-seed spread as its error
        // (δ: 1 % at layer 1, the estimator's 5 % model error at layer 5, where finite width shows).
        func pSpike(layer: Int, seed: Int) throws -> Double {
            let r = try workbench(["simulate", "layered-threshold", "--n", "1000", "--layer", String(layer), "--samples", "800",
                                   "--seed", String(seed), "--format", "json"])
            let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return try #require(((j?["observables"] as? [String: Any])?["p_spike"] as? [String: Any])?["value"] as? Double)
        }
        for layer in [1, 5] {
            let ps = try (1...6).map { try pSpike(layer: layer, seed: $0) }
            let mean = ps.reduce(0, +) / 6
            let se = (ps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5 / 6).squareRoot()
            let micheli = Acceptance(theory: 0.158655253931457, monteCarlo: mean, standardError: se, delta: layer == 1 ? 0.01 : 0.05)
            #expect(micheli.accepted, "Micheli layer \(layer): \(ps), z = \(micheli.z)")
            // A prediction with 1.2 × the weight variance is rejected by the same six runs.
            let wrong = VarianceFlow.layer(layer, c: 1.2 * 6.30297437506875, theta: 1, sigma0: 1).spikeProbability
            let check = Acceptance(theory: wrong, monteCarlo: mean, standardError: se, delta: 0.01)
            #expect(!check.accepted, "×1.2 variance at layer \(layer): z = \(check.z)")
        }
    }

    @Test func layeredSimulatorsAreDeterministicAcrossThreads() throws {
        for args in [["layered-lif", "200", "20", "--layer", "2", "--time", "500"], ["layered-threshold", "--n", "300", "--layer", "3"],
                     ["lif-current", "100", "10", "--sigma-w", "0.1", "--time", "2000"]] {
            let one = try workbench(["simulate"] + args + ["--threads", "1", "--format", "csv"])
            let two = try workbench(["simulate"] + args + ["--threads", "2", "--format", "csv"])
            let other = try workbench(["simulate"] + args + ["--seed", "9", "--format", "csv"])
            #expect(one.code == 0 && one.stdout == two.stdout && one.stdout != other.stdout, "\(args): \(one.stderr)")
        }
    }

    /// §9.8: Kaiming collapse through the Siegert map is reproduced by event-driven LIF layers (collapsed by layer 4).
    @Test func kaimingCollapseHappensInLIFLayersToo() throws {
        let r = try validate(["rate-collapse", "1000", "20", "--layer", "4"])
        #expect(r.code == 0 && (r.quantities["rate_hz"]?["verdict"] as? String)?.contains("collapsed in simulation too") == true)
    }

    func mcRate(_ r: (code: Int32, quantities: [String: [String: Any]])) -> Double { (r.quantities["rate_hz"]?["mc"] as? Double) ?? .nan }

    /// Kaiming layer 1 (n = 1000, 20 Hz): the diffusion map (9.54 Hz) misses the jumps' overshoot; Siegmund's
    /// shift θ + 0.5826 w_rms gives 8.94 Hz (annealed) and, averaged over the quenched mean inputs, 12.43 Hz
    /// (weights fixed per synapse): both agree at 2.5 %. The plain map is rejected once its own stated error is
    /// set to zero (annealed; one quenched realisation of 1000 neurons has an SE of 3 %, too wide for its 5 %),
    /// and quenched layers are 39 % above the annealed prediction.
    @Test(arguments: ["annealed", "quenched"])
    func siegmundCorrectedMapMatchesEventDrivenLayers(_ disorder: String) throws {
        let base = ["rate-collapse", "1000", "20", "--layer", "1", "--disorder", disorder, "--seed", "5", "--time", "10000"]
        let corrected = try validate(base + ["--jumps", "siegmund"])
        #expect(corrected.code == 0, "\(corrected.quantities)")
        // The plain map's model error covers its own first-order jump error: its default validation agrees.
        let plain = try validate(base)
        #expect(plain.code == 0, "\(plain.quantities)")
        if disorder == "annealed" {
            let exact = try validate(base + ["--assume-exact"])
            #expect(exact.code == 4 && (exact.quantities["rate_hz"]?["z"] as? Double).map { abs($0) > 10 } == true, "\(exact.quantities)")
        } else {
            #expect(mcRate(corrected) > 1.3 * 8.94, "quenched disorder raises the rate: \(corrected.quantities)")
        }
    }

    /// §8.3 in event-driven layers: the zero-mean fixed point at 20 Hz is stable (slope 0.89) and holds over five
    /// layers; the one at 5 Hz is a knife edge (slope 1.70): the simulation drifts away from it with depth.
    @Test func stableFixedPointHoldsAndKnifeEdgeDrifts() throws {
        let stable = try validate(["rate-collapse", "1000", "20", "--init", "zero-mean", "--nu-target", "20", "--jumps", "siegmund",
                                   "--layer", "5", "--seed", "3", "--time", "5000"])
        #expect(stable.code == 0 && abs(mcRate(stable) / 20 - 1) < 0.03, "\(stable.quantities)")
        let knife = try validate(["rate-collapse", "1000", "5", "--init", "zero-mean", "--nu-target", "5", "--jumps", "siegmund",
                                  "--layer", "5", "--seed", "3", "--time", "5000"])
        #expect(knife.code == 4 && mcRate(knife) > 7, "\(knife.quantities)")
    }
}
