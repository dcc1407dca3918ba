// THEORY §9.4: the exact gaussian-walk and leaky-discrete simulators against the exact Nyström
// estimators (δ_model = 0, z* = 4), and the discrimination check: Wald's E[N] with E[R] = ρs, validated
// as if exact, is rejected at RW4 (it is 16 % low). Through the simulator and `Acceptance` directly.
import Foundation
import MonteCarlo
import RandomWalkNumerics
import Testing

private func run(_ sim: any ModelSimulator, _ values: [String: Double], samples: Int, seed: UInt64 = 7, threads: Int = 2) throws -> ModelRun {
    var o = RunOptions(samples: samples)
    o.seed = seed; o.threads = threads
    var full = values
    for p in sim.parameters where full[p.name] == nil { full[p.name] = p.defaultValue ?? .nan }
    return sim.run(full, try sim.resolve(o, full), progress: nil)
}

private func accept(_ run: ModelRun, _ name: String, _ theory: Double, delta: Double = 0) throws -> Acceptance {
    let e = try #require(run.observable(name), "\(name) missing")
    return Acceptance(theory: theory, monteCarlo: e.value, standardError: e.standardError, delta: delta)
}

struct RandomWalkSimulationTests {
    @Test func gaussianWalkAgreesWithTheExactEstimatorAtRW1() throws {
        let w = GaussianWalk(x0: 0, a: 5, m: 0.1, s: 1)
        let r = try run(GaussianWalkSimulator(), ["a": 5, "m": 0.1, "s": 1, "n": 50], samples: 200_000)
        #expect(r.notes.isEmpty, "\(r.notes)")
        let p = try accept(r, "p_cross_by_n", w.crossingProbabilities(steps: 50).last)
        #expect(p.accepted, "RW1 P(N <= 50): z = \(p.z)")
        let mean = try accept(r, "mean_n", try #require(try w.meanCrossingTime()).value)
        #expect(mean.accepted, "RW1 E[N]: z = \(mean.z)")
        #expect(try #require(r.observable("p_cross_ever")).value == 1)
    }

    @Test func gaussianWalkAtRW4AcceptsTheExactValuesAndRejectsWaldWithRhoS() throws {
        let w = GaussianWalk(x0: 0, a: 1, m: 1, s: 1)
        let r = try run(GaussianWalkSimulator(), ["a": 1, "m": 1, "s": 1, "n": 5], samples: 400_000)
        let exactMean = try #require(try w.meanCrossingTime()).value
        let p = try accept(r, "p_cross_by_n", w.crossingProbabilities(steps: 5).last)
        let mean = try accept(r, "mean_n", exactMean)
        #expect(p.accepted && mean.accepted, "RW4 exact: z = \(p.z), \(mean.z)")
        // Wald with ρs, as if exact (--assume-exact): rejected; with its documented per-row error: accepted.
        let wald = w.waldMeanRho!
        let asIfExact = try accept(r, "mean_n", wald)
        #expect(!asIfExact.accepted, "Wald(rho s) accepted as exact: z = \(asIfExact.z)")
        #expect(asIfExact.relativeDifference > 0.15, "relative difference \(asIfExact.relativeDifference)")
        #expect(try accept(r, "mean_n", wald, delta: abs(wald - exactMean) / wald).accepted)   // = wald_rho_rel_error
        // Siegmund's P(N ≤ 5) is 0.3 % low at m = s: also rejected as exact at this sample size.
        let sieg = try accept(r, "p_cross_by_n", w.siegmundCrossingProbability(steps: 5))
        #expect(!sieg.accepted, "Siegmund accepted as exact at RW4: z = \(sieg.z)")
    }

    @Test func gaussianWalkCrossingEverForNegativeDriftAtRW3() throws {
        let w = GaussianWalk(x0: 0, a: 2, m: -0.1, s: 1)
        let r = try run(GaussianWalkSimulator(), ["a": 2, "m": -0.1, "s": 1, "n": 100], samples: 40_000)
        #expect(r.notes.isEmpty, "\(r.notes)")
        let ever = try accept(r, "p_cross_ever", try w.crossingProbabilityEver().value)
        let p = try accept(r, "p_cross_by_n", w.crossingProbabilities(steps: 100).last)
        #expect(ever.accepted && p.accepted, "RW3: z = \(ever.z), \(p.z)")
        #expect(r.observable("mean_n") == nil)
    }

    @Test func leakyDiscreteAgreesWithTheTransferOperatorAtL1AndL3() throws {
        for (beta, m, s) in [(0.9, 0.05, 0.3), (0.5, 0.4, 0.5)] {
            let exact = try LeakyDiscrete(beta: beta, m: m, s: s, theta: 1, vReset: 0, mode: .reset).spikeProbability().spikeProbability
            let r = try run(LeakyDiscreteSimulator(), ["beta": beta, "m": m, "s": s, "time_step": 0.5], samples: 40_000)
            let a = try accept(r, "spike_prob", exact)
            #expect(a.accepted, "beta = \(beta): z = \(a.z)")
            let rate = try accept(r, "rate_hz", 1000 * exact / 0.5)
            #expect(rate.accepted, "beta = \(beta) rate: z = \(rate.z)")
            #expect(abs(a.relativeDifference) < 0.01)
        }
        // subtract (L2) too
        let l2 = try LeakyDiscrete(beta: 0.9, m: 0.05, s: 0.3, theta: 1, vReset: 0, mode: .subtract).spikeProbability().spikeProbability
        let r2 = try run(LeakyDiscreteSimulator(), ["beta": 0.9, "m": 0.05, "s": 0.3, "mode": 1], samples: 40_000)
        #expect(try accept(r2, "spike_prob", l2).accepted)
        // The no-reset estimate P_free(U > θ) is 6.2x the rate at L1: rejected.
        #expect(try !accept(try run(LeakyDiscreteSimulator(), ["beta": 0.9, "m": 0.05, "s": 0.3], samples: 4_000),
                            "spike_prob", 0.233771314521887).accepted)
    }

    @Test func leakyCornersAgreeWithSimulation() throws {
        // θ < 0 with subtraction (no state in (θ, 0]), a reset far below the mean, β close to 1.
        let cases: [(Double, Double, Double, Double, Double, LeakyDiscrete.Mode)] = [
            (0.5, -0.8, 0.5, -0.5, -3, .subtract), (0.5, -0.8, 0.5, -0.5, -3, .reset),
            (0.8, 0.1, 0.2, 1, -5, .reset), (0.99, 0.01, 0.1, 1, 0, .subtract),
        ]
        for (beta, m, s, theta, vr, mode) in cases {
            let exact = try LeakyDiscrete(beta: beta, m: m, s: s, theta: theta, vReset: vr, mode: mode).spikeProbability().spikeProbability
            let r = try run(LeakyDiscreteSimulator(), ["beta": beta, "m": m, "s": s, "theta": theta, "v_reset": vr,
                                                       "mode": mode == .reset ? 0 : 1], samples: 20_000)
            let a = try accept(r, "spike_prob", exact)
            #expect(a.accepted, "beta \(beta) m \(m) theta \(theta) v_r \(vr) \(mode): z = \(a.z)")
        }
    }

    @Test func simulatorsAreBitIdenticalOnOneAndTwoThreadsAndSeedDependent() throws {
        let walk = ["a": 5.0, "m": 0.1, "s": 1, "n": 50]
        let a = try run(GaussianWalkSimulator(), walk, samples: 20_000, threads: 1)
        let b = try run(GaussianWalkSimulator(), walk, samples: 20_000, threads: 2)
        let c = try run(GaussianWalkSimulator(), walk, samples: 20_000, seed: 8)
        for name in ["p_cross_by_n", "mean_n"] {
            #expect(a.observable(name)!.value.bitPattern == b.observable(name)!.value.bitPattern, "\(name) differs across threads")
            #expect(a.observable(name)!.standardError.bitPattern == b.observable(name)!.standardError.bitPattern)
            #expect(a.observable(name)!.value != c.observable(name)!.value, "\(name) does not depend on the seed")
        }
        let leaky = ["beta": 0.9, "m": 0.05, "s": 0.3]
        let d = try run(LeakyDiscreteSimulator(), leaky, samples: 5_000, threads: 1)
        let e = try run(LeakyDiscreteSimulator(), leaky, samples: 5_000, threads: 2)
        let f = try run(LeakyDiscreteSimulator(), leaky, samples: 5_000, seed: 9)
        #expect(d.observable("spike_prob")!.value.bitPattern == e.observable("spike_prob")!.value.bitPattern)
        #expect(d.observable("spike_prob")!.value != f.observable("spike_prob")!.value)
        #expect(d.observable("spike_prob")!.batches >= 20)
    }

    @Test func simulatorsRejectBadRelations() {
        #expect(throws: SimulatorInputError.self) { try GaussianWalkSimulator().resolve(RunOptions(samples: 100), ["x0": 5, "a": 5, "m": 0, "s": 1, "n": 3]) }
        #expect(throws: SimulatorInputError.self) { try GaussianWalkSimulator().resolve(RunOptions(samples: 100), ["x0": 0, "a": 5, "m": 0, "s": 1, "n": 2.5]) }
        #expect(throws: SimulatorInputError.self) {
            try LeakyDiscreteSimulator().resolve(RunOptions(samples: 100), ["beta": 0.5, "m": 0, "s": 1, "theta": 1, "v_reset": 1, "mode": 0])
        }
    }
}

