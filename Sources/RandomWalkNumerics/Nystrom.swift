// Nyström machinery shared by the Gaussian walk and the leaky discrete neuron (THEORY §4): composite
// Gauss–Legendre panels (GSL's 16-point table), Gaussian-kernel operators stored by their band
// ("profile": row i holds columns lo_i...hi_i), banded matrix-vector products and a profile LU.
import Foundation
import GSLSupport

/// Panel widths in units of s. THEORY §4.1 prescribes ≤ 0.5 s; that is kept next to the anchors
/// (barrier, threshold, the jump of the subtract density), and widths grow linearly with the distance
/// from the nearest anchor up to `maxWidth`. Why wider panels are exact here: a panel integrand is the
/// kernel φ_s times a density that is itself a φ_s-convolution, i.e. smooth on the scale s; the 16-point
/// rule (exact to degree 31) on a panel of half-width h errs by ≈ (h/s)^32/(16!·2^16) relative, 1e-18 for
/// h = s. Measured (tests, grid halving): halving every width changes P(N ≤ n), E[N], P(N < ∞) and the
/// leaky spike probability by < 1e-13 relative.
public struct NystromResolution: Sendable {
    public var fineWidth = 0.5, maxWidth = 2.0, growth = 0.5
    /// The kernel φ_s(Δ) is dropped for |Δ| > bandCut·s (mass outside: 2Q(10) = 1.5e-23 per step).
    public var bandCut = 10.0
    public init() {}
    public init(fineWidth: Double, maxWidth: Double, growth: Double) {
        self.fineWidth = fineWidth; self.maxWidth = maxWidth; self.growth = growth
    }
    public static let standard = NystromResolution()
    /// Every panel width halved (for the grid-halving test).
    public var halved: NystromResolution { NystromResolution(fineWidth: fineWidth / 2, maxWidth: maxWidth / 2, growth: growth / 2) }
}

/// Resource bounds of the Nyström numerics. Ordinary-looking inputs can ask for grids no machine holds
/// (random-walk 1 1e-5 1 10 wanted 4e7 nodes, 27 GB; a leaky profile 11.7 GB), so sizes are computed from
/// the parameters and refused before anything is allocated. Measured on the 2-core machine: 4e5 nodes
/// of E[N] cost 0.6 s and 280 MB; 1.1e8 node-steps of P(N ≤ n) 2 s; 1.45e8 profile entries 1.2 GB.
public enum NystromLimits {
    public static let maxNodes = 500_000.0
    public static let maxProfileEntries = 160_000_000      // 1.3 GB of doubles
    public static let maxNodeSteps = 5e8                   // ~10 s of banded products
}

/// A computation refused up front by NystromLimits; the message says what needed how much.
public struct NystromLimit: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Nodes (ascending) and weights of a composite Gauss–Legendre rule.
public struct NystromGrid: Sendable {
    public private(set) var y: [Double] = []
    public private(set) var w: [Double] = []
    public var count: Int { y.count }
    static let rule = GaussLegendre(order: 16)     // gsl_integration_glfixed_table, 16 nodes

    public init() {}

    /// An upper estimate of the nodes addSegment places on `length` with `anchors` fine ends, from the
    /// widths alone (nothing allocated; a NaN or infinite length gives +inf). Each anchor's ramp from
    /// fineWidth to maxWidth spans (max − fine)/growth s, i.e. at most that over fineWidth panels.
    public static func estimatedNodes(length: Double, s: Double, anchors: Int, _ res: NystromResolution) -> Double {
        let ramp = (res.maxWidth - res.fineWidth) / res.growth / res.fineWidth + 1
        let panels = (length / s) / res.maxWidth + Double(anchors) * ramp + 1
        return panels.isNaN ? .infinity : Double(rule.nodes.count) * panels
    }

    /// Throws NystromLimit when `estimatedNodes` exceeds NystromLimits.maxNodes.
    public static func checkSize(length: Double, s: Double, anchors: Int, _ res: NystromResolution, _ what: String) throws {
        let n = estimatedNodes(length: length, s: s, anchors: anchors, res)
        guard n <= NystromLimits.maxNodes else {
            throw NystromLimit("\(what) needs a Nyström grid of about \(String(format: "%.2g", n)) nodes (limit \(String(format: "%.2g", NystromLimits.maxNodes)))")
        }
    }

