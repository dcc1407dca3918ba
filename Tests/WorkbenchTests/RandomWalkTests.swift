// THEORY §4.1 (random-walk) and §4.2 (leaky-discrete): every vector, the grid-halving test, independent
// slow paths (GSL dense LU, the Neumann series, THEORY's (p, r) system, mpmath quadrature), limits, and
// bad input through the CLI.
import Foundation
import GSLSupport
import RandomWalkNumerics
import Testing

struct WalkCase: CustomTestStringConvertible, Sendable {
    let id: String
    let x0, a, m, s: Double
    let n: Int
    let p, siegmund, naive: Double
    var others: [(k: Int, p: Double)] = []
    var testDescription: String { id }
    var walk: GaussianWalk { GaussianWalk(x0: x0, a: a, m: m, s: s) }

    // THEORY §4.1 table (P(N ≤ 1) of RW1 is the analytic Q(4.9); RW2/RW3 P(N ≤ 2) and RW3 P(N ≤ 1) from theory_vectors.json).
    static let all: [WalkCase] = [
        WalkCase(id: "RW1", x0: 0, a: 5, m: 0.1, s: 1, n: 50, p: 0.674070760642328, siegmund: 0.672556832610624, naive: 0.713791788077904,
                 others: [(1, 4.79183276590319e-7), (2, 3.4444304095782e-4), (10, 0.136949379693526)]),
        WalkCase(id: "RW2", x0: 0, a: 3, m: 0, s: 1, n: 100, p: 0.720471550695992, siegmund: 0.720148962105766, naive: 0.764177155622095,
                 others: [(1, 0.00134989803163021), (2, 0.0174787681412271), (10, 0.263210241799329)]),
        WalkCase(id: "RW3", x0: 0, a: 2, m: -0.1, s: 1, n: 100, p: 0.564278592408597, siegmund: 0.564049455959901, naive: 0.643378795726026,
                 others: [(1, 0.0178644205628165), (2, 0.0671175903239896), (10, 0.317125999427216)]),
        WalkCase(id: "RW4", x0: 0, a: 1, m: 1, s: 1, n: 5, p: 0.978356402868893, siegmund: 0.975186774378432, naive: 0.990115297399674,
                 others: [(1, 0.5), (2, 0.788989984803686)]),
    ]
}

struct RandomWalkVectorTests {
    @Test("P(N <= k) exact, Siegmund and naive at 1e-10 (THEORY §4.1)", arguments: WalkCase.all)
    func crossingProbabilities(_ c: WalkCase) {
        let r = c.walk.crossingProbabilities(steps: c.n)
        expectRelative(r.last, c.p, 1e-10, "\(c.id) P(N <= \(c.n))")
        for (k, p) in c.others { expectRelative(r.cumulative[k - 1], p, 1e-10, "\(c.id) P(N <= \(k))") }
        expectRelative(c.walk.siegmundCrossingProbability(steps: c.n), c.siegmund, 1e-10, "\(c.id) Siegmund")
        expectRelative(c.walk.naiveCrossingProbability(steps: c.n), c.naive, 1e-10, "\(c.id) naive")
    }

    @Test func rw1SmallProbabilitiesKeepRelativeAccuracy() {
        // P(N ≤ 1) = Q(4.9) to 1e-13 (mpmath: 4.791832765903198533e-7); theory_vectors.json's 4.79183276502759e-7
        // is off by 1.8e-10 (THEORY's table gives the analytic value).
        let r = WalkCase.all[0].walk.crossingProbabilities(steps: 2)
        expectRelative(r.cumulative[0], 4.791832765903198533e-7, 1e-13, "RW1 P(N <= 1) = Q(4.9)")
        // P(N ≤ 2) for far barriers against mpmath quadrature (30 digits): flux accumulation keeps ~1e-13
        // relative where 1 − S_2 would keep nothing.
        for (x0, a, m, s, ref) in [(0.0, 10.0, 0.0, 1.0, 7.6872989721753187878e-13), (0, 8, 0.5, 1, 3.7154919467205859641e-7),
                                   (0, 6, -1, 0.5, 5.612148586491471124195532e-30)] {
            let p = GaussianWalk(x0: x0, a: a, m: m, s: s).crossingProbabilities(steps: 2).last
            expectRelative(p, ref, 1e-12, "P(N <= 2) at a = \(a), m = \(m), s = \(s)")
        }
    }

