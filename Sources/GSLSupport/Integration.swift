// Quadrature and root finding with Swift closures boxed through GSL's `void *params`.
import CGSL

public struct QuadratureResult: Sendable {
    public let value: Double
    public let errorEstimate: Double
}

/// One GSL integration workspace. Workspaces are not thread-safe: one per call or per thread.
public final class IntegrationWorkspace {
    let ws: UnsafeMutablePointer<gsl_integration_workspace>
    public let limit: Int

    public init(limit: Int = 1000) {
        _ = GSL.abortHandlerOff
        self.limit = limit
        ws = gsl_integration_workspace_alloc(limit)
    }
    deinit { gsl_integration_workspace_free(ws) }

    private final class Box {
        let f: (Double) -> Double
        init(_ f: @escaping (Double) -> Double) { self.f = f }
    }

    private func withGSLFunction<R>(_ f: @escaping (Double) -> Double,
                                    _ body: (UnsafeMutablePointer<gsl_function>) throws -> R) rethrows -> R {
        let box = Box(f)
        return try withExtendedLifetime(box) {
            var fn = gsl_function(function: { x, p in
                Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().f(x)
            }, params: Unmanaged.passUnretained(box).toOpaque())
            return try body(&fn)
        }
    }

    /// GSL_EROUND means the requested tolerance met round-off: the result is still the best
    /// double-precision answer, so it is accepted (the error estimate says how good it is).
    private static func accept(_ status: Int32, _ what: String) throws {
        if status == Int32(GSL_EROUND) { return }
        try GSL.check(status, what)
    }

    /// Adaptive Gauss–Kronrod (QAG, 41-point rule by default) on [a, b].
    public func qag(_ a: Double, _ b: Double, epsabs: Double = 0, epsrel: Double = 1e-13,
                    key: Int32 = Int32(GSL_INTEG_GAUSS41), _ f: @escaping (Double) -> Double) throws -> QuadratureResult {
        if a == b { return QuadratureResult(value: 0, errorEstimate: 0) }
        var result = 0.0, abserr = 0.0
        let status = withGSLFunction(f) { fn in
            gsl_integration_qag(fn, a, b, epsabs, epsrel, limit, key, ws, &result, &abserr)
        }
        try Self.accept(status, "QAG on [\(a), \(b)]")
        return QuadratureResult(value: result, errorEstimate: abserr)
    }

    /// QAGP: adaptive with known breakpoints (sorted, including both ends).
    public func qagp(_ points: [Double], epsabs: Double = 0, epsrel: Double = 1e-13,
                     _ f: @escaping (Double) -> Double) throws -> QuadratureResult {
        precondition(points.count >= 2)
        if points.count == 2 { return try qag(points[0], points[1], epsabs: epsabs, epsrel: epsrel, f) }
        var pts = points, result = 0.0, abserr = 0.0
        let status = withGSLFunction(f) { fn in
            gsl_integration_qagp(fn, &pts, pts.count, epsabs, epsrel, limit, ws, &result, &abserr)
        }
        try Self.accept(status, "QAGP on [\(points.first!), \(points.last!)]")
        return QuadratureResult(value: result, errorEstimate: abserr)
    }

    /// CQUAD (doubly adaptive Clenshaw–Curtis) on [a, b]: robust where QAG/QAGS stall on
    /// round-off or on integrands with singular or very steep parts. Its own workspace per call.
    public func cquad(_ a: Double, _ b: Double, epsabs: Double = 0, epsrel: Double = 1e-13,
                      _ f: @escaping (Double) -> Double) throws -> QuadratureResult {
        if a == b { return QuadratureResult(value: 0, errorEstimate: 0) }
        guard let cws = gsl_integration_cquad_workspace_alloc(200) else { throw GSLError(status: Int32(GSL_ENOMEM), context: "CQUAD workspace") }
        defer { gsl_integration_cquad_workspace_free(cws) }
        var result = 0.0, abserr = 0.0, nevals = 0
        let status = withGSLFunction(f) { fn in
            gsl_integration_cquad(fn, a, b, epsabs, epsrel, cws, &result, &abserr, &nevals)
        }
        try Self.accept(status, "CQUAD on [\(a), \(b)]")
        return QuadratureResult(value: result, errorEstimate: abserr)
    }

