// Batches (--input FILE, --grid) as a stream of chunks (issue 20): rows are read, parsed, evaluated and
// formatted 4096 at a time, pipelined over all usable cores, and written in order, so memory
// stays bounded for any number of rows and the output is byte for byte what the in-memory path printed.
// Bad rows become status=error lines; nothing stops the rest. The table format needs every row for its
// column widths and keeps the in-memory path.
import CHostSupport
import CWorkbenchPlugin
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where batch rows come from.
enum BatchSource {
    case csv(CSVRecordReader, columns: [ParameterInfo])
    case grid(GridAxes)
}

/// The axes of --grid, expanded lazily: row i is a mixed-radix number with the last axis fastest (the order
/// of the cartesian product the in-memory path built).
struct GridAxes {
    let columns: [ParameterInfo]
    /// Per axis: the values as text (what a CSV of them would hold; the table format's cells) and parsed.
    let texts: [[String]], values: [[Double]]
    let count: Int
}

public struct BatchSummary {
    public var stderr: [String]
    public var exitCode: Int32
}

extension Evaluator {
    static let chunkRows = 4096

    /// Whether this evaluation streams (a batch in CSV or JSON).
    public var streams: Bool { (args.input != nil || !args.grids.isEmpty) && (args.format ?? .csv) != .table }

    /// --grid axes as values. Values go through text exactly as before (parse(formatNumber(v)) is v for a
    /// finite v; -0 becomes 0), so a grid row is the row the CSV of its values would give.
    func gridAxes() throws -> GridAxes {
        var columns: [ParameterInfo] = [], texts: [[String]] = [], values: [[Double]] = []
        var total = 1.0
        for spec in args.grids {
            guard let eq = spec.firstIndex(of: "=") else {
                throw WorkbenchError.badInput("--grid '\(spec)': expected name=start:stop:step or name=v1,v2,...")
            }
            let p = try parameter(String(spec[..<eq]))
            guard !columns.contains(where: { $0.index == p.index }) else { throw WorkbenchError.badInput("--grid names '\(p.name)' twice") }
            columns.append(p)
            let axis = try Self.gridValues(String(spec[spec.index(after: eq)...]), p, parse: parseValue)
            texts.append(axis)
            values.append(try axis.map { try parseValue($0, p) })
            total *= Double(axis.count)
            // Checked before anything is built (the product of three 3000-point axes is 2.7e10).
            guard total <= 10_000_000 else {
                throw WorkbenchError.badInput("grid has \(formatNumber(total)) points (limit 10^7)")
            }
        }
        return GridAxes(columns: columns, texts: texts, values: values, count: Int(total))
    }

