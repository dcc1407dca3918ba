// Small dense systems through GSL's LU decomposition (partial pivoting): the Newton step (real) and, per
// frequency, det(1 - M) and (1 - M)^-1 (complex). Row-major arrays of n x n.
import CGSL
import ComplexModule
import Foundation
import GSLSupport

enum LinearAlgebra {
    struct Singular: Error {}

    /// Solves A x = b.
    static func solve(_ a: [Double], _ b: [Double], n: Int) throws -> [Double] {
        _ = GSL.abortHandlerOff
        var a = a, b = b
        var x = [Double](repeating: 0, count: n)
        let status: Int32 = a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                x.withUnsafeMutableBufferPointer { xp in
                    var m = gsl_matrix_view_array(ap.baseAddress, n, n)
                    var bv = gsl_vector_view_array(bp.baseAddress, n)
                    var xv = gsl_vector_view_array(xp.baseAddress, n)
                    let perm = gsl_permutation_alloc(n)
                    defer { gsl_permutation_free(perm) }
                    var sign: Int32 = 0
                    let s = gsl_linalg_LU_decomp(&m.matrix, perm, &sign)
                    if s != 0 || gsl_linalg_LU_det(&m.matrix, sign) == 0 { return -1 }
                    return gsl_linalg_LU_solve(&m.matrix, perm, &bv.vector, &xv.vector)
                }
            }
        }
        guard status == 0 else { throw Singular() }
        return x
    }

    /// det(I - M) and (I - M)^-1 (nil when singular) for complex M.
    static func identityMinus(_ m: [Complex<Double>], n: Int) -> (det: Complex<Double>, inverse: [Complex<Double>]?) {
        _ = GSL.abortHandlerOff
        var storage = [Double](repeating: 0, count: 2 * n * n)
        for i in 0..<n {
            for j in 0..<n {
                let v = (i == j ? Complex<Double>(1) : .zero) - m[i * n + j]
                storage[2 * (i * n + j)] = v.real
                storage[2 * (i * n + j) + 1] = v.imaginary
            }
        }
        var inverse = [Double](repeating: 0, count: 2 * n * n)
        var det = Complex<Double>.zero, ok = false
        storage.withUnsafeMutableBufferPointer { sp in
            inverse.withUnsafeMutableBufferPointer { ip in
                var lu = gsl_matrix_complex_view_array(sp.baseAddress, n, n)
                var inv = gsl_matrix_complex_view_array(ip.baseAddress, n, n)
                let perm = gsl_permutation_alloc(n)
                defer { gsl_permutation_free(perm) }
                var sign: Int32 = 0
                guard gsl_linalg_complex_LU_decomp(&lu.matrix, perm, &sign) == 0 else { return }
                let d = gsl_linalg_complex_LU_det(&lu.matrix, sign)
                det = Complex(d.dat.0, d.dat.1)
                ok = det != .zero && gsl_linalg_complex_LU_invert(&lu.matrix, perm, &inv.matrix) == 0
            }
        }
        guard ok else { return (det, nil) }
        return (det, (0..<n * n).map { Complex(inverse[2 * $0], inverse[2 * $0 + 1]) })
    }
}
