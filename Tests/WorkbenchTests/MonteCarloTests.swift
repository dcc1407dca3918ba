// The Monte-Carlo core: vector math accuracy, RNG statistics, determinism, and agreement with
// THEORY §9.1/§9.2 — including checks that must fail (a biased estimator, the naive scheme's bias).
import CMonteCarloKernels
import Foundation
import GSLSupport
import MonteCarlo
import SiegertNumerics
import Testing
import WorkbenchCore

struct VectorMathTests {
    @Test func logAndExpMatchLibm() {
        var g = SplitMix64(state: 3)
        var worstLog = 0.0, worstExp = 0.0, worstKernelLog = 0.0, worstKernelExp = 0.0
        for _ in 0..<20_000 {
            let xs = (0..<8).map { _ in pow(10, Double.random(in: -300...300, using: &g)) }
            let l = VectorMath.log(V8(xs))
            var kl = [Double](repeating: 0, count: 8)
            wb_log8(xs, &kl)
            for i in 0..<8 {
                let scale = max(1, abs(Foundation.log(xs[i])))
                worstLog = max(worstLog, abs(l[i] - Foundation.log(xs[i])) / scale)
                worstKernelLog = max(worstKernelLog, abs(kl[i] - Foundation.log(xs[i])) / scale)
            }
            let ys = (0..<8).map { _ in Double.random(in: -708...709, using: &g) }
            let e = VectorMath.exp(V8(ys))
            var ke = [Double](repeating: 0, count: 8)
            wb_exp8(ys, &ke)
            for i in 0..<8 {
                worstExp = max(worstExp, abs(e[i] - Foundation.exp(ys[i])) / Foundation.exp(ys[i]))
                worstKernelExp = max(worstKernelExp, abs(ke[i] - Foundation.exp(ys[i])) / Foundation.exp(ys[i]))
            }
        }
        #expect(worstLog <= 4e-16, "log: \(worstLog)")
        #expect(worstExp <= 4e-16, "exp: \(worstExp)")
        #expect(worstKernelLog <= 4e-16, "C kernel log: \(worstKernelLog)")
        #expect(worstKernelExp <= 4e-16, "C kernel exp: \(worstKernelExp)")
        #expect(VectorMath.exp(V8(repeating: -800))[0] == 0 && VectorMath.exp(V8(repeating: 800))[0] == .infinity)
        var edge = [Double](repeating: 0, count: 8)
        wb_exp8([-800, 800, -708.5, 0, 1, -1, 709, -0.0], &edge)
        #expect(edge[0] == 0 && edge[1] == .infinity && edge[2] == 0 && edge[3] == 1)
    }
}

