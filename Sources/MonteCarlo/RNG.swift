import CMonteCarloKernels

// Eight independent xoshiro256++ streams in SIMD lanes (Blackman & Vigna 2019), seeded from
// (seed, stream index, lane) through SplitMix64, so a neuron block's random numbers depend only on
// the run's seed and the block's index — never on the thread that simulates it.

@inline(__always) public func splitMix64(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E3779B97F4A7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
    return z ^ (z >> 31)
}

public struct LaneRNG {
    var s0, s1, s2, s3: SIMD8<UInt64>

    public init(seed: UInt64, stream: UInt64) {
        var a = [UInt64](repeating: 0, count: 32)
        for lane in 0..<8 {
            // Distinct SplitMix64 sequences per (seed, stream, lane); xoshiro must not start at all zeros.
            var x = seed ^ (stream &* 0xD1B54A32D192ED03) ^ (UInt64(lane) &* 0x8CB92BA72F3D8DD7)
            _ = splitMix64(&x)
            for j in 0..<4 { a[j * 8 + lane] = splitMix64(&x) }
        }
        s0 = SIMD8(a[0..<8]); s1 = SIMD8(a[8..<16]); s2 = SIMD8(a[16..<24]); s3 = SIMD8(a[24..<32])
    }

    /// Rotation. (LLVM may emit a scalar `rorx` per lane for it; the hot loops that draw in bulk — the
    /// normals, the white LIF — are in CMonteCarloKernels, where it is a vector instruction.)
    @inline(__always) static func rotl(_ x: SIMD8<UInt64>, _ k: UInt64) -> SIMD8<UInt64> { (x &<< k) | (x &>> (64 - k)) }

    @inline(__always) public mutating func nextBits() -> SIMD8<UInt64> {
        let result = Self.rotl(s0 &+ s3, 23) &+ s0
        let t = s1 &<< 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform on (0, 1): 52 random bits as the mantissa of a double in [1, 2) (no int→float
    /// conversion, which is per-lane code in Swift), shifted by 2^-53 so that log(u) is always finite.
    @inline(__always) public mutating func uniform() -> V8 {
        let d = unsafeBitCast((nextBits() &>> 12) | 0x3FF0_0000_0000_0000, to: V8.self)
        return (d - 1) + 0x1p-53
    }
}

extension LaneRNG {
    /// The same state in the C kernels' layout.
    public var c: wb_rng8 {
        var r = wb_rng8()
        withUnsafeMutableBytes(of: &r) { raw in
            for (j, word) in [s0, s1, s2, s3].enumerated() { raw.storeBytes(of: word, toByteOffset: 64 * j, as: SIMD8<UInt64>.self) }
        }
        return r
    }
}

/// Standard normals in eight lanes by the vectorised ziggurat of the C kernels (CMonteCarloKernels),
/// generated WB_NORMAL_VECTORS (256) vectors at a time so that consecutive draws pipeline instead of sitting on the
/// simulation loop's dependency chain. The normals are a function of the LaneRNG it starts from (the rare
/// wedge and tail completions draw from a jumped copy of it, shared by the lanes).
public struct NormalBuffer {
    let stream: UnsafeMutablePointer<wb_normal_stream>
    public static let capacity = Int(WB_NORMAL_VECTORS)

    public init(_ rng: LaneRNG) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<wb_normal_stream>.size, alignment: 64)
        stream = raw.bindMemory(to: wb_normal_stream.self, capacity: 1)
        var start = rng.c
        wb_normal_stream_init(stream, &start)
    }
    /// Must be called once the buffer is no longer used.
    public func release() { UnsafeMutableRawPointer(stream).deallocate() }

    @inline(__always) public mutating func next() -> V8 {
        var i = Int(stream.pointee.next)
        if i == Self.capacity { wb_normals_refill(stream); i = 0 }
        stream.pointee.next = Int32(i + 1)
        return UnsafeRawPointer(stream).load(fromByteOffset: 64 * i, as: V8.self)
    }
}
