// Fourcaud–Brunel (2002) first-order coloured-noise corrections to the Siegert rate (THEORY §2).
import Foundation
import GSLSupport

public enum ColoredNoise {
    /// α/2 = |ζ(1/2)|/√2 = 1.03262657611561 (THEORY §2.2), from GSL's ζ.
    public static let halfAlpha: Double = abs(GSL.zeta(0.5)) / 2.0.squareRoot()

    public enum Method: Int, Sendable { case shift = 0, taylor = 1 }

    public struct Result: Sendable {
        public let lnRateHz: Double
        public var rateHz: Double { exp(lnRateHz) }
        public let k: Double
        /// The upward shift of threshold and reset, σ(α/2)k [mV].
        public let shift: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case negativeTaylorRate(Double)
        public var description: String {
            switch self {
            case .negativeTaylorRate(let x):
                return "the first-order Taylor correction exceeds the white-noise rate (1 - correction = \(x) ≤ 0): the Taylor form is outside its validity (k² ≲ 0.02); use method=shift"
            }
        }
    }

    /// Rate of the LIF with exponentially filtered noise of time constant τ_s, log domain throughout.
    public static func rate(_ p: LIFParameters, tauS: Double, method: Method, workspace ws: IntegrationWorkspace) throws -> Result {
        let k = (tauS / p.tauM).squareRoot()
        let delta = p.sigma * halfAlpha * k
        switch method {
        case .shift:
            var shifted = p
            shifted.theta += delta
            shifted.vReset += delta
            return Result(lnRateHz: try Siegert.rate(shifted, workspace: ws).lnRateHz, k: k, shift: delta)
        case .taylor:
            // ν = ν0 - ν0² τ_m √π (α/2) k [F(y_θ) - F(y_r)] = ν0 [1 - (α/2) k σ ∂ln ν0/∂μ], stable when ν0 underflows.
            let r = try Siegert.rate(p, workspace: ws)
            let correction = halfAlpha * k * p.sigma * Siegert.logGain(p, r).dMu
            guard correction < 1 else { throw Failure.negativeTaylorRate(1 - correction) }
            return Result(lnRateHz: r.lnRateHz + log1p(-correction), k: k, shift: delta)
        }
    }
}
