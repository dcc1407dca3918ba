// The Monte-Carlo core: vector math accuracy, RNG statistics, determinism, and agreement with
// THEORY §9.1/§9.2 — including checks that must fail (a biased estimator, the naive scheme's bias).
import Foundation
import GSLSupport
import MonteCarlo
import SiegertNumerics
import Testing
import WorkbenchCore

struct VectorMathTests {
    @Test func logExpAndSinCosMatchLibm() {
        var g = SplitMix64(state: 3)
        var worstLog = 0.0, worstExp = 0.0, worstSin = 0.0
        for _ in 0..<20_000 {
            let xs = (0..<8).map { _ in pow(10, Double.random(in: -300...300, using: &g)) }
            let l = VectorMath.log(V8(xs))
            for i in 0..<8 { worstLog = max(worstLog, abs(l[i] - Foundation.log(xs[i])) / max(1, abs(Foundation.log(xs[i])))) }
            let ys = (0..<8).map { _ in Double.random(in: -708...709, using: &g) }
            let e = VectorMath.exp(V8(ys))
            for i in 0..<8 { worstExp = max(worstExp, abs(e[i] - Foundation.exp(ys[i])) / Foundation.exp(ys[i])) }
            let us = (0..<8).map { _ in Double.random(in: 0...1, using: &g) }
            let (s, c) = VectorMath.sinCos2Pi(V8(us))
            for i in 0..<8 {
                worstSin = max(worstSin, abs(s[i] - sin(2 * .pi * us[i])), abs(c[i] - cos(2 * .pi * us[i])))
            }
        }
        #expect(worstLog <= 4e-16, "log: \(worstLog)")
        #expect(worstExp <= 4e-16, "exp: \(worstExp)")
        // The reference sin(2π·u) itself carries the rounding of 2π·u (≤ 2π·ε).
        #expect(worstSin <= 2e-15, "sin/cos: \(worstSin)")
        #expect(VectorMath.exp(V8(repeating: -800))[0] == 0 && VectorMath.exp(V8(repeating: 800))[0] == .infinity)
    }
}

struct RNGTests {
    @Test func normalMomentsAndTailsOver16MillionDraws() {
        var rng = LaneRNG(seed: 12345, stream: 0)
        let n = 16_000_000
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, tail3 = 0, tail4 = 0, u1 = 0.0, u2 = 0.0
        for _ in 0..<(n / 8) {
            let z = rng.normal(), u = rng.uniform()
            for i in 0..<8 {
                let x = z[i], x2 = x * x
                s1 += x; s2 += x2; s3 += x2 * x; s4 += x2 * x2
                if abs(x) > 3 { tail3 += 1 }
                if x > 4 { tail4 += 1 }
                u1 += u[i]; u2 += u[i] * u[i]
            }
        }
        let N = Double(n)
        let mean = s1 / N, variance = s2 / N - mean * mean
        let skew = (s3 / N) / pow(variance, 1.5), excessKurtosis = (s4 / N) / (variance * variance) - 3
        // 5-sigma bounds of each statistic for N i.i.d. standard normals.
        #expect(abs(mean) < 5 / N.squareRoot(), "mean \(mean)")
        #expect(abs(variance - 1) < 5 * (2 / N).squareRoot(), "variance \(variance)")
        #expect(abs(skew) < 5 * (6 / N).squareRoot(), "skewness \(skew)")
        #expect(abs(excessKurtosis) < 5 * (24 / N).squareRoot(), "excess kurtosis \(excessKurtosis)")
        for (count, p) in [(tail3, 2 * Special.normalTail(3)), (tail4, Special.normalTail(4))] {
            let expected = N * p
            #expect(abs(Double(count) - expected) < 5 * expected.squareRoot(), "tail count \(count) vs \(expected)")
        }
        #expect(abs(u1 / N - 0.5) < 5 * (1 / (12 * N)).squareRoot())
        #expect(abs(u2 / N - u1 * u1 / (N * N) - 1.0 / 12) < 5 * (1 / (180 * N)).squareRoot())
    }

    @Test func streamsDependOnSeedAndStreamOnly() {
        var a = LaneRNG(seed: 1, stream: 7), b = LaneRNG(seed: 1, stream: 7), c = LaneRNG(seed: 1, stream: 8), d = LaneRNG(seed: 2, stream: 7)
        let x = a.nextBits()
        #expect(x == b.nextBits())
        #expect(x != c.nextBits() && x != d.nextBits())
        #expect(Set((0..<8).map { x[$0] }).count == 8, "lanes must differ")
    }
}