    /// QAGIU: ∫_a^∞.
    public func qagiu(_ a: Double, epsabs: Double = 0, epsrel: Double = 1e-13,
                      _ f: @escaping (Double) -> Double) throws -> QuadratureResult {
        var result = 0.0, abserr = 0.0
        let status = withGSLFunction(f) { fn in
            gsl_integration_qagiu(fn, a, epsabs, epsrel, limit, ws, &result, &abserr)
        }
        try Self.accept(status, "QAGIU on [\(a), inf)")
        return QuadratureResult(value: result, errorEstimate: abserr)
    }
}

/// Fixed-order Gauss–Legendre rule (GSL's tables), read-only and so shareable between threads.
public final class GaussLegendre: @unchecked Sendable {
    public let nodes: [Double]     // on [-1, 1]
    public let weights: [Double]

    public init(order n: Int) {
        _ = GSL.abortHandlerOff
        let table = gsl_integration_glfixed_table_alloc(n)!
        defer { gsl_integration_glfixed_table_free(table) }
        var x = [Double](), w = [Double]()
        for i in 0..<n {
            var xi = 0.0, wi = 0.0
            gsl_integration_glfixed_point(-1, 1, i, &xi, &wi, table)
            x.append(xi); w.append(wi)
        }
        nodes = x; weights = w
    }

    /// ∫_0^w f(d) dd: for integrands written in the distance d from an end point, so that node
    /// positions never round at the scale of the end point (which costs 2|b|²ε in e^{(y-b)(y+b)}).
    @inline(__always)
    public func integrate(offsetsUpTo w: Double, _ f: (Double) -> Double) -> Double {
        let half = 0.5 * w
        var s = 0.0
        for i in 0..<nodes.count { s += weights[i] * f(half + half * nodes[i]) }
        return s * half
    }

    @inline(__always)
    public func integrate(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> Double {
        let half = 0.5 * (b - a), mid = 0.5 * (a + b)
        var s = 0.0
        for i in 0..<nodes.count { s += weights[i] * f(mid + half * nodes[i]) }
        return s * half
    }
}

public enum RootFinding {
    /// Brent's method on a bracketing interval [lo, hi].
    public static func brent(_ lo: Double, _ hi: Double, epsabs: Double = 0, epsrel: Double = 1e-14,
                             maxIterations: Int = 200, _ f: @escaping (Double) -> Double) throws -> Double {
        _ = GSL.abortHandlerOff
        final class Box { let f: (Double) -> Double; init(_ f: @escaping (Double) -> Double) { self.f = f } }
        let box = Box(f)
        return try withExtendedLifetime(box) {
            var fn = gsl_function(function: { x, p in
                Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().f(x)
            }, params: Unmanaged.passUnretained(box).toOpaque())
            let solver = gsl_root_fsolver_alloc(workbench_gsl_root_fsolver_brent())!
            defer { gsl_root_fsolver_free(solver) }
            try GSL.check(gsl_root_fsolver_set(solver, &fn, lo, hi), "Brent bracket [\(lo), \(hi)]")
            for _ in 0..<maxIterations {
                try GSL.check(gsl_root_fsolver_iterate(solver), "Brent iteration")
                let a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver)
                if gsl_root_test_interval(a, b, epsabs, epsrel) == Int32(GSL_SUCCESS) { return gsl_root_fsolver_root(solver) }
            }
            throw GSLError(status: Int32(GSL_EMAXITER), context: "Brent on [\(lo), \(hi)]")
        }
    }
}