    @Test func meanCrossingTimeAndWald() throws {
        let rw4 = WalkCase.all[3].walk
        expectRelative(try #require(try rw4.meanCrossingTime()).value, 1.89401518615116, 1e-10, "RW4 E[N]")
        expectRelative(rw4.waldMeanRho!, 1.58259715793901, 1e-12, "RW4 Wald + rho s")
        expectRelative(rw4.waldMeanLadder!, 1.87362736531309, 1e-12, "RW4 Wald + E[R_inf]")
        expectRelative(GaussianWalk.ladderOvershoot(m: 1, s: 1), 0.873627365313087, 1e-12, "RW4 E[R_inf]")
        let rw1 = WalkCase.all[0].walk
        expectRelative(rw1.waldMeanRho!, 55.8259715793901, 1e-12, "RW1 Wald + rho s")
        expectRelative(rw1.waldMeanLadder!, 56.0801178858512, 1e-12, "RW1 Wald + E[R_inf]")
        expectRelative(GaussianWalk.ladderOvershoot(m: 0.1, s: 1), 0.608011788585123, 1e-12, "RW1 E[R_inf]")
        expectRelative(GaussianWalk.rho, 0.582597157939011, 1e-14, "rho = -zeta(1/2)/sqrt(2 pi)")
        #expect(try WalkCase.all[1].walk.meanCrossingTime() == nil && WalkCase.all[2].walk.meanCrossingTime() == nil)
    }

    /// THEORY's RW1 E[N] = 56.0801164710948 is the value on the domain cut at 14 s√50 + 10 s below x0 (the
    /// P(N ≤ 50) cut-off): walks that drop deeper are lost (4.2e-9 of E[N]). With m = 0.1 a walk goes 109
    /// below its start with probability e^{-2m·109/s²} = 3e-10, so that cut-off is too shallow for E[N].
    /// The converged value, by LU and by the Neumann series, on cut-offs 1.3x and 1.8x deeper, is 56.080116706205.
    @Test func rw1MeanCrossingTimeConvergedValueAndTheTheoryTruncation() throws {
        let rw1 = WalkCase.all[0].walk
        let converged = 56.080116706205
        let lu = try #require(try rw1.meanCrossingTime()).value
        expectRelative(lu, converged, 2e-13, "RW1 E[N] (profile LU)")
        expectRelative(try #require(try rw1.meanCrossingTime(depth: 1.8 * rw1.eventDepth())).value, lu, 1e-13, "RW1 E[N], deeper cut-off")
        expectRelative(rw1.meanCrossingTimeNeumann(), lu, 1e-12, "RW1 E[N] by the Neumann series (the recursion summed)")
        let theoryCut = 14 * 50.0.squareRoot() + 10
        expectRelative(try #require(try rw1.meanCrossingTime(depth: theoryCut)).value, 56.0801164710948, 1e-11,
                       "RW1 E[N] on THEORY's P(N <= 50) domain reproduces its vector")
        // Wald: the exact overshoot m E[N] − (a − x0) tends to E[R_inf] as a → ∞ (THEORY: 0.608011788585426 at a = 30).
        let big = try #require(try GaussianWalk(x0: 0, a: 30, m: 0.1, s: 1).meanCrossingTime()).value
        #expect(abs(0.1 * big - 30 - 0.608011788585426) < 1e-9, "a = 30 overshoot \(0.1 * big - 30)")
        #expect(abs(0.1 * big - 30 - GaussianWalk.ladderOvershoot(m: 0.1, s: 1)) < 1e-9)
    }

    @Test func crossingEverAndSiegmund() throws {
        let rw3 = WalkCase.all[2].walk
        expectRelative(try rw3.crossingProbabilityEver().value, 0.596698145727821, 1e-10, "RW3 P(N < inf)")
        expectRelative(rw3.siegmundEver, 0.596593422708402, 1e-12, "RW3 Siegmund P(N < inf)")
        #expect(try WalkCase.all[0].walk.crossingProbabilityEver().value == 1)
        #expect(try WalkCase.all[1].walk.crossingProbabilityEver().value == 1)
        // P(N ≤ n) → P(N < ∞) for m < 0 (P(n < N < ∞) ~ e^{-n m²/(2s²)} = e^{-37.5} at n = 300).
        let w = GaussianWalk(x0: 0, a: 2, m: -0.5, s: 1)
        expectRelative(w.crossingProbabilities(steps: 300).last, try w.crossingProbabilityEver().value, 1e-12, "P(N <= 300) vs P(N < inf)")
    }

    @Test func longHorizonsStopOnceNothingCanStillCross() {
        // m > 0: after the a-priori horizon (P(S_k < a) ≤ Q(9)) or once the survival is < 1e-18 of P, later
        // steps add nothing; n = 100000 costs what n = 200 costs.
        let w = GaussianWalk(x0: 0, a: 4, m: 1, s: 1.2)
        let long = w.crossingProbabilities(steps: 100_000), short = w.crossingProbabilities(steps: 200)
        #expect(long.iterated < 200, "iterated \(long.iterated) steps")
        expectRelative(long.last, short.last, 1e-16, "P(N <= 1e5) vs P(N <= 200)")
        #expect(long.last <= 1 && 1 - long.last < 1e-15)
    }

    @Test func gridHalvingChangesNothingBeyond1e13() throws {
        for c in WalkCase.all {
            var fine = c.walk
            fine.resolution = NystromResolution.standard.halved
            expectRelative(fine.crossingProbabilities(steps: c.n).last, c.walk.crossingProbabilities(steps: c.n).last, 1e-13, "\(c.id) P halved")
            if c.m > 0 {
                expectRelative(try #require(try fine.meanCrossingTime()).value, try #require(try c.walk.meanCrossingTime()).value, 1e-13, "\(c.id) E[N] halved")
            }
            if c.m < 0 {
                expectRelative(try fine.crossingProbabilityEver().value, try c.walk.crossingProbabilityEver().value, 1e-13, "\(c.id) P(N<inf) halved")
            }
        }
    }

    @Test func profileLUAgreesWithGSLDenseLUAndNeumann() throws {
        for (a, m, s) in [(1.0, 1.0, 1.0), (3.0, 0.5, 1.0), (2.0, 2.0, 0.7), (0.3, 0.2, 1.5)] {
            let w = GaussianWalk(x0: 0, a: a, m: m, s: s)
            let profile = try #require(try w.meanCrossingTime()).value
            expectRelative(try w.meanCrossingTimeDenseLU(), profile, 1e-13, "E[N] profile vs GSL dense LU, a=\(a) m=\(m) s=\(s)")
            expectRelative(w.meanCrossingTimeNeumann(), profile, 1e-12, "E[N] profile vs Neumann, a=\(a) m=\(m) s=\(s)")
        }
    }

    @Test func translationInvarianceAndScaling() throws {
        // (x0, a) → (x0 + c, a + c) and (x0, a, m, s) → λ(x0, a, m, s) leave N unchanged.
        let base = GaussianWalk(x0: 0, a: 5, m: 0.1, s: 1)
        for w in [GaussianWalk(x0: 1000, a: 1005, m: 0.1, s: 1), GaussianWalk(x0: -2.5, a: 2.5, m: 0.1, s: 1),
                  GaussianWalk(x0: 0, a: 50, m: 1, s: 10), GaussianWalk(x0: 0, a: 5e-3, m: 1e-4, s: 1e-3)] {
            expectRelative(w.crossingProbabilities(steps: 20).last, base.crossingProbabilities(steps: 20).last, 1e-12, "P(N <= 20) \(w.x0) \(w.a)")
            expectRelative(try #require(try w.meanCrossingTime()).value, try #require(try base.meanCrossingTime()).value, 1e-12, "E[N]")
        }
    }

    @Test func crossingProbabilityIsMonotoneAndBetweenBounds() {
        // P(N ≤ n) increases with n; it lies above P(S_n ≥ a) (the walk is above a at step n) — a hard lower bound.
        for (a, m, s) in [(5.0, 0.1, 1.0), (3.0, 0.0, 1.0), (2.0, -0.1, 1.0), (1.0, 1.0, 1.0), (10.0, 0.3, 2.0)] {
            let w = GaussianWalk(x0: 0, a: a, m: m, s: s)
            let r = w.crossingProbabilities(steps: 60).cumulative
            for k in 1..<r.count { #expect(r[k] >= r[k - 1]) }
            for k in [1, 5, 20, 60] {
                let end = Special.normalTail((a - Double(k) * m) / (s * Double(k).squareRoot()))
                #expect(r[k - 1] >= end * (1 - 1e-14), "P(N <= \(k)) = \(r[k - 1]) below P(S_k >= a) = \(end)")
            }
        }
    }

    @Test func inverseGaussianCDFAgreesWithTheWienerVectors() {
        // THEORY §3.4 W1–W3: the §3.2 CDF used for the Siegmund and naive approximations.
        for (t, ref) in [(1.0, 2.00077595680405e-21), (10, 0.0800667526058715), (20, 0.585288859162986), (50, 0.991236488677933)] {
            expectRelative(InverseGaussian.cdf(t: t, distance: 10, drift: 0.5, noise: 1), ref, 1e-12, "W1 F(\(t))")
        }
        expectRelative(InverseGaussian.cdf(t: 50, distance: 10, drift: 0, noise: 1), 0.157299207050285, 1e-12, "W2 F(50)")
        expectRelative(InverseGaussian.cdf(t: 100, distance: 10, drift: -0.2, noise: 1), 0.0167596645815553, 1e-12, "W3 F(100)")
        expectRelative(InverseGaussian.cdf(t: 1e6, distance: 10, drift: -0.2, noise: 1), 0.0183156388887342, 1e-12, "W3 F(1e6)")
    }
}

struct LeakyCase: CustomTestStringConvertible, Sendable {
    let id: String
    let beta, m, s: Double
    let mode: LeakyDiscrete.Mode
    let mean, std, free, r: Double
    var testDescription: String { id }
    var model: LeakyDiscrete { LeakyDiscrete(beta: beta, m: m, s: s, theta: 1, vReset: 0, mode: mode) }
    static let all: [LeakyCase] = [
        LeakyCase(id: "L1", beta: 0.9, m: 0.05, s: 0.3, mode: .reset, mean: 0.5, std: 0.688247201611685, free: 0.233771314521887, r: 0.0375334905487411),
        LeakyCase(id: "L2", beta: 0.9, m: 0.05, s: 0.3, mode: .subtract, mean: 0.5, std: 0.688247201611685, free: 0.233771314521887, r: 0.040596887571772),
        LeakyCase(id: "L3", beta: 0.5, m: 0.4, s: 0.5, mode: .reset, mean: 0.8, std: 0.577350269189626, free: 0.364517244769402, r: 0.197993959457993),
        LeakyCase(id: "L4", beta: 0.5, m: 0.4, s: 0.5, mode: .subtract, mean: 0.8, std: 0.577350269189626, free: 0.364517244769402, r: 0.217607715463979),
        LeakyCase(id: "L5", beta: 0.95, m: 0, s: 0.1, mode: .reset, mean: 0, std: 0.320256307610174, free: 8.96613575925027e-4, r: 2.52121753268352e-4),
    ]
}

struct LeakyDiscreteTests {
    @Test("free statistics and exact spike probability at 1e-10 (THEORY §4.2)", arguments: LeakyCase.all)
    func vectors(_ c: LeakyCase) throws {
        let l = c.model
        expectRelative(l.freeMean, c.mean, 1e-13, "\(c.id) free mean")
        expectRelative(l.freeStd, c.std, 1e-13, "\(c.id) free std")
        expectRelative(l.freeAbove, c.free, 1e-12, "\(c.id) P_free(U > theta)")
        expectRelative(try l.spikeProbability().spikeProbability, c.r, 1e-10, "\(c.id) spike probability")
        var fine = l
        fine.resolution = NystromResolution.standard.halved
        // L5: r = 1/E[steps between spikes] = 1/3966; the solve's rounding is amplified by the condition
        // number ~ E ≈ 4e3 (the dense GSL solve of THEORY's system sits 2e-13 from the vector as well).
        expectRelative(try fine.spikeProbability().spikeProbability, try l.spikeProbability().spikeProbability, c.id == "L5" ? 1e-12 : 1e-13, "\(c.id) grid halved")
    }

    @Test func resetRenewalFormulationAgreesWithTheorysDenseSystem() throws {
        // THEORY §4.2 (p, r) system with a replaced equation, GSL dense LU — an independent formulation.
        for c in LeakyCase.all where c.mode == .reset {
            expectRelative(try c.model.spikeProbabilityDenseReference(), try c.model.spikeProbability().spikeProbability, 1e-11, "\(c.id) dense (p, r)")
        }
        let other = LeakyDiscrete(beta: 0.7, m: 0.2, s: 0.4, theta: 1, vReset: -0.5, mode: .reset)
        expectRelative(try other.spikeProbabilityDenseReference(), try other.spikeProbability().spikeProbability, 1e-11, "V_r = -0.5")
    }

    @Test func withoutLeakTheSpikeProbabilityIsTheInputTail() throws {
        // β = 0: V' = X every step, so r = Q((θ − m)/s) in both modes, whatever θ's sign.
        for (theta, vr) in [(1.0, 0.0), (-0.5, -2.0), (2.5, 1.0)] {
            for mode in [LeakyDiscrete.Mode.reset, .subtract] {
                let l = LeakyDiscrete(beta: 0, m: 0.3, s: 0.8, theta: theta, vReset: vr, mode: mode)
                expectRelative(try l.spikeProbability().spikeProbability, Special.normalTail((theta - 0.3) / 0.8), 1e-12, "beta = 0, theta = \(theta), \(mode)")
            }
        }
    }

    @Test func resetIsBelowTheFreeEstimateAndSubtractAboveReset() throws {
        for c in LeakyCase.all where c.mode == .reset {
            let r = try c.model.spikeProbability().spikeProbability
            #expect(r < c.model.freeAbove, "\(c.id): reset rate above the no-reset estimate")
        }
        // Subtracting θ leaves the potential higher than resetting to 0 when V' − θ > 0.
        #expect(LeakyCase.all[1].r > LeakyCase.all[0].r && LeakyCase.all[3].r > LeakyCase.all[2].r)
    }
}

struct RandomWalkCLITests {
    @Test func vectorsThroughTheCLI() throws {
        let r = try workbench(["eval", "random-walk", "1", "1", "1", "5", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let j = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let o = try #require(j["outputs"] as? [String: Any])
        expectRelative(try #require(o["p_cross_by_n"] as? Double), 0.978356402868893, 1e-10, "RW4 P(N <= 5)")
        expectRelative(try #require(o["mean_n"] as? Double), 1.89401518615116, 1e-10, "RW4 E[N]")
        expectRelative(try #require(o["wald_rho_rel_error"] as? Double), 1.89401518615116 / 1.58259715793901 - 1, 1e-9, "Wald 16 % off (relative to itself)")
        let l = try workbench(["eval", "leaky-discrete", "0.9", "0.05", "0.3", "--mode", "subtract", "--time-step", "0.5", "--format", "json"])
        #expect(l.code == 0, "\(l.stderr)")
        let lj = try #require(JSONSerialization.jsonObject(with: Data(l.stdout.utf8)) as? [String: Any])
        let lo = try #require(lj["outputs"] as? [String: Any])
        expectRelative(try #require(lo["spike_prob"] as? Double), 0.040596887571772, 1e-10, "L2")
        expectRelative(try #require(lo["rate_hz"] as? Double), 1000 * 0.040596887571772 / 0.5, 1e-10, "L2 rate at 0.5 ms per step")
    }

    @Test("bad input exits 2 naming the parameter", arguments: [
        (["eval", "random-walk", "5", "0.1", "0", "50"], "'s'"),
        (["eval", "random-walk", "5", "0.1", "-1", "50"], "'s'"),
        (["eval", "random-walk", "5", "0.1", "1", "50", "--x0", "5"], "'x0'"),
        (["eval", "random-walk", "5", "0.1", "1", "50", "--x0", "7"], "'x0'"),
        (["eval", "random-walk", "5", "0.1", "1", "0"], "'n'"),
        (["eval", "random-walk", "5", "0.1", "1", "2.5"], "'n'"),
        (["eval", "leaky-discrete", "1", "0.05", "0.3"], "'beta'"),
        (["eval", "leaky-discrete", "-0.1", "0.05", "0.3"], "'beta'"),
        (["eval", "leaky-discrete", "0.9", "0.05", "0"], "'s'"),
        (["eval", "leaky-discrete", "0.9", "0.05", "0.3", "--v-reset", "1"], "'v_reset'"),
        (["eval", "leaky-discrete", "0.9", "0.05", "0.3", "--mode", "later"], "'mode'"),
    ])
    func badInput(_ args: [String], _ name: String) throws {
        let r = try workbench(args)
        #expect(r.code == 2, "\(args): exit \(r.code), \(r.stderr)")
        #expect(r.stderr.contains(name), "\(args): message does not name \(name): \(r.stderr)")
    }

    /// Grids no machine holds are refused up front (NystromLimits), in milliseconds, naming what needed
    /// how much; the outputs that need no grid stay available. These inputs once allocated 4-27 GB or ran
    /// for minutes; a subnormal walk once trapped on Int(-inf).
    @Test("resource limits", arguments: [
        (["eval", "random-walk", "1", "1e-5", "1", "10"], "E[N] needs a Nyström grid"),
        (["eval", "random-walk", "1e6", "1e-6", "1", "10"], "Nyström grid"),
        (["eval", "random-walk", "1", "0", "1", "100000"], "node-steps"),
        (["eval", "random-walk", "5", "0.1", "1e98", "11", "--x0", "-6e95"], "E[N] needs a Nyström grid"),
        (["eval", "leaky-discrete", "0.48", "-127", "0.0217"], "spike_prob needs a matrix profile"),
    ])
    func resourceLimits(_ args: [String], _ words: String) throws {
        let started = Date()
        let r = try workbench(args)
        #expect(r.code == 2 && r.stderr.contains(words) && r.stderr.contains("limit"), "\(args): \(r.code) \(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 10, "\(args) took too long to refuse")
        let rest = try workbench(args + ["--outputs", args[1] == "leaky-discrete" ? "free_mean_mv" : "p_cross_by_n_siegmund"])
        #expect(rest.code == 0, "\(args): the closed-form output: \(rest.stderr)")
    }
}

/// The reset mode's stationary solve (Sherman–Morrison on the row-replaced I − K) at small spike
/// probabilities, where the renewal form 1/(1 + 1ᵀ(I − K)^{-1}c) lost all digits (it returned −3e-16 at
/// β = 0.5, m = −5, s = 1): agreement with the dense (p, r) reference where that one is still accurate
/// (its error is ~ε/r), grid convergence where it is not, and never a negative probability.
struct LeakyDiscreteSmallRateTests {
    @Test func agreesWithTheDenseReferenceWhereItIsAccurate() throws {
        for (m, tol) in [(-2.0, 1e-9), (-1.0, 1e-11), (0.0, 1e-12)] {
            let l = LeakyDiscrete(beta: 0.5, m: m, s: 1, theta: 1, vReset: 0, mode: .reset)
            expectRelative(try l.spikeProbability().spikeProbability, try l.spikeProbabilityDenseReference(), tol, "m = \(m)")
        }
    }

    @Test func smallRatesAreGridConvergedAndPositive() throws {
        for (m, p) in [(-3.0, 6.712418167203877e-10), (-5.0, 8.151061851558024e-22)] {
            let l = LeakyDiscrete(beta: 0.5, m: m, s: 1, theta: 1, vReset: 0, mode: .reset)
            let fine = LeakyDiscrete(beta: 0.5, m: m, s: 1, theta: 1, vReset: 0, mode: .reset, resolution: NystromResolution.standard.halved)
            let r = try l.spikeProbability().spikeProbability
            expectRelative(r, try fine.spikeProbability().spikeProbability, 1e-12, "grid halved, m = \(m)")
            expectRelative(r, p, 1e-12, "m = \(m)")
            // Reinjection at V_r = 0 or at V' − θ changes so rare a rate only at the 1e-9 level.
            let sub = try LeakyDiscrete(beta: 0.5, m: m, s: 1, theta: 1, vReset: 0, mode: .subtract).spikeProbability().spikeProbability
            expectRelative(r, sub, 1e-4, "reset vs subtract, m = \(m)")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let beta = Double.random(in: 0...0.95, using: &rng), s = Double.random(in: 0.2...2, using: &rng)
            let m = Double.random(in: -8...1, using: &rng) * s
            let l = LeakyDiscrete(beta: beta, m: m, s: s, theta: 1, vReset: 0, mode: .reset)
            let r = try l.spikeProbability().spikeProbability
            // 0 only where even the free (no-reset) estimate is at the bottom of the double range.
            #expect(r >= 0 && r <= 1 && (r > 0 || l.freeAbove < 1e-280), "beta \(beta), m \(m), s \(s): \(r)")
        }
    }
}
