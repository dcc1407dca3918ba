// Vectorised log and exp for SIMD8<Double>: scalar libm calls inside SIMD lanes cost more than the
// whole rest of a simulation step (DESIGN.md §5). Hand-written polynomials (no SIMD math library is
// available to Swift on Linux); accuracy is stated per function and tested against libm in
// MonteCarloTests. CMonteCarloKernels has the same polynomials (log8/exp8) for its C loops; these stay
// in Swift so that the Swift simulators' loops inline them instead of calling across the module.
public typealias V8 = SIMD8<Double>
public typealias Mask8 = SIMDMask<SIMD8<Int64>>

// `replace(with:where:)` and friends compile to per-lane branches; bitwise blends stay in vector registers.
@inline(__always) public func blend(_ m: Mask8, _ ifTrue: V8, _ ifFalse: V8) -> V8 {
    let t = unsafeBitCast(ifTrue, to: SIMD8<Int64>.self), f = unsafeBitCast(ifFalse, to: SIMD8<Int64>.self)
    return unsafeBitCast((t & m._storage) | (f & ~m._storage), to: V8.self)
}
@inline(__always) public func blend(_ m: Mask8, _ ifTrue: SIMD8<Int64>, _ ifFalse: SIMD8<Int64>) -> SIMD8<Int64> {
    (ifTrue & m._storage) | (ifFalse & ~m._storage)
}

public enum VectorMath {
    // Float <-> integer conversions of SIMD vectors compile to per-lane generic code in Swift; the
    // classic magic-number trick keeps everything in vector registers: for |x| < 2^51,
    // (x + 1.5·2^52) rounds x to the nearest integer, whose value sits in the low bits of the sum.
    static let magic = 6755399441055744.0            // 1.5 · 2^52
    static let magicBits: UInt64 = 0x4338_0000_0000_0000

    /// Round to nearest (ties to even), as a double and as integer bits; |x| < 2^51.
    @inline(__always) static func roundToInteger(_ x: V8) -> (V8, SIMD8<Int64>) {
        let shifted = x + magic
        let bits = unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- Int64(bitPattern: magicBits)
        return (shifted - magic, bits)
    }

    /// Int64 → Double for |e| < 2^51, in vector registers.
    @inline(__always) static func toDouble(_ e: SIMD8<Int64>) -> V8 {
        unsafeBitCast(e &+ Int64(bitPattern: magicBits), to: V8.self) - magic
    }

    /// Natural log for finite x > 0 (normal numbers). |error| ≤ 2e-16·max(1, |ln x|) (tested ≤ 4e-16).
    /// x = m·2^e with m ∈ [√½, √2), ln m = 2 atanh(s), s = (m-1)/(m+1), |s| ≤ 0.1716: the odd series to s^21
    /// truncates below 1e-17.
    @inline(__always)
    public static func log(_ x: V8) -> V8 {
        // Subtracting the bits of √½ moves the exponent boundary to √½ (musl's reduction): then
        // m ∈ [√½, √2) and e follow from integer operations alone.
        let ix = unsafeBitCast(x, to: SIMD8<Int64>.self) &- 0x3FE6_A09E_667F_3BCD
        let e = ix &>> 52
        let m = unsafeBitCast((ix & 0x000F_FFFF_FFFF_FFFF) &+ 0x3FE6_A09E_667F_3BCD, to: V8.self)
        let s = (m - 1) / (m + 1), s2 = s * s
        var p: V8 = V8(repeating: 1.0 / 21)
        p = p * s2 + 1.0 / 19; p = p * s2 + 1.0 / 17; p = p * s2 + 1.0 / 15; p = p * s2 + 1.0 / 13
        p = p * s2 + 1.0 / 11; p = p * s2 + 1.0 / 9; p = p * s2 + 1.0 / 7; p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3; p = p * s2 + 1
        let ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10
        let ed = toDouble(e)
        return ed * ln2hi + (2 * s * p + ed * ln2lo)
    }

    /// e^x. |relative error| ≤ 3e-16 for x ∈ [-708, 709]; 0 below -708 (underflow is the answer
    /// wherever this is used: probabilities), +inf above 709.
    @inline(__always)
    public static func exp(_ x: V8) -> V8 {
        let log2e = 1.4426950408889634
        let xc = blend(x .< -745, V8(repeating: -745), blend(x .> 710, V8(repeating: 710), x))
        let (k, ki) = roundToInteger(xc * log2e)
        let ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10
        let r = (xc - k * ln2hi) - k * ln2lo              // |r| ≤ ln2/2
        // Taylor to r^13: truncation (ln2/2)^14/14! ≈ 4e-18.
        var p = V8(repeating: 1.0 / 6227020800)
        p = p * r + 1.0 / 479001600; p = p * r + 1.0 / 39916800; p = p * r + 1.0 / 3628800
        p = p * r + 1.0 / 362880; p = p * r + 1.0 / 40320; p = p * r + 1.0 / 5040; p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120; p = p * r + 1.0 / 24; p = p * r + 1.0 / 6; p = p * r + 0.5; p = p * r + 1
        p = p * r + 1
        // 2^k as two factors so that k down to -1075 and up to 1024 stays representable.
        let k1 = ki &>> 1, k2 = ki &- k1
        let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: V8.self), s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: V8.self)
        let y = p * s1 * s2
        return blend(x .< -708, .zero, blend(x .> 709.7, V8(repeating: .infinity), y))
    }
}