    /// Appends panels covering [lo, hi] (lo < hi), fine (width res.fineWidth·s) at the ends flagged as
    /// anchors and growing towards the other end. Call with ascending, adjacent segments.
    public mutating func addSegment(_ lo: Double, _ hi: Double, s: Double, fineAtLo: Bool, fineAtHi: Bool,
                                    _ res: NystromResolution) {
        guard hi > lo else { return }
        let length = hi - lo
        func widths(_ len: Double) -> [Double] {     // marching away from an anchor
            var out: [Double] = [], pos = 0.0
            while pos < len {
                let wd = min(res.maxWidth, res.fineWidth + res.growth * pos / s) * s
                out.append(wd); pos += wd
            }
            let scale = len / pos                     // ≤ 1: widths only shrink to land on the end
            return out.map { $0 * scale }
        }
        var ws: [Double]
        switch (fineAtLo, fineAtHi) {
        case (true, true):
            let a = widths(length / 2)
            ws = a + a.reversed()
        case (true, false): ws = widths(length)
        case (false, true): ws = widths(length).reversed()
        case (false, false):
            let k = max(1, Int((length / (res.maxWidth * s)).rounded(.up)))
            ws = [Double](repeating: length / Double(k), count: k)
        }
        var left = lo
        for (k, wd) in ws.enumerated() {
            let right = k == ws.count - 1 ? hi : left + wd
            let half = 0.5 * (right - left), mid = 0.5 * (left + right)
            for i in 0..<Self.rule.nodes.count {
                y.append(mid + half * Self.rule.nodes[i])
                w.append(half * Self.rule.weights[i])
            }
            left = right
        }
    }