struct RNGTests {
    /// The ziggurat's normals: moments, the tails on both sides of R (where the tail algorithm takes
    /// over) and a 40-bin chi-square on [-4, 4], on 16 M draws from two streams.
    @Test func zigguratNormalsOver16MillionDraws() {
        let n = 16_000_000
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, tail3 = 0, tail4 = 0, beyondR = 0, u1 = 0.0, u2 = 0.0
        var bins = [Int](repeating: 0, count: 40)
        for stream in 0..<2 {
            var normals = NormalBuffer(LaneRNG(seed: 12345, stream: UInt64(stream)))
            var uniforms = LaneRNG(seed: 999, stream: UInt64(stream))
            defer { normals.release() }
            for _ in 0..<(n / 16) {
                let z = normals.next(), u = uniforms.uniform()
                for i in 0..<8 {
                    let x = z[i], x2 = x * x
                    s1 += x; s2 += x2; s3 += x2 * x; s4 += x2 * x2
                    if abs(x) > 3 { tail3 += 1 }
                    if x > 4 { tail4 += 1 }
                    if abs(x) > wb_zig_r { beyondR += 1 }
                    if abs(x) < 4 { bins[Int((x + 4) * 5)] += 1 }
                    u1 += u[i]; u2 += u[i] * u[i]
                }
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
        for (count, p) in [(tail3, 2 * Special.normalTail(3)), (tail4, Special.normalTail(4)),
                           (beyondR, 2 * Special.normalTail(wb_zig_r))] {
            let expected = N * p
            #expect(abs(Double(count) - expected) < 5 * expected.squareRoot(), "tail count \(count) vs \(expected)")
        }
        // Chi-square with 39 degrees of freedom: mean 39, sd 8.8; 39 + 5 sd = 83.
        var chi2 = 0.0
        for (k, count) in bins.enumerated() {
            let a = -4 + Double(k) / 5, b = a + 0.2
            let expected = N * (Special.normalTail(a) - Special.normalTail(b))
            chi2 += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        #expect(chi2 < 83, "chi-square \(chi2) over 40 bins")
        #expect(abs(u1 / N - 0.5) < 5 * (1 / (12 * N)).squareRoot())
        #expect(abs(u2 / N - u1 * u1 / (N * N) - 1.0 / 12) < 5 * (1 / (180 * N)).squareRoot())
    }

    /// The ziggurat tables (ziggurat_tables.c, generated at 50 digits): every layer has the area V, in
    /// Float80, the edges are consistent, and the interleaved table of the fast path holds the same numbers.
    @Test func zigguratLayersHaveEqualAreas() {
        let n = Int(WB_ZIG_LAYERS)
        let r = Float80(wb_zig_r), v = Float80(wb_zig_v)
        let f = { (x: Float80) -> Float80 in Foundation.exp(-x * x / 2) }
        func table<T>(_ t: T, _ count: Int) -> [Double] {
            withUnsafeBytes(of: t) { raw in
                precondition(raw.count == 8 * count)
                return Array(raw.bindMemory(to: Double.self))
            }
        }
        let x = table(wb_zig_x, n + 1), k = table(wb_zig_k, n), fTable = table(wb_zig_f, n + 1)
        let xk = table(wb_zig_xk, 2 * n)
        // The fast path's table: X and 1 + K with K (exact, from the generator) rounded up to the 2^-52
        // grid of 1 + u, so that 1 + u < XK exactly when u < K for every u on that grid. Against the
        // double K: on the grid, at or above K, and less than a grid step above it (a step when the
        // double K itself sits on the grid with the exact K just above).
        let interleaved = (0..<n).allSatisfy { (i: Int) -> Bool in
            let kUp = xk[2 * i + 1] - 1, grid = 0x1p-52
            return xk[2 * i] == x[i] && kUp >= k[i] && kUp - grid <= k[i] && (kUp / grid).rounded() == kUp / grid
        }
        #expect(interleaved, "interleaved table")
        // Base layer: rectangle [0, R] × [0, f(R)] plus the tail ∫_R^∞ f = √(2π)·Q(R).
        let base = r * f(r) + Float80((2 * Double.pi).squareRoot() * Special.normalTail(wb_zig_r))
        #expect(abs(base - v) / v < 1e-14, "base layer area")
        // X[0] f(R) = V up to the rounding of X[0] and of R (which moves f(R) by R² times its relative error).
        #expect(x[1] == wb_zig_r && x[n] == 0)
        #expect(abs(Float80(x[0]) * f(r) - v) / v < Float80((2 + wb_zig_r * wb_zig_r) * Double.ulpOfOne))
        var worst: Float80 = 0
        for i in 1..<n {
            let area = Float80(x[i]) * (f(Float80(x[i + 1])) - f(Float80(x[i])))
            worst = max(worst, abs(area - v) / v)
            #expect(x[i + 1] < x[i])
            #expect(abs(k[i] - x[i + 1] / x[i]) <= 2 * Double.ulpOfOne * k[i] || i == n - 1)
            // F was computed from the exact edge, not from its rounding: allow the slope x·f times x·ε.
            #expect(abs(fTable[i] - Double(f(Float80(x[i])))) <= (2 + x[i] * x[i]) * Double.ulpOfOne * fTable[i])
        }
        #expect(k[n - 1] == 0 && fTable[n] == 1)
        // Relative error of one layer's area, from rounding the edges to double: a few ulp × the slope
        // (the thin top layers are the most sensitive).
        #expect(worst < 1e-12, "worst layer area error \(worst)")
    }

    /// The bridge test's uniforms: on (0, 1), with a lower bound of ln U that never exceeds the kernel's
    /// own log (which decides the crossing) and is at most ln 2 below it.
    @Test func bridgeUniformBoundsBracketTheLog() {
        let stream = UnsafeMutablePointer<wb_bridge_uniform_stream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        stream.pointee.rng = LaneRNG(seed: 5, stream: 3).c
        var u1 = 0.0, count = 0, worstGap = 0.0
        for _ in 0..<2000 {
            wb_bridge_uniforms_refill(stream)
            #expect(stream.pointee.next == 0)
            withUnsafeBytes(of: stream.pointee.uniform) { uRaw in
                withUnsafeBytes(of: stream.pointee.log_lower) { lRaw in
                    let u = uRaw.bindMemory(to: Double.self), lower = lRaw.bindMemory(to: Double.self)
                    for start in stride(from: 0, to: u.count, by: 8) {
                        var log = [Double](repeating: 0, count: 8)
                        wb_log8(Array(u[start..<(start + 8)]), &log)
                        for l in 0..<8 {
                            let i = start + l
                            if !(u[i] > 0 && u[i] < 1 && lower[i] <= log[l] && log[l] - lower[i] < 0.6931471805599453 + 1e-9) {
                                Issue.record("U \(u[i]), bound \(lower[i]), ln U \(log[l])")
                                return
                            }
                            worstGap = max(worstGap, log[l] - lower[i])
                            u1 += u[i]; count += 1
                        }
                    }
                }
            }
        }
        #expect(abs(u1 / Double(count) - 0.5) < 5 * (1 / (12 * Double(count))).squareRoot())
        #expect(worstGap > 0.69, "the bound is E ln 2: U near 2^(E+1) must show a gap near ln 2")
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

/// The white-LIF kernel (CMonteCarloKernels) called directly: two groups of eight neurons, bridge test,
/// statistics and a histogram.
struct WhiteKernelTests {
    struct Run {
        var events: [(step: Int, lanes: UInt32)] = []
        var steps = 0
        var state: [UInt64] = []        // bit patterns of every lane field and the histogram
    }

    /// Runs `steps` steps in calls that report at most `capacity` spike events each (and stop once every
    /// lane of `untilSpiked` has spiked, if nonzero).
    static func run(steps: Int, capacity: Int, untilSpiked: UInt32 = 0) -> Run {
        let normals = (0..<2).map { g -> UnsafeMutablePointer<wb_normal_stream> in
            let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<wb_normal_stream>.size, alignment: 64)
            let s = raw.bindMemory(to: wb_normal_stream.self, capacity: 1)
            var rng = LaneRNG(seed: 3, stream: UInt64(2 * g)).c
            wb_normal_stream_init(s, &rng)
            return s
        }
        let uniforms = UnsafeMutablePointer<wb_bridge_uniform_stream>.allocate(capacity: 2)
        defer { normals.forEach { UnsafeMutableRawPointer($0).deallocate() }; uniforms.deallocate() }
        for g in 0..<2 {
            uniforms[g].rng = LaneRNG(seed: 3, stream: UInt64(2 * g + 1)).c
            uniforms[g].next = WB_BRIDGE_VECTORS
        }
        var lanes = [wb_lif_lanes](repeating: wb_lif_lanes(), count: 2)
        for g in 0..<2 {
            withUnsafeMutableBytes(of: &lanes[g]) { raw in
                for l in 0..<8 {
                    raw.storeBytes(of: 10.0, toByteOffset: MemoryLayout<wb_lif_lanes>.offset(of: \.w)! + 8 * l, as: Double.self)
                    // Lane 7 of group 1 is padding: refractory for ever.
                    raw.storeBytes(of: g == 1 && l == 7 ? Double.infinity : 0, toByteOffset: MemoryLayout<wb_lif_lanes>.offset(of: \.refractory)! + 8 * l,
                                   as: Double.self)
                }
            }
        }
        var histogram = [Double](repeating: 0, count: 2 * 16)
        var result = Run()
        histogram.withUnsafeMutableBufferPointer { h in
            var p = wb_lif_white_params(theta: 20, v_reset: 10, decay: exp(-0.1 / 20), w_drift: -5 * expm1(-0.1 / 20),
                                        noise: 5 * ((1 - exp(-0.2 / 20)) / 2).squareRoot(), bridge_exponent: -2 * 20 / (25 * 0.1),
                                        refractory_steps: 20, bridge: 1, histogram: h.baseAddress, bins: 16, v_min: 4, bin_width: 1,
                                        w_drift_steps: nil, noise_steps: nil, exponent_steps: nil)
            var buffer = [wb_spike_event](repeating: wb_spike_event(), count: capacity)
            let normalStreams: [UnsafeMutablePointer<wb_normal_stream>?] = normals
            let uniformStreams: [UnsafeMutablePointer<wb_bridge_uniform_stream>?] = [uniforms, uniforms + 1]
            var pending = untilSpiked
            while result.steps < steps {
                var count: Int32 = 0
                let taken = buffer.withUnsafeMutableBufferPointer { e in
                    wb_lif_white_run(&p, &lanes, normalStreams, uniformStreams, 2, Int64(steps - result.steps), 1, pending,
                                     e.baseAddress, Int32(capacity), &count)
                }
                for e in buffer[0..<Int(count)] {
                    result.events.append((result.steps + Int(e.step), e.lanes))
                    pending &= ~e.lanes
                }
                result.steps += Int(taken)
                if untilSpiked != 0 && pending == 0 { break }
            }
        }
        for g in 0..<2 { withUnsafeBytes(of: lanes[g]) { result.state += Array($0.bindMemory(to: UInt64.self)) } }
        result.state += histogram.map(\.bitPattern)
        return result
    }

    /// A call that stops early (its event buffer full) and the refills between chunks of steps leave the
    /// random sequence and the state unchanged: one event per call gives the same run as 256.
    @Test func runsDoNotDependOnHowTheyAreCut() {
        let one = Self.run(steps: 30_000, capacity: 1), many = Self.run(steps: 30_000, capacity: 256)
        #expect(one.events.count > 300, "about 15 neurons x 9.5 Hz x 3 s spikes")
        #expect(one.events.elementsEqual(many.events) { $0.step == $1.step && $0.lanes == $1.lanes })
        #expect(one.state == many.state && one.steps == many.steps)
        #expect(one.events.allSatisfy { $0.lanes & (1 << 15) == 0 }, "the padding lane never spikes")
        // Mean over neurons of the non-refractory steps: 1 - rate x tau_ref.
        let words = MemoryLayout<wb_lif_lanes>.size / 8, field = MemoryLayout<wb_lif_lanes>.offset(of: \.free_steps)! / 8
        let freeSteps = (0..<15).map { Double(bitPattern: one.state[($0 / 8) * words + field + $0 % 8]) }
        let spikes = one.events.reduce(0) { $0 + $1.lanes.nonzeroBitCount }
        #expect(abs(freeSteps.reduce(0, +) - (15 * 30_000 - 20 * Double(spikes))) <= 20 * 15, "refractory steps = 20 per spike")
    }

    /// until_spiked: the run stops right after the step in which the last of those lanes spiked.
    @Test func untilSpikedStopsAfterTheLastOfTheLanes() {
        let watched: UInt32 = 0b0110_0000_0000_0101       // lanes 0 and 2 of group 0, 5 and 6 of group 1
        let r = Self.run(steps: 100_000, capacity: 256, untilSpiked: watched)
        let seen = r.events.reduce(UInt32(0)) { $0 | $1.lanes }
        #expect(seen & watched == watched)
        let last = r.events.last!
        #expect(r.steps == last.step, "stopped after the step of the last event")
        #expect(r.events.dropLast().reduce(UInt32(0)) { $0 | $1.lanes } & watched != watched, "not before it")
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