struct RandomWalkValidateCLITests {
    @Test("validate passes with model error 0 where exact (RW1, RW4, L1, L3)", arguments: [
        ["validate", "random-walk", "5", "0.1", "1", "50", "--seed", "11"],
        ["validate", "random-walk", "1", "1", "1", "5", "--seed", "11"],
        ["validate", "leaky-discrete", "0.9", "0.05", "0.3", "--time-step", "1", "--seed", "11"],
        ["validate", "leaky-discrete", "0.5", "0.4", "0.5", "--seed", "11"],
    ])
    func validatePasses(_ args: [String]) throws {
        let r = try workbench(args)
        #expect(r.code == 0, "\(args): exit \(r.code)\n\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("agree") && !r.stdout.contains("DISAGREE"), "\(r.stdout)")
    }

    @Test func assumeExactRejectsWaldWithRhoSAtRW4() throws {
        let r = try workbench(["validate", "random-walk", "1", "1", "1", "5", "--seed", "11", "--assume-exact"])
        #expect(r.code == 4, "exit \(r.code)\n\(r.stdout)\n\(r.stderr)")
        let wald = try #require(r.stdout.split(separator: "\n").first { $0.contains("mean_n_wald_rho") })
        #expect(wald.contains("DISAGREE"), "\(wald)")
        let exact = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("  mean_n ") })
        #expect(exact.contains("agree") && !exact.contains("DISAGREE"), "\(exact)")
    }
}
