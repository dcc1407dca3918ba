// Decimal text to double without strtod in the common case. glibc's strtod was a fifth of a streamed batch
// row (issue 20); Swift's own Double(String) calls it too. The Eisel–Lemire algorithm (D. Lemire, "Number
// parsing at a gigabyte per second", Softw. Pract. Exp. 51, 2021; the form of Go's strconv.eiselLemire64)
// gives the correctly rounded double from a 19-digit mantissa and a 128-bit power of ten, and says when
// it cannot decide (≈ never for real data): then, and for anything unusual, strtod decides. No library on
// this platform offers it to Swift without C++, hence the ~60 lines here (checked against strtod on
// millions of texts in BatchStreamTests).

public enum DecimalParser {
    /// The double of a plain decimal literal `[+-]digits[.digits][(e|E)[+-]digits]` (the whole text), or nil
    /// when the text is anything else or has more than 19 significant digits, or Eisel–Lemire cannot decide.
    public static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Double? {
        var i = 0, negative = false
        if i < n && (p[i] == 0x2B || p[i] == 0x2D) { negative = p[i] == 0x2D; i += 1 }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0, sawDigit = false
        while i < n, p[i] &- 0x30 < 10 {
            if mantissa != 0, digits <= 11, i + 8 <= n, let eight = eightDigits(p + i) {
                mantissa = mantissa &* 100_000_000 &+ eight; digits += 8; i += 8
                continue
            }
            let d = UInt64(p[i] &- 0x30)
            sawDigit = true
            if mantissa != 0 || d != 0 {
                guard digits < 19 else { return nil }
                mantissa = mantissa * 10 + d; digits += 1
            }
            i += 1
        }
        if i < n && p[i] == 0x2E {
            i += 1
            while i < n, p[i] &- 0x30 < 10 {
                if mantissa != 0, digits <= 11, i + 8 <= n, let eight = eightDigits(p + i) {
                    mantissa = mantissa &* 100_000_000 &+ eight; digits += 8; exponent -= 8; i += 8
                    continue
                }
                let d = UInt64(p[i] &- 0x30)
                sawDigit = true
                if mantissa != 0 || d != 0 {
                    guard digits < 19 else { return nil }
                    mantissa = mantissa * 10 + d; digits += 1
                }
                exponent -= 1
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            var negativeExponent = false
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { negativeExponent = p[i] == 0x2D; i += 1 }
            guard i < n, p[i] &- 0x30 < 10 else { return nil }
            var e = 0
            while i < n, p[i] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            exponent += negativeExponent ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        return eiselLemire(mantissa, exponent, negative)
    }

    /// Eight ASCII digits at p as a number, or nil if any of them is not a digit (SWAR, as in Lemire's
    /// fast_float: two multiplications instead of eight multiply-adds).
    @inline(__always) static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let v = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        guard (v & 0xF0F0_F0F0_F0F0_F0F0) | (((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
                == 0x3333_3333_3333_3333 else { return nil }
        var x = v &- 0x3030_3030_3030_3030
        x = (x &* 10) &+ (x >> 8)
        let lo = (x & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let hi = ((x >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return (lo &+ hi) >> 32
    }

    /// mantissa × 10^exponent correctly rounded, or nil if undecidable here (or subnormal, infinite).
    static func eiselLemire(_ mantissa: UInt64, _ exponent: Int, _ negative: Bool) -> Double? {
        let index = exponent - powersOfTenMinExponent
        guard index >= 0, 2 * index + 1 < powersOfTen128.count else { return nil }
        let clz = mantissa.leadingZeroBitCount
        let man = mantissa << UInt64(clz)
        var exp2 = UInt64(bitPattern: Int64((217_706 * exponent) >> 16 + 64 + 1023)) &- UInt64(clz)
        let (low, high) = (powersOfTen128[2 * index], powersOfTen128[2 * index + 1])
        var (xHi, xLo) = man.multipliedFullWidth(by: high)
        if xHi & 0x1FF == 0x1FF && xLo &+ man < man {
            // The truncated power may matter: take its low half into account.
            let (yHi, yLo) = man.multipliedFullWidth(by: low)
            var mergedHi = xHi
            let mergedLo = xLo &+ yHi
            if mergedLo < xLo { mergedHi &+= 1 }
            if mergedHi & 0x1FF == 0x1FF && mergedLo &+ 1 == 0 && yLo &+ man < man { return nil }
            xHi = mergedHi; xLo = mergedLo
        }
        let msb = xHi >> 63
        var result = xHi >> (msb + 9)
        exp2 &-= 1 ^ msb
        if xLo == 0 && xHi & 0x1FF == 0 && result & 3 == 1 { return nil }       // exactly half way
        result += result & 1
        result >>= 1
        if result >> 53 > 0 { result >>= 1; exp2 &+= 1 }
        if exp2 &- 1 >= 0x7FF - 1 { return nil }                                  // subnormal or infinite
        let bits = exp2 << 52 | result & 0x000F_FFFF_FFFF_FFFF | (negative ? 1 << 63 : 0)
        return Double(bitPattern: bits)
    }
}
