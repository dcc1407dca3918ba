// Output text built as bytes, with numbers written in place: a batch row of ten numbers would otherwise
// build and join a dozen Strings (most of a row's cost before issue 20). The bytes live in memory this
// type manages (an Array's append checks uniqueness and capacity per byte: 3 % of a row), reserved a
// row at a time.
import Foundation
import CRyu

/// Bytes in memory managed by hand, grown by doubling.
public final class ByteStorage {
    // Internal: public stored vars of a class get dynamic exclusivity checks (29 % of a row when tried).
    var base: UnsafeMutablePointer<UInt8>
    var count = 0, capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }
    deinit { base.deallocate() }

    // count ≤ capacity always holds, so the wrapping operators below cannot wrap (and skip the overflow
    // branches that were a tenth of a CSV line's own cost).
    @inline(__always) func reserve(_ extra: Int) {
        if capacity &- count < extra { grow(count + extra) }
    }

    func grow(_ needed: Int) {
        let newCapacity = Swift.max(needed, 2 * capacity)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always) func append(_ pointer: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        if n <= 24 {
            // Numbers and short fields: a byte loop beats a call to memmove (5 % of a CSV line).
            let target = base + count
            for k in 0..<n { target[k] = pointer[k] }
        } else {
            (base + count).update(from: pointer, count: n)
        }
        count &+= n
    }

    @inline(__always) func appendByte(_ b: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = b
        count &+= 1
    }
}

public struct OutputBytes: TextOutputStream {
    let storage: ByteStorage
    public init(capacity: Int = 4096) { storage = ByteStorage(capacity: capacity) }

    public var count: Int { storage.count }
    public var string: String { String(decoding: UnsafeBufferPointer(start: storage.base, count: storage.count), as: UTF8.self) }
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }
    /// Room for `n` more bytes without a reallocation (a row's worth).
    @inline(__always) public func reserve(_ n: Int) { storage.reserve(n) }

    public mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { storage.append($0.baseAddress!, $0.count) }
    }
    @inline(__always) public func byte(_ b: UInt8) { storage.appendByte(b) }
    public func append(_ other: OutputBytes) { storage.append(other.storage.base, other.storage.count) }

    /// `formatNumber(v)`, byte for byte: integers below 10^15 without a decimal point, else shortest round trip
    /// (`description`'s text, written by CRyu in 23 ns against Swift's own 33).
    public mutating func number(_ v: Double) {
        if v.isNaN { write("nan"); return }
        if v.isInfinite { write(v > 0 ? "inf" : "-inf"); return }
        // v == v.rounded() && |v| < 1e15, without the libm call (the conversion is exact below 1e15).
        if abs(v) < 1e15, Double(Int64(v)) == v { integer(Int64(v)); return }
        storage.reserve(32)  // wb_shortest_double's room (it writes at most 24)
        let n = wb_shortest_double(v, UnsafeMutableRawPointer(storage.base + storage.count)
            .assumingMemoryBound(to: CChar.self))
        storage.count &+= Int(n)
    }

    public func integer(_ value: Int64) {
        storage.reserve(20)
        var p = storage.base + storage.count
        if value < 0 { p.pointee = UInt8(ascii: "-"); p += 1 }
        var m = value.magnitude, digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &digits) { d -> Int in
            var n = 0
            repeat { d[n] = UInt8(ascii: "0") + UInt8(m % 10); m /= 10; n += 1 } while m > 0
            for i in 0..<n { p[i] = d[n - 1 - i] }
            return n
        }
        storage.count = p + n - storage.base
    }

    /// `CSV.escape(s)`: quoted (quotes doubled) when it holds a comma, quote, CR or LF.
    public mutating func csvField(_ s: String) {
        let utf8 = s.utf8
        if !utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            write(s)
            return
        }
        byte(0x22)
        for b in utf8 {
            if b == 0x22 { byte(0x22) }
            byte(b)
        }
        byte(0x22)
    }
}