    /// Streams the batch to `write` (CSV or JSON), returning the messages and exit code of `finish`.
    public func stream(to write: (UnsafeRawBufferPointer) throws -> Void) throws -> BatchSummary {
        let constant = try constants()
        let outputs = try selectedOutputs()
        let vRest = try self.vRest
        let format = args.format ?? .csv
        let source: BatchSource
        let columns: [ParameterInfo]
        if let path = args.input {
            guard args.grids.isEmpty else { throw WorkbenchError.badInput("give either --input or --grid, not both") }
            let reader = try CSVRecordReader(path: path)
            try reader.checkEncoding()
            var head = RecordChunk()
            _ = try reader.read(into: &head, maxRecords: 1)
            guard head.count == 1 else {
                throw WorkbenchError.badInput("input file '\(path)' is empty (expected a header naming parameters)")
            }
            guard head.isUTF8(0) else {
                throw WorkbenchError.badInput("input file '\(path)' is not UTF-8 (Latin-1?) text: save it as UTF-8 CSV")
            }
            let header = (0..<head.fieldCount(0)).map { head.text(0, $0).trimmingCharacters(in: .whitespaces) }
            columns = try header.map { try parameter($0) }
            if Set(columns.map(\.index)).count != columns.count {
                throw WorkbenchError.badInput("input file '\(path)' names a parameter twice")
            }
            source = .csv(reader, columns: columns)
        } else {
            let axes = try gridAxes()
            columns = axes.columns
            source = .grid(axes)
        }
        for c in columns where constant[c.index] != nil {
            throw WorkbenchError.badInput("parameter '\(c.name)' is given both as an option and as a batch column")
        }
        try checkComplete(constant, columns: Set(columns.map(\.index)), vRest: vRest)

        var base = estimator.parameters.map { $0.defaultValue.isNaN ? Double.nan : $0.defaultValue }
        for (i, v) in constant { base[i] = v }
        var want = [Bool](repeating: false, count: estimator.outputs.count)
        for o in outputs { want[o.index] = true }
        let context = ChunkContext(evaluator: self, columns: columns, outputs: outputs, vRest: vRest, base: base,
                                   want: want, format: format)

        // Head of the document.
        let empty = ResultFormatter(estimator: estimator, outputs: outputs, vRest: vRest, parameterValues: [],
                                    rowErrors: [], rawCells: [], result: estimator.evaluate([], want: want, parallel: false))
        try emit(format == .csv ? empty.csvHeader : empty.jsonBatchHead, to: write)

        // Each round allocates and frees the same few hundred kB per chunk: reuse them, not fresh mappings.
        wb_keep_freed_memory()
        // A pipeline: this thread reads chunk k + 1 while workers process chunk k, and writes finished chunks
        // in order; at most `lanes` chunks are in flight (bounded memory). On one usable core, in turn.
        let parallel = LoadedEstimator.usableCores > 1
        let lanes = 2 * LoadedEstimator.usableCores
        var pending: [PendingChunk] = [], pendingHead = 0
        var totals = ChunkTotals()
        func writeOut(_ out: ChunkOutput) throws {
            try out.text.withBytes { try write($0) }
            totals.add(out)
        }
        /// Writes chunks from the head of the queue in order: waiting for the head while more than `keep` are
        /// in flight, then those already done.
        func drain(keep: Int) throws {
            while pendingHead < pending.count {
                let head = pending[pendingHead]
                if pending.count - pendingHead > keep { head.done.wait() }
                else if head.done.wait(timeout: .now()) == .timedOut { return }
                try writeOut(head.output!)
                pending[pendingHead] = PendingChunk.written
                pendingHead += 1
            }
            pending.removeAll(keepingCapacity: true); pendingHead = 0
        }
        var nextGridRow = 0, chunkIndex = 0, more = true
        while more {
            let input: ChunkInput?
            switch source {
            case .csv(let reader, _):
                var chunk = RecordChunk(reservingRecords: Self.chunkRows, fields: columns.count)
                chunk.firstRow = reader.recordsRead - 1
                more = try reader.read(into: &chunk, maxRecords: Self.chunkRows)
                input = chunk.count > 0 ? .records(chunk) : nil
            case .grid(let axes):
                let n = min(Self.chunkRows, axes.count - nextGridRow)
                input = n > 0 ? .grid(axes, first: nextGridRow, count: n) : nil
                nextGridRow += n
                more = nextGridRow < axes.count
            }
            guard let input else { continue }
            let first = chunkIndex == 0
            chunkIndex += 1
            if !parallel {
                try writeOut(context.process(input, firstOfDocument: first))
                continue
            }
            try drain(keep: lanes - 1)
            let slot = PendingChunk()
            pending.append(slot)
            let handedOver = UncheckedSendable(input)       // the reader never touches this chunk again
            DispatchQueue.global().async {
                slot.output = context.process(handedOver.value, firstOfDocument: first)
                slot.done.signal()
            }
        }
        try drain(keep: 0)
        if format == .json { try emit(ResultFormatter.jsonRowsEnd(empty: totals.rows == 0) + ResultFormatter.jsonBatchTail, to: write) }
        return totals.summary(timing: args.timing)
    }