private func sameBlocks(_ a: SimulationResult, _ b: SimulationResult) -> Bool {
    zip(a.blocks, b.blocks).allSatisfy { x, y in
        x.spikes == y.spikes && x.isiCount == y.isiCount && x.isiSum.bitPattern == y.isiSum.bitPattern
            && x.isiSumSquares.bitPattern == y.isiSumSquares.bitPattern && x.vSumAll.bitPattern == y.vSumAll.bitPattern
            && x.vSumNonRefractory.bitPattern == y.vSumNonRefractory.bitPattern && x.histogram == y.histogram
            && x.spikeTimes == y.spikeTimes
    } && a.blocks.count == b.blocks.count
}

struct DeterminismTests {
    @Test(arguments: ["lif-white", "lif-colored"])
    func bitIdenticalOnOneOrTwoThreadsAndAcrossRuns(_ model: String) {
        var o = SimulationOptions()
        o.neurons = 203                      // a partial last block: masked lanes
        o.time = 300; o.burnIn = 50; o.dt = 0.05
        o.density = DensityGrid(vMin: 0, vMax: 20, bins: 10)
        o.recordSpikes = true
        let p = LIFModelParameters(mu: 15, sigma: 5, tauS: 2)
        o.threads = 1
        let one = LIFSimulator.simulate(model: model, p, o)
        o.threads = 2
        let two = LIFSimulator.simulate(model: model, p, o)
        o.threads = 7
        let seven = LIFSimulator.simulate(model: model, p, o)
        #expect(sameBlocks(one, two) && sameBlocks(one, seven))
        #expect(one.total.spikes > 100)
        #expect(one.blocks.last!.neurons == 3)
        o.seed = 2
        let other = LIFSimulator.simulate(model: model, p, o)
        #expect(!sameBlocks(one, other), "another seed must give another run")
    }

    @Test func coloredWithZeroTauSIsTheWhiteModel() {
        var o = SimulationOptions()
        o.neurons = 160; o.time = 200; o.burnIn = 20
        let a = LIFSimulator.simulate(model: "lif-white", LIFModelParameters(mu: 15, sigma: 5), o)
        let b = LIFSimulator.simulate(model: "lif-colored", LIFModelParameters(mu: 15, sigma: 5, tauS: 0), o)
        #expect(sameBlocks(a, b))
    }
}

struct MonteCarloAgreementTests {
    /// THEORY §9.1: the naive grid check fires late; the simulated neuron is the continuous one with
    /// threshold θ + ρσ√(Δt/τ_m). Reproduce the bias and its correction (a check that can fail).
    @Test func naiveSchemeBiasIsTheThresholdShift() throws {
        var o = SimulationOptions()
        o.scheme = .naive; o.dt = 0.1; o.neurons = 2000; o.time = 4000; o.burnIn = 500; o.seed = 11
        let p = LIFModelParameters(mu: 15, sigma: 5)
        let sim = LIFSimulator.simulate(model: "lif-white", p, o)
        let mc = try #require(sim.observable("rate_hz"))
        let ws = IntegrationWorkspace()
        let rho = 0.582597157939011
        var shifted = SiegertNumerics.LIFParameters(mu: 15, sigma: 5)
        shifted.theta += rho * 5 * (o.dt / 20).squareRoot()
        let theoryShifted = try Siegert.rate(shifted, workspace: ws).rateHz
        let theory = try Siegert.rate(SiegertNumerics.LIFParameters(mu: 15, sigma: 5), workspace: ws).rateHz
        expectRelative(theoryShifted, 8.82119651888626, 1e-12, "THEORY §9.1 shifted-threshold rate")
        let vsShifted = Acceptance(theory: theoryShifted, monteCarlo: mc.value, standardError: mc.standardError, delta: 0.005)
        let vsPlain = Acceptance(theory: theory, monteCarlo: mc.value, standardError: mc.standardError, delta: 0.005)
        #expect(vsShifted.accepted, "naive MC \(mc.value) ± \(mc.standardError) vs shifted \(theoryShifted): z = \(vsShifted.z)")
        #expect(!vsPlain.accepted && vsPlain.z < -10, "naive MC must be biased low vs \(theory): z = \(vsPlain.z)")
    }

    /// THEORY §9.2's 2-D simulation at μ=15, σ=5, τ_s=1 ms: 6.29070833333333 ± 0.0140 Hz.
    @Test func coloredNoiseRateMatchesTheoryTable() throws {
        var o = SimulationOptions()
        o.dt = 0.01; o.neurons = 1000; o.time = 3000; o.burnIn = 300; o.seed = 5
        let sim = LIFSimulator.simulate(model: "lif-colored", LIFModelParameters(mu: 15, sigma: 5, tauS: 1), o)
        let mc = try #require(sim.observable("rate_hz"))
        let reference = 6.29070833333333, referenceSE = 0.0140
        let combined = (mc.standardError * mc.standardError + referenceSE * referenceSE).squareRoot()
        #expect(abs(mc.value - reference) <= 4 * combined + 0.005 * reference, "\(mc.value) ± \(mc.standardError)")
    }
}

