// The same lif-white algorithm as LIFSimulator's SIMD kernel, one neuron at a time with libm's
// log/sin/cos/exp and a scalar xoshiro256++: the baseline the SIMD kernel is measured against
// (Benchmarks/). Statistically equivalent, not bit-identical (streams are consumed differently).
import Foundation

struct ScalarXoshiro {
    var s: (UInt64, UInt64, UInt64, UInt64)
    init(seed: UInt64, stream: UInt64) {
        var x = seed ^ (stream &* 0xD1B54A32D192ED03)
        s = (splitMix64(&x), splitMix64(&x), splitMix64(&x), splitMix64(&x))
    }
    mutating func next() -> UInt64 {
        let result = ((s.0 &+ s.3) << 23 | (s.0 &+ s.3) >> 41) &+ s.0
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 + 0x1p-54 }
}

public enum ScalarReference {
    /// Returns (spikes in the window, seconds).
    public static func simulateLIFWhite(_ p: LIFModelParameters, _ o: SimulationOptions) -> (spikes: Int, seconds: Double) {
        let start = Date()
        let decay = exp(-o.dt / p.tauM), noise = p.sigma * ((1 - exp(-2 * o.dt / p.tauM)) / 2).squareRoot()
        let bridgeExponent = -2 * p.tauM / (p.sigma * p.sigma * o.dt)
        let burn = Int((o.burnIn / o.dt).rounded()), window = Int((o.time / o.dt).rounded())
        let refSteps = Int((p.tauRef / o.dt).rounded())
        let counts = BlockRunner.run(blocks: o.neurons, threads: o.threads) { neuron -> (Int, Double) in
            var rng = ScalarXoshiro(seed: o.seed, stream: UInt64(neuron))
            var v = p.vReset, ref = 0, spikes = 0, vSum = 0.0
            var spare = 0.0, hasSpare = false
            for n in 0..<(burn + window) {
                let z: Double
                if hasSpare { z = spare; hasSpare = false } else {
                    let r = (-2 * log(rng.uniform())).squareRoot(), a = 2 * Double.pi * rng.uniform()
                    z = r * cos(a); spare = r * sin(a); hasSpare = true
                }
                if ref > 0 { ref -= 1; v = p.vReset; continue }
                let vn = p.mu + (v - p.mu) * decay + noise * z
                var crossed = vn >= p.theta
                if !crossed && o.scheme == .bridge {
                    let e = bridgeExponent * (p.theta - v) * (p.theta - vn)
                    if e > -37 { crossed = rng.uniform() < exp(e) }
                }
                if crossed { v = p.vReset; ref = refSteps; if n >= burn { spikes += 1 } } else { v = vn; if n >= burn { vSum += v } }
            }
            return (spikes, vSum)
        }
        return (counts.reduce(0) { $0 + $1.0 }, Date().timeIntervalSince(start))
    }
}
