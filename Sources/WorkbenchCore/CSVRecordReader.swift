// RFC 4180 records read from a file descriptor in blocks, for batches that must stream (issue 20).
// The state machine is that of `CSV.parse` on bytes: every character it acts on (quote, comma, CR, LF)
// is ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character, so bytes and scalars agree.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Records in one flat byte array: field f is bytes[fieldStart[f] ..< fieldStart[f + 1]], record r has
/// fields recordStart[r] ..< recordStart[r + 1].
public struct RecordChunk {
    /// The fields' bytes, in memory managed by hand (an Array's per-byte append checks were 5 % of a row).
    public let bytes: ByteStorage
    public var fieldStart: [Int] = [0]
    public var recordStart: [Int] = [0]
    /// Per record: a byte ≥ 0x80 occurs (the record needs UTF-8 validation and Unicode trimming).
    public var nonASCII: [Bool] = []
    /// Index (0-based, header excluded) of the first record among the data rows of the file.
    public var firstRow = 0

    public init() { bytes = ByteStorage(capacity: 4096) }
    /// Room for `records` records of `fields` fields of ~24 bytes without regrowing.
    public init(reservingRecords records: Int, fields: Int) {
        bytes = ByteStorage(capacity: records * fields * 24)
        fieldStart.reserveCapacity(records * fields + 1)
        recordStart.reserveCapacity(records + 1)
        nonASCII.reserveCapacity(records)
    }

    public var count: Int { recordStart.count - 1 }
    /// Bytes of all fields together.
    public var byteCount: Int { bytes.count }
    public func fieldCount(_ r: Int) -> Int { recordStart[r + 1] - recordStart[r] }
    public func field(_ r: Int, _ c: Int) -> Range<Int> {
        let f = recordStart[r] + c
        return fieldStart[f]..<fieldStart[f + 1]
    }
    public func buffer(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.base + range.lowerBound, count: range.count)
    }
    public func text(_ r: Int, _ c: Int) -> String { String(decoding: buffer(field(r, c)), as: UTF8.self) }
    /// Whether record r's fields are valid UTF-8 (checked only for records with a byte ≥ 0x80).
    public func isUTF8(_ r: Int) -> Bool {
        guard nonASCII[r], fieldCount(r) > 0 else { return true }
        let range = field(r, 0).lowerBound..<field(r, fieldCount(r) - 1).upperBound
        return String(validating: buffer(range), as: UTF8.self) != nil
    }
}

public final class CSVRecordReader {
    let fd: Int32
    let path: String
    /// Bytes to read instead of a file (fd = -1): the fuzz target and tests feed texts without a file.
    let memory: [UInt8]?
    var memoryOffset = 0
    var block: [UInt8]
    var blockLength = 0, position = 0
    var atEnd = false
    // The parser's state between bytes (and between calls).
    var inQuotes = false, quoteSeen = false, fieldStarted = false, recordHasFields = false, recordNonASCII = false
    var fieldBegin = 0
    /// Records delivered so far (header included).
    public private(set) var recordsRead = 0

    public init(path: String, blockSize: Int = 1 << 20) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WorkbenchError.badInput("cannot read input file '\(path)' (it is a directory)")
        }
        memory = nil
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw WorkbenchError.badInput("cannot read input file '\(path)' (\(reason))")
        }
        block = [UInt8](repeating: 0, count: blockSize)
    }

    /// Reads `bytes` as if they were a file named `name`, `blockSize` bytes at a time.
    public init(bytes: [UInt8], name: String = "(memory)", blockSize: Int = 1 << 20) {
        path = name
        memory = bytes
        fd = -1
        block = [UInt8](repeating: 0, count: max(1, blockSize))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The first bytes of the file, for encoding checks before any record is parsed (UTF-16 BOMs;
    /// a UTF-8 BOM is skipped).
    public func checkEncoding() throws {
        try fill()
        let head = Array(block[0..<min(blockLength, 3)])
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw WorkbenchError.badInput("input file '\(path)' is UTF-16 text: save it as UTF-8 CSV")
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    func fill() throws {
        guard position >= blockLength, !atEnd else { return }
        if let memory {
            let n = min(block.count, memory.count - memoryOffset)
            block.withUnsafeMutableBufferPointer { b in
                memory.withUnsafeBufferPointer { m in
                    if n > 0 { b.baseAddress!.update(from: m.baseAddress! + memoryOffset, count: n) }
                }
            }
            memoryOffset += n
            blockLength = n; position = 0
            if n == 0 { atEnd = true }
            return
        }
        while true {
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw WorkbenchError.badInput("cannot read input file '\(path)': \(String(cString: strerror(errno)))")
            }
            blockLength = n; position = 0
            if n == 0 { atEnd = true }
            return
        }
    }

    /// Appends up to `maxRecords` records to `chunk` (which must be empty); returns false once the file is done.
    public func read(into chunk: inout RecordChunk, maxRecords: Int) throws -> Bool {
        fieldBegin = chunk.bytes.count
        while chunk.count < maxRecords {
            try fill()
            if atEnd {
                if quoteSeen { quoteSeen = false; inQuotes = false }
                if fieldStarted || chunk.bytes.count > fieldBegin || recordHasFields { endRecord(&chunk) }
                return false
            }
            let bytes = chunk.bytes         // one reference for the loop (through `chunk` it is retained per byte)
            block.withUnsafeBufferPointer { buf in
                while position < blockLength && chunk.count < maxRecords {
                    if !inQuotes {
                        // A run of ordinary bytes is copied at once (most of a numeric CSV).
                        var end = position
                        while end < blockLength {
                            let c = buf[end]
                            if c == 0x2C || c == 0x0A || c == 0x22 || c == 0x0D || c >= 0x80 { break }
                            end += 1
                        }
                        if end > position {
                            bytes.append(buf.baseAddress! + position, end - position)
                            fieldStarted = true
                            position = end
                            if position == blockLength { break }
                        }
                    }
                    let b = buf[position]
                    position += 1
                    if b >= 0x80 { recordNonASCII = true }
                    if inQuotes {
                        if quoteSeen {
                            quoteSeen = false
                            if b == 0x22 { bytes.appendByte(0x22); continue }
                            inQuotes = false            // the quote closed the field; b is read unquoted below
                        } else if b == 0x22 {
                            quoteSeen = true; continue
                        } else {
                            bytes.appendByte(b); continue
                        }
                    }
                    switch b {
                    case 0x22 where bytes.count == fieldBegin: inQuotes = true; fieldStarted = true
                    case 0x2C: endField(&chunk); fieldStarted = true
                    case 0x0D: continue
                    case 0x0A:
                        if fieldStarted || bytes.count > fieldBegin || recordHasFields { endRecord(&chunk) }
                        fieldStarted = false; recordNonASCII = false
                    default: bytes.appendByte(b); fieldStarted = true
                    }
                }
            }
        }
        return true
    }

    @inline(__always) func endField(_ chunk: inout RecordChunk) {
        chunk.fieldStart.append(chunk.bytes.count)
        fieldBegin = chunk.bytes.count
        recordHasFields = true
    }

    func endRecord(_ chunk: inout RecordChunk) {
        endField(&chunk)
        chunk.recordStart.append(chunk.fieldStart.count - 1)
        chunk.nonASCII.append(recordNonASCII)
        recordHasFields = false; recordNonASCII = false; fieldStarted = false
        recordsRead += 1
    }
}