struct ValidateCommandTests {
    @Test(arguments: [["15", "5"], ["22", "3"]])
    func siegertAgreesAtTheoryWorkingPoints(_ point: [String]) throws {
        let r = try workbench(["validate", "siegert"] + point + ["--format", "json"])
        #expect(r.code == 0, "\(r.stdout)\n\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let q = try #require(j["quantities"] as? [[String: Any]])
        #expect(Set(q.map { $0["quantity"] as! String }).isSuperset(of: ["rate_hz", "cv", "mean_v_mv", "mean_v_all_mv"]))
        #expect(q.filter { ($0["quantity"] as! String).hasPrefix("density_per_mv") }.count >= 3)
        let rate = try #require(q.first { $0["quantity"] as? String == "rate_hz" })
        #expect((rate["mc_se"] as! Double) / (rate["mc"] as! Double) < 0.004, "default run must reach SE ≤ 0.3 %")
        #expect(j["all_agree"] as? Bool == true)
    }

    @Test func aThreePercentBiasIsRejected() throws {
        let dir = try temporaryDirectory("biased")
        let src = packageRoot + "/Tests/Fixtures/biased_siegert.c"
        let cc = try runProcess("/usr/bin/env", ["cc", "-shared", "-fPIC", "-O2", "-I", pluginInclude, src, "-o",
                                                 dir + "/libBiasedSiegertPlugin.so", "-lgsl", "-lgslcblas", "-lm"])
        try #require(cc.code == 0, "\(cc.stderr)")
        for point in [["15", "5"], ["22", "3"]] {
            let r = try workbench(["validate", "biased-siegert"] + point, pluginPath: dir)
            #expect(r.code == 4, "\(point): exit \(r.code)\n\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("DISAGREE"))
        }
    }

    @Test func outOfTreePluginIsValidatedThroughItsDeclaredModel() throws {
        let dir = packageRoot + "/.build-external/release"
        guard FileManager.default.fileExists(atPath: dir + "/libLinearNoisePlugin.so") else { return }   // built by ExternalPluginTests
        let r = try workbench(["validate", "lif-linear-noise", "25", "0.5"], pluginPath: dir)
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("rate_hz") && r.stdout.contains("cv"))
    }

    @Test func simulateCommandPrintsObservablesAndWritesSpikes() throws {
        let dir = try temporaryDirectory("sim")
        let r = try workbench(["simulate", "lif-white", "15", "5", "--neurons", "160", "--time", "1s", "--burn-in", "200",
                               "--seed", "3", "--spikes", dir + "/spikes.csv", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(j["seed"] as? Double == 3 && j["dt_ms"] as? Double == 0.1 && j["scheme"] as? String == "bridge")
        let spikes = try #require(j["spikes"] as? Double)
        let lines = try String(contentsOfFile: dir + "/spikes.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first.map(String.init) == "neuron,spike_time_ms,isi_ms" && Double(lines.count - 1) == spikes)
        let table = try workbench(["simulate", "lif-white", "15", "5", "--neurons", "160", "--time", "500"])
        #expect(table.stdout.contains("rate_hz") && table.stdout.contains("neuron-steps/s"))
        for bad in [["--neurons", "10"], ["--scheme", "exact"], ["--dt", "0"], ["--dt", "5"], ["--seed", "-1"], ["--tau-s", "1"]] {
            let e = try workbench(["simulate", "lif-white", "15", "5"] + bad)
            #expect(e.code == 2, "\(bad): \(e.code) \(e.stderr)")
        }
        #expect(try workbench(["simulate", "lif-colored", "15", "5"]).code == 2, "tau_s is required for lif-colored")
    }

    @Test func estimatorWithoutASimulatedModelIsABadRequest() throws {
        let dir = try temporaryDirectory("nosim")
        let source = try String(contentsOfFile: packageRoot + "/Examples/CPlugin/deterministic_lif.c", encoding: .utf8)
        try compileC(source, to: dir + "/libDeterministicLIFPlugin.so")
        let r = try workbench(["validate", "lif-deterministic", "25"], pluginPath: dir)
        #expect(r.code == 2 && r.stderr.contains("no simulator"), "\(r.stderr)")
    }
}
