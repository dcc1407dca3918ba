// `random-walk`: THEORY §4.1 as an estimator of the model `gaussian-walk`.
import EstimatorKit
import Foundation
import RandomWalkNumerics

struct RandomWalkEstimator: Estimator {
    enum Parameter: Int, EstimatorField { case x0, a, m, s, n }
    enum Output: Int, EstimatorField {
        case pCrossByN, meanN, pCrossEver, meanOvershootMv
        case pCrossByNSiegmund, siegmundRelError, pCrossByNNaive, naiveRelError
        case meanNWaldRho, waldRhoRelError, meanNWaldLadder, waldLadderRelError, meanOvershootLadderMv
        case pCrossEverSiegmund, siegmundEverRelError
    }
    typealias P = Parameter
    typealias O = Output

    let info = EstimatorInfo(
        name: "random-walk",
        summary: "Gaussian random walk S_k = x0 + sum of N(m, s^2) steps: barrier crossing P(N <= n), E[N], P(N < inf), exact and approximate",
        reference: "Siegmund 1979 (corrected diffusion); Wald's identity; Spitzer (ladder heights); THEORY.md §4.1",
        model: "gaussian-walk",
        notes: """
        N = min{k >= 1: S_k >= a}. Exact outputs (Nystrom killed-density recursion, flux accumulation for small \
        probabilities; E[N] and P(N < inf) by one banded LU solve) agree with the exact model to ~1e-13. \
        The approximations are separate outputs, each with its relative error against the exact value at the \
        same row (*_rel_error = |approximation - exact| / approximation, used as its model error by validate): Siegmund's corrected diffusion (barrier \
        moved up by rho s, rho = 0.5826), the naive continuous formula, Wald's identity with E[R] = rho s or \
        with the exact a -> inf overshoot E[R_inf]. E[N] is infinite for m <= 0; P(N < inf) = 1 for m >= 0.
        """,
        parameters: [
            ParameterSpec(P.x0, unit: "mV", .defaulted(0), summary: "start of the walk (< a)"),
            ParameterSpec(P.a, unit: "mV", .required, summary: "barrier"),
            ParameterSpec(P.m, unit: "mV/step", .required, summary: "mean step"),
            ParameterSpec(P.s, unit: "mV/step", .required, min: 0, minExclusive: true,
                          summary: "standard deviation of a step"),
            ParameterSpec(P.n, unit: "steps", .required, min: 1, max: 100_000, integer: true,
                          summary: "horizon for P(N <= n)"),
        ],
        outputs: [
            OutputSpec(O.pCrossByN, unit: "1", observable: "p_cross_by_n", summary: "P(N <= n), exact (Nystrom)"),
            OutputSpec(O.meanN, unit: "steps", observable: "mean_n", summary: "E[N], exact (m > 0)"),
            OutputSpec(O.pCrossEver, unit: "1", observable: "p_cross_ever",
                       summary: "P(N < inf), exact (1 for m >= 0)"),
            OutputSpec(O.meanOvershootMv, unit: "mV", summary: "E[S_N - a] = m E[N] - (a - x0), exact (m > 0)"),
            OutputSpec(O.pCrossByNSiegmund, unit: "1", observable: "p_cross_by_n", modelErrorOutput: .siegmundRelError,
                       summary: "Siegmund: inverse-Gaussian CDF at n with the barrier distance a - x0 + rho s"),
            OutputSpec(O.siegmundRelError, unit: "1",
                       summary: "|Siegmund - exact| / Siegmund for P(N <= n) (its model error)"),
            OutputSpec(O.pCrossByNNaive, unit: "1", observable: "p_cross_by_n", modelErrorOutput: .naiveRelError,
                       summary: "continuous (Wiener) formula with barrier distance a - x0"),
            OutputSpec(O.naiveRelError, unit: "1", summary: "|naive - exact| / naive for P(N <= n) (its model error)"),
            OutputSpec(O.meanNWaldRho, unit: "steps", observable: "mean_n", modelErrorOutput: .waldRhoRelError,
                       summary: "Wald's identity with E[R] = rho s: (a - x0 + rho s)/m (m > 0)"),
            OutputSpec(O.waldRhoRelError, unit: "1",
                       summary: "|Wald(rho s) - exact| / Wald(rho s) for E[N] (its model error)"),
            OutputSpec(O.meanNWaldLadder, unit: "steps", observable: "mean_n", modelErrorOutput: .waldLadderRelError,
                       summary: "Wald's identity with the a -> inf overshoot: (a - x0 + E[R_inf])/m (m > 0)"),
            OutputSpec(O.waldLadderRelError, unit: "1",
                       summary: "|Wald(E[R_inf]) - exact| / Wald(E[R_inf]) for E[N] (its model error)"),
            OutputSpec(O.meanOvershootLadderMv, unit: "mV",
                       summary: "E[R_inf] = (m^2+s^2)/(2m) - sum_k E[S_k^-]/k (Spitzer, m > 0)"),
            OutputSpec(O.pCrossEverSiegmund, unit: "1", observable: "p_cross_ever",
                       modelErrorOutput: .siegmundEverRelError,
                       summary: "Siegmund: exp(-2|m|(a - x0 + rho s)/s^2) (m < 0; 1 otherwise)"),
            OutputSpec(O.siegmundEverRelError, unit: "1",
                       summary: "|Siegmund - exact| / Siegmund for P(N < inf) (its model error)"),
        ])

    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Void) throws -> UInt32 {
        let x0 = p[P.x0], a = p[P.a], m = p[P.m], s = p[P.s]
        let n = Int(p[P.n])
        guard x0 < a else {
            throw EstimatorFailure(badParameter: P.x0,
                                   "parameter 'x0' = \(formatForMessage(x0)) mV is out of range (valid: < a = \(formatForMessage(a)) mV)")
        }
        // The walk is invariant under a shift by x0 and a scaling by s: it is evaluated in units of s from 0, so
        // that tiny or huge inputs (s = 1e-320 mV) neither under- nor overflow on the grid ("zero pivot" before).
        // Outputs in mV are scaled back.
        let gap = (a - x0) / s, drift = m / s
        guard gap < 1e8, abs(drift) < 1e8 else {
            throw EstimatorFailure(.badInput, "parameters (a - x0)/s = \(formatForMessage(gap)) and |m|/s = \(formatForMessage(abs(drift))) must be below 1e8 (valid: a walk resolvable on a grid of width s)")
        }
        // Ratios that underflow would turn a drifting walk into a driftless one (or move the barrier onto the start).
        guard m == 0 || abs(drift) >= .leastNormalMagnitude, gap >= .leastNormalMagnitude else {
            throw EstimatorFailure(.badInput, "parameters m = \(formatForMessage(m)) mV/step, a - x0 = \(formatForMessage(a - x0)) mV "
                                   + "and s = \(formatForMessage(s)) mV/step: |m|/s and (a - x0)/s must be 0 (m only) or at least "
                                   + "2.2e-308 (valid: ratios in the normal double range)")
        }
        let walk = GaussianWalk(x0: 0, a: gap, m: drift, s: 1)
        // Model errors relative to the approximation itself: validate accepts iff |MC − x| ≤ z·SE + δ·|x|.
        // Relative to an approximation of 0 (P(N <= n) underflowed in the formula) there is no relative error:
        // the output is marked not applicable rather than left NaN.
        func setRelative(_ o: O, _ x: Double, _ ref: Double) {
            if x == 0 { out.notApplicable(o) } else { out.set(o, abs(x - ref) / abs(x)) }
        }
        func want(_ o: O...) -> Bool { o.contains { out.wants($0) } }

        // P(N ≤ n): exact and the two continuous formulas.
        let sieg = walk.siegmundCrossingProbability(steps: n), naive = walk.naiveCrossingProbability(steps: n)
        out.set(O.pCrossByNSiegmund, sieg)
        out.set(O.pCrossByNNaive, naive)
        if want(.pCrossByN, .siegmundRelError, .naiveRelError) {
            try numerical { try walk.checkCrossingWork(steps: n) }
            let exact = walk.crossingProbabilities(steps: n).last
            out.set(O.pCrossByN, exact)
            setRelative(.siegmundRelError, sieg, exact)
            setRelative(.naiveRelError, naive, exact)
        }

        // E[N] and Wald (m > 0).
        let meanOutputs: [O] = [.meanN, .meanOvershootMv, .meanNWaldRho, .waldRhoRelError, .meanNWaldLadder,
                                .waldLadderRelError, .meanOvershootLadderMv]
        if m > 0 {
            let ladder = want(.meanNWaldLadder, .waldLadderRelError, .meanOvershootLadderMv)
                ? GaussianWalk.ladderOvershoot(m: drift, s: 1) : .nan
            let waldRho = walk.waldMeanRho!, waldLadder = (gap + ladder) / drift
            out.set(O.meanNWaldRho, waldRho)
            out.set(O.meanNWaldLadder, waldLadder)
            out.set(O.meanOvershootLadderMv, ladder * s)
            if want(.meanN, .meanOvershootMv, .waldRhoRelError, .waldLadderRelError) {
                guard let mean = try numerical({ try walk.meanCrossingTime() })?.value else { throw EstimatorFailure(.numerical, "E[N]: no result") }
                out.set(O.meanN, mean)
                out.set(O.meanOvershootMv, (drift * mean - gap) * s)
                setRelative(.waldRhoRelError, waldRho, mean)
                setRelative(.waldLadderRelError, waldLadder, mean)
            }
        } else {
            for o in meanOutputs { out.notApplicable(o) }
        }

        // P(N < ∞).
        let everSieg = walk.siegmundEver
        out.set(O.pCrossEverSiegmund, everSieg)
        if want(.pCrossEver, .siegmundEverRelError) {
            let ever = try numerical({ try walk.crossingProbabilityEver() }).value
            out.set(O.pCrossEver, ever)
            setRelative(.siegmundEverRelError, everSieg, ever)
        }
        return 0
    }
}

/// A failure of the linear algebra is a numerical error (exit 1), never a bad input; a computation refused
/// by NystromLimits is bad input (exit 2), with what it needed and which outputs remain available.
func numerical<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let limit as NystromLimit {
        throw EstimatorFailure(.badInput, "\(limit): beyond this estimator's resources at these parameters; "
                               + "the closed-form outputs remain available (ask for them alone)")
    } catch { throw EstimatorFailure(.numerical, "\(error)") }
}
