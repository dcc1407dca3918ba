// The Swift face of GSL (DESIGN.md §4): the abort handler is switched off once, the `_e` variants
// are used, and a status becomes a thrown `GSLError`. Underflow (GSL_EUNDRFLW) is an answer, not an error.
import CGSL
import Foundation

public struct GSLError: Error, CustomStringConvertible, Sendable {
    public let status: Int32
    public let context: String
    public var description: String {
        let reason = String(cString: gsl_strerror(status))
        return "GSL error \(status) (\(reason)) in \(context)"
    }
}

public enum GSL {
    /// Idempotent and thread-safe: GSL's default handler calls abort(); ours must never fire.
    public static let abortHandlerOff: Void = { _ = gsl_set_error_handler_off() }()

    @inline(__always) static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        _ = abortHandlerOff
        if status != Int32(GSL_SUCCESS) && status != Int32(GSL_EUNDRFLW) { throw GSLError(status: status, context: context()) }
    }

    /// Calls a `gsl_sf_*_e` function. The special functions used here fail only by underflow, where
    /// GSL leaves val = 0 (that is the answer), so the status is not an error.
    @inline(__always) static func sf(_ f: (Double, UnsafeMutablePointer<gsl_sf_result>) -> Int32, _ x: Double) -> Double {
        _ = abortHandlerOff
        var r = gsl_sf_result()
        _ = f(x, &r)
        return r.val
    }

    // GSL 2.7's erf, erfc and log_erfc return NaN (with status success) from |x| ≈ 5.02e61 on (measured by
    // bisection); far below that the values are their limits to the last bit, so |x| ≥ 1e60 takes the limits.
    // NaN stays NaN (the comparison is false for it).
    static let limitArgument = 1e60

    public static func erfc(_ x: Double) -> Double { abs(x) >= limitArgument ? (x > 0 ? 0 : 2) : sf(gsl_sf_erfc_e, x) }
    /// log erfc x; for x ≥ 1e60, −x² − log(x√π) (the asymptotic series' next term is below 1e-120 relative;
    /// −inf once x² overflows: the value is then below the double range).
    public static func logErfc(_ x: Double) -> Double {
        guard abs(x) >= limitArgument else { return sf(gsl_sf_log_erfc_e, x) }
        return x > 0 ? -(x * x) - log(x * (Double.pi).squareRoot()) : log(2.0)
    }
    public static func erf(_ x: Double) -> Double { abs(x) >= limitArgument ? (x > 0 ? 1 : -1) : sf(gsl_sf_erf_e, x) }
    /// Dawson's integral D(x) = e^{-x²} ∫_0^x e^{t²} dt.
    public static func dawson(_ x: Double) -> Double { sf(gsl_sf_dawson_e, x) }
    /// Riemann ζ(s), s ≠ 1.
    public static func zeta(_ s: Double) -> Double { sf(gsl_sf_zeta_e, s) }
}