    /// First index with y ≥ v (count if none).
    public func lowerBound(_ v: Double) -> Int {
        var lo = 0, hi = y.count
        while lo < hi { let mid = (lo + hi) / 2; if y[mid] < v { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    /// Last index with y ≤ v (-1 if none).
    public func upperBound(_ v: Double) -> Int {
        var lo = 0, hi = y.count
        while lo < hi { let mid = (lo + hi) / 2; if y[mid] <= v { lo = mid + 1 } else { hi = mid } }
        return lo - 1
    }
}

@inline(__always) func gaussian(_ x: Double, _ invS: Double) -> Double {
    let u = x * invS
    return exp(-0.5 * u * u) * invS * 0.39894228040143267794
}

/// A square matrix stored by rows over a monotone profile: row i holds columns lo[i]...hi[i] with lo and
/// hi non-decreasing and lo[i] ≤ i ≤ hi[i]. Gaussian elimination without pivoting keeps every fill-in
/// inside this profile (row k's upper part spans k...hi[k] ⊆ ...hi[i] for every later row i).
public struct ProfileMatrix {
    public let n: Int
    public private(set) var lo: [Int], hi: [Int]
    var offset: [Int]
    var a: [Double]

    /// `columns(i)` gives the (possibly empty) column range where the entries of row i are non-negligible;
    /// the profile is widened to include the diagonal and made monotone.
    public init(n: Int, columns: (Int) -> (Int, Int)) {
        self.n = n
        (lo, hi, offset) = Self.profile(n: n, columns: columns)
        a = [Double](repeating: 0, count: offset[n])
    }

    /// Throws NystromLimit (naming `what`) when the profile of `columns` would hold more than
    /// NystromLimits.maxProfileEntries entries; call before init(n:columns:) allocates them.
    public static func check(n: Int, _ what: String, columns: (Int) -> (Int, Int)) throws {
        let entries = profile(n: n, columns: columns).offset[n]
        guard entries <= NystromLimits.maxProfileEntries else {
            throw NystromLimit("\(what) needs a matrix profile of \(String(format: "%.2g", Double(entries))) entries (limit \(String(format: "%.2g", Double(NystromLimits.maxProfileEntries))))")
        }
    }

    static func profile(n: Int, columns: (Int) -> (Int, Int)) -> (lo: [Int], hi: [Int], offset: [Int]) {
        var l = [Int](repeating: 0, count: n), h = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let (c0, c1) = columns(i)
            l[i] = c1 < c0 ? i : min(c0, i); h[i] = c1 < c0 ? i : max(c1, i)
        }
        for i in 1..<max(n, 1) { h[i] = max(h[i], h[i - 1]) }
        if n >= 2 { for i in stride(from: n - 2, through: 0, by: -1) { l[i] = min(l[i], l[i + 1]) } }
        var off = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { off[i + 1] = off[i] + h[i] - l[i] + 1 }
        return (l, h, off)
    }

    /// Fills row i: f(j) for j in lo[i]...hi[i] (f returns the entry).
    public mutating func fillRow(_ i: Int, _ f: (Int) -> Double) {
        let o = offset[i] - lo[i]
        for j in lo[i]...hi[i] { a[o + j] = f(j) }
    }
    public subscript(i: Int, j: Int) -> Double {
        get { j >= lo[i] && j <= hi[i] ? a[offset[i] - lo[i] + j] : 0 }
        set { precondition(j >= lo[i] && j <= hi[i]); a[offset[i] - lo[i] + j] = newValue }
    }

    /// out[i] = Σ_j A_ij x_j for rows in `rows`, using only x[j] for j ≥ firstColumn.
    public func multiply(_ x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, rows: Range<Int>, firstColumn: Int = 0) {
        a.withUnsafeBufferPointer { ap in
            for i in rows {
                let j0 = max(lo[i], firstColumn), j1 = hi[i]
                out[i] = j1 < j0 ? 0 : dot(ap.baseAddress! + (offset[i] - lo[i] + j0), x + j0, j1 - j0 + 1)
            }
        }
    }

    /// In-place LU without pivoting. Why no pivoting (GSL has no banded LU, and partial pivoting would
    /// widen the upper band to kl+ku): every matrix factorised here is I − K with K ≥ 0 a sub-stochastic
    /// transfer operator in mass variables (column sums = probability of surviving a step ≤ 1), or its
    /// transpose — diagonally dominant by columns (or rows). Gaussian elimination then needs no pivoting:
    /// the Schur complements stay diagonally dominant and the growth factor is ≤ 2 (Wilkinson).
    /// The tests compare against GSL's pivoting dense LU (gsl_linalg_LU_decomp/solve).
    public mutating func factorize() throws {
        try a.withUnsafeMutableBufferPointer { ap in
            let p = ap.baseAddress!
            for k in 0..<n {
                let rowK = p + (offset[k] - lo[k])
                let pivot = rowK[k]
                guard pivot.isFinite && pivot != 0 else { throw NystromFailure("zero pivot at node \(k)") }
                let len = hi[k] - k
                var i = k + 1
                while i < n && lo[i] <= k {
                    let rowI = p + (offset[i] - lo[i])
                    let l = rowI[k] / pivot
                    rowI[k] = l
                    if l != 0 && len > 0 { axpy(-l, rowK + (k + 1), rowI + (k + 1), len) }
                    i += 1
                }
            }
        }
    }

    /// Solves A x = b after `factorize` (b is overwritten by x).
    public func solve(_ b: inout [Double]) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                let p = ap.baseAddress!, x = bp.baseAddress!
                for i in 0..<n where lo[i] < i {
                    x[i] -= dot(p + offset[i], x + lo[i], i - lo[i])
                }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    let row = p + (offset[i] - lo[i])
                    var v = x[i]
                    if hi[i] > i { v -= dot(row + (i + 1), x + (i + 1), hi[i] - i) }
                    x[i] = v / row[i]
                }
            }
        }
    }

    /// Entries stored (for timing reports).
    public var storedEntries: Int { a.count }
}

public struct NystromFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

/// Σ a[i] b[i], eight lanes at a time.
@inline(__always) func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc0 = SIMD4<Double>.zero, acc1 = SIMD4<Double>.zero
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        acc1 += ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha x[i].
@inline(__always) func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
    var i = 0
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    let av = SIMD4<Double>(repeating: alpha)
    while i + 4 <= n {
        let v = ry.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) + av * rx.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        ry.storeBytes(of: v, toByteOffset: i * 8, as: SIMD4<Double>.self)
        i += 4
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}

/// Neumaier-compensated running sum (the flux series of P(N ≤ n) has up to n terms).
struct CompensatedSum {
    var sum = 0.0, c = 0.0
    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { c += (sum - t) + x } else { c += (x - t) + sum }
        sum = t
    }
    var value: Double { sum + c }
}
