// Slow, independent paths for the tests: GSL's dense pivoting LU (gsl_linalg_LU_decomp/solve), the
// Neumann series of E[N], and THEORY §4.2's (p, r) system for the leaky reset neuron as written there.
import CGSL
import Foundation
import GSLSupport

public enum DenseLU {
    /// Solves A x = b (A row-major n × n) with GSL's LU with partial pivoting.
    public static func solve(_ a: [Double], _ b: [Double]) throws -> [Double] {
        let n = b.count
        precondition(a.count == n * n)
        _ = GSL.abortHandlerOff
        let m = gsl_matrix_alloc(n, n)!, perm = gsl_permutation_alloc(n)!
        let bv = gsl_vector_alloc(n)!, xv = gsl_vector_alloc(n)!
        defer { gsl_matrix_free(m); gsl_permutation_free(perm); gsl_vector_free(bv); gsl_vector_free(xv) }
        for i in 0..<n {
            gsl_vector_set(bv, i, b[i])
            for j in 0..<n { gsl_matrix_set(m, i, j, a[i * n + j]) }
        }
        var signum: Int32 = 0
        var status = gsl_linalg_LU_decomp(m, perm, &signum)
        if status != 0 { throw NystromFailure("gsl_linalg_LU_decomp status \(status)") }
        status = gsl_linalg_LU_solve(m, perm, bv, xv)
        if status != 0 { throw NystromFailure("gsl_linalg_LU_solve status \(status)") }
        return (0..<n).map { gsl_vector_get(xv, $0) }
    }
}

public extension GaussianWalk {
    /// E[N] with the full dense kernel (no band cut) and GSL's pivoting LU.
    func meanCrossingTimeDenseLU() throws -> Double {
        precondition(m > 0)
        let g = grid(lower: z0 - eventDepth())
        let n = g.count, invS = 1 / s
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (i == j ? 1 : 0) - g.w[i] * gaussian(g.y[i] - g.y[j] - m, invS) } }
        let b = (0..<n).map { g.w[$0] * gaussian(g.y[$0] - z0 - m, invS) }
        return 1 + (try DenseLU.solve(a, b)).reduce(0, +)
    }

    /// E[N] = Σ_{k≥0} S_k by the recursion itself (the Neumann series of (I − K)^{-1}), until S_k < 1e-19.
    func meanCrossingTimeNeumann(maxSteps: Int = 200_000) -> Double {
        precondition(m > 0)
        let g = grid(lower: z0 - eventDepth())
        let k = forwardOperator(g, identityMinus: false)
        let invS = 1 / s
        var u = (0..<g.count).map { g.w[$0] * gaussian(g.y[$0] - z0 - m, invS) }
        var next = u
        var total = CompensatedSum()
        total.add(1)
        for _ in 0..<maxSteps {
            let survival = u.reduce(0, +)
            total.add(survival)
            if survival < 1e-19 { break }
            u.withUnsafeBufferPointer { up in next.withUnsafeMutableBufferPointer { np in
                k.multiply(up.baseAddress!, into: np.baseAddress!, rows: 0..<g.count)
            } }
            swap(&u, &next)
        }
        return total.value
    }
}

public extension LeakyDiscrete {
    /// THEORY §4.2 reset system as written: unknowns (p_i, r), one equation of (M − I)v = 0 replaced by
    /// Σ w_j p_j + r = 1, dense, GSL LU. (Independent of the renewal formulation used by `spikeProbability`.)
    func spikeProbabilityDenseReference() throws -> Double {
        precondition(mode == .reset)
        let g = grid()
        let n = g.count, dim = n + 1, invS = 1 / s
        var a = [Double](repeating: 0, count: dim * dim)
        for i in 0..<n {
            for j in 0..<n { a[i * dim + j] = gaussian(g.y[i] - beta * g.y[j] - m, invS) * g.w[j] - (i == j ? 1 : 0) }
            a[i * dim + n] = gaussian(g.y[i] - beta * vReset - m, invS)
        }
        // The r equation is replaced by the normalisation.
        for j in 0..<n { a[n * dim + j] = g.w[j] }
        a[n * dim + n] = 1
        var b = [Double](repeating: 0, count: dim)
        b[n] = 1
        return try DenseLU.solve(a, b)[n]
    }
}
