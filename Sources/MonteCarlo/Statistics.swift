// Batch means and the acceptance rule of THEORY §9.0.
import Foundation

public struct Estimate: Sendable {
    public let value: Double
    public let standardError: Double
    public let batches: Int
    public init(value: Double, standardError: Double, batches: Int) {
        self.value = value; self.standardError = standardError; self.batches = batches
    }
}

extension Estimate {
    /// "value ± SE" as tables print it; a value without data or without an error estimate (fewer than two
    /// batches with finite values) says so instead of printing nan.
    public var text: String {
        guard !value.isNaN else { return "n/a (no data)" }
        let v = String(format: "%.6g", value)
        guard standardError.isFinite else { return v + " ± n/a (\(batches) batch\(batches == 1 ? "" : "es"): no error estimate)" }
        return v + String(format: " ± %.2g", standardError)
    }
}

public enum BatchMeans {
    /// Per-block results split into at most 64 contiguous batches in block order (≥ 20 when there are
    /// ≥ 20 blocks): the units whose spread gives every simulator's standard errors.
    public static func batches<T>(_ blocks: [T]) -> [ArraySlice<T>] {
        let n = min(blocks.count, 64)
        return (0..<n).map { i in blocks[(i * blocks.count / n)..<((i + 1) * blocks.count / n)] }
    }

    /// Pooled value and the standard error from the spread of per-batch values (SE = sd/√B).
    public static func estimate(pooled: Double, batchValues: [Double]) -> Estimate {
        let b = batchValues.filter { $0.isFinite }
        guard b.count >= 2 else { return Estimate(value: pooled, standardError: .nan, batches: b.count) }
        let mean = b.reduce(0, +) / Double(b.count)
        let variance = b.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(b.count - 1)
        return Estimate(value: pooled, standardError: (variance / Double(b.count)).squareRoot(), batches: b.count)
    }
}

/// THEORY §9.0: accept iff |x_MC - x_th| ≤ z*·SE + δ·|x_th|.
public struct Acceptance: Sendable {
    public let theory: Double, monteCarlo: Double, standardError: Double, delta: Double, zStar: Double
    public init(theory: Double, monteCarlo: Double, standardError: Double, delta: Double, zStar: Double = 4) {
        self.theory = theory; self.monteCarlo = monteCarlo; self.standardError = standardError
        self.delta = delta; self.zStar = zStar
    }
    public var z: Double { (monteCarlo - theory) / standardError }
    /// (MC − theory)/|theory|; 0 when both are 0, ±inf when only the theory is.
    public var relativeDifference: Double { monteCarlo == theory ? 0 : (monteCarlo - theory) / abs(theory) }
    public var accepted: Bool { abs(monteCarlo - theory) <= zStar * standardError + delta * abs(theory) }
}