    func emit(_ s: String, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        var s = s
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// A chunk handed to a worker: its output, and the signal that it is there.
final class PendingChunk: @unchecked Sendable {
    var output: ChunkOutput?
    let done = DispatchSemaphore(value: 0)
    /// Stands in for a chunk already written (its output released).
    static let written = PendingChunk()
}

enum ChunkInput {
    case records(RecordChunk)
    case grid(GridAxes, first: Int, count: Int)
}

struct ChunkOutput {
    var text = OutputBytes()
    var rows = 0, failed = 0, warned = 0, numerical = 0, badInput = 0
    var estimatorSeconds = 0.0, estimatorCPUSeconds = 0.0
}

struct ChunkTotals {
    var rows = 0, failed = 0, warned = 0, numerical = 0, badInput = 0
    var estimatorSeconds = 0.0, estimatorCPUSeconds = 0.0

    mutating func add(_ o: ChunkOutput) {
        rows += o.rows; failed += o.failed; warned += o.warned; numerical += o.numerical; badInput += o.badInput
        estimatorSeconds += o.estimatorSeconds; estimatorCPUSeconds += o.estimatorCPUSeconds
    }

    /// The messages and exit code of `Evaluator.finish` for a batch.
    func summary(timing: Bool) -> BatchSummary {
        var stderr: [String] = []
        if timing {
            let n = Double(max(rows, 1)), elapsed = estimatorSeconds, cpu = estimatorCPUSeconds
            stderr.append(String(format: "timing: %d rows evaluated in %.6f s inside the estimator: %.4g µs/row, %.4g rows/s (summed over chunks; all cores; taskset -c 0 for one); CPU %.6f s = %.4g µs/row",
                                 rows, elapsed, elapsed / n * 1e6, Double(rows) / max(elapsed, 1e-12), cpu, cpu / n * 1e6))
        }
        if failed > 0 { stderr.append("error: \(failed) of \(rows) rows failed (see the status/error columns)") }
        if warned > 0 { stderr.append("warning: \(warned) rows carry warnings (see the status/error columns)") }
        // Bad input is exit 2; a valid row the numerics could not evaluate is an internal failure, exit 1.
        let code: Int32 = badInput > 0 ? WorkbenchError.Code.badInput.rawValue
            : (numerical > 0 ? WorkbenchError.Code.internalError.rawValue : 0)
        return BatchSummary(stderr: stderr, exitCode: code)
    }
}

/// What every chunk of one batch shares; `process` is safe to run on several chunks at once.
struct ChunkContext: @unchecked Sendable {
    let evaluator: Evaluator
    let columns: [ParameterInfo]
    let outputs: [OutputInfo]
    let vRest: Double?
    let base: [Double]
    let want: [Bool]
    let format: OutputFormat
    let potentialIndices: [Int]
    let safeRow: [Double]
    let columnIndex: [Int], columnIsChoice: [Bool]
    var estimator: LoadedEstimator { evaluator.estimator }

    init(evaluator: Evaluator, columns: [ParameterInfo], outputs: [OutputInfo], vRest: Double?, base: [Double],
         want: [Bool], format: OutputFormat) {
        self.evaluator = evaluator; self.columns = columns; self.outputs = outputs; self.vRest = vRest
        self.base = base; self.want = want; self.format = format
        let parameters = evaluator.estimator.parameters
        potentialIndices = parameters.filter(\.isPotential).map(\.index)
        safeRow = evaluator.safeRow
        columnIndex = columns.map(\.index)
        columnIsChoice = columns.map(\.isChoice)
    }

    func process(_ input: ChunkInput, firstOfDocument: Bool) -> ChunkOutput {
        let nP = estimator.parameters.count
        let n: Int
        var values: [Double]
        var errors: [String?]
        var raw: [[Int: String]]
        switch input {
        case .records(let chunk):
            n = chunk.count
            values = [Double](repeating: 0, count: n * nP)
            errors = [String?](repeating: nil, count: n)
            raw = [[Int: String]](repeating: [:], count: n)
            withExtendedLifetime(chunk.bytes) {
                for r in 0..<n { parseRecord(chunk, r, into: &values, at: r * nP, error: &errors[r], raw: &raw[r]) }
            }
        case .grid(let axes, let first, let count):
            n = count
            values = [Double](repeating: 0, count: n * nP)
            errors = [String?](repeating: nil, count: n)
            raw = [[Int: String]](repeating: [:], count: n)
            for r in 0..<n {
                for i in 0..<nP { values[r * nP + i] = base[i] }
                var rest = first + r
                for a in stride(from: axes.columns.count - 1, through: 0, by: -1) {
                    let k = axes.values[a].count
                    values[r * nP + axes.columns[a].index] = axes.values[a][rest % k]
                    rest /= k
                }
            }
        }

        // Into the estimator's frame, host-side range checks, then one ABI call for the chunk.
        var flat = values
        flat.withUnsafeMutableBufferPointer { all in
            for r in 0..<n {
                evaluator.toEstimatorFrame(UnsafeMutableBufferPointer(rebasing: all[r * nP..<(r + 1) * nP]), vRest: vRest,
                                           potentialIndices: potentialIndices, safeRow: safeRow, error: &errors[r])
            }
        }
        var out = ChunkOutput()
        let started = DispatchTime.now().uptimeNanoseconds, cpuStarted = threadCPUSeconds()
        let result = estimator.evaluate(flat, want: want, parallel: false)
        out.estimatorSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        out.estimatorCPUSeconds = threadCPUSeconds() - cpuStarted

        // (A lookup in the empty dictionary of a clean chunk still hashes: skip it.)
        let rowErrors = result.messages.isEmpty ? errors : (0..<n).map { errors[$0] ?? result.messages[$0] }
        let formatter = ResultFormatter(estimator: estimator, outputs: outputs, vRest: vRest, parameterValues: values,
                                        rowErrors: rowErrors, rawCells: raw, result: result)
        out.text.reserve(n * 16 * (nP + outputs.count + 2))
        let layout = formatter.csvLayout
        let cache = ResultFormatter.ParameterTextCache(nP)
        for r in 0..<n {
            if format == .csv { formatter.appendCSVRow(r, layout: layout, cache: cache, to: &out.text) }
            else {
                out.text.write(ResultFormatter.jsonRowSeparator(first: firstOfDocument && r == 0))
                out.text.write(formatter.batchRowJSON(r))
            }
            let status = result.status[r]
            if errors[r] != nil || (status < 0 && status != WB_STATUS_NUMERICAL_ERROR) { out.badInput += 1 }
            if errors[r] == nil && status == WB_STATUS_NUMERICAL_ERROR { out.numerical += 1 }
            if rowErrors[r] != nil { out.failed += 1 } else if status > 0 { out.warned += 1 }
        }
        out.rows = n
        return out
    }

    func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// One CSV record into its parameter values (user frame), as the in-memory path parsed it: every cell is
    /// parsed, the first error names the row, a failed row keeps the cells as written for the echo.
    func parseRecord(_ chunk: RecordChunk, _ r: Int, into values: inout [Double], at o: Int,
                     error: inout String?, raw: inout [Int: String]) {
        for i in 0..<base.count { values[o + i] = base[i] }
        let bytes = UnsafePointer(chunk.bytes.base)       // the chunk holds the storage alive
        let fields = chunk.fieldCount(r)
        if fields != columns.count {
            error = "row \(chunk.firstRow + r + 1): \(fields) fields, header has \(columns.count)"
        } else if !chunk.isUTF8(r) {
            error = "row \(chunk.firstRow + r + 1) is not UTF-8 text (Latin-1?): save the file as UTF-8 CSV"
        } else {
            for c in 0..<columnIndex.count {
                if !chunk.nonASCII[r], !columnIsChoice[c], let v = fastNumber(bytes, chunk.field(r, c)) {
                    values[o + columnIndex[c]] = v
                    continue
                }
                evaluator.parseCell(chunk.text(r, c), columns[c], into: &values[o + columnIndex[c]], error: &error)
            }
        }
        if error != nil {
            for (c, p) in columns.enumerated() where c < fields { raw[p.index] = chunk.text(r, c) }
        }
    }

    /// A plain decimal number (ASCII digits, sign, point, exponent; spaces and tabs around it) read without
    /// building a String (Eisel–Lemire, else strtod): the value `Double(text)` gives, for the texts it accepts. Anything else,
    /// or a non-finite result, returns nil and takes the general path (units, messages).
    func fastNumber(_ b: UnsafePointer<UInt8>, _ range: Range<Int>) -> Double? {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
        while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
        let n = hi - lo
        guard n > 0 && n < 64 else { return nil }
        if let v = DecimalParser.parse(b + lo, count: n) { return v }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { text -> Double? in
            for i in 0..<n {
                let c = b[lo + i]
                // Digits, '+', '-', '.', 'e', 'E' only: no hex, inf, nan or units.
                guard (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E || c == 0x65 || c == 0x45 else { return nil }
                text[i] = CChar(bitPattern: c)
            }
            text[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(text.baseAddress!, &end)
            guard let end, end - text.baseAddress! == n, v.isFinite else { return nil }
            return v
        }
    }
}
