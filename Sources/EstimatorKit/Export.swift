// Glue from Swift `Estimator`s to the C ABI. Names are strdup'ed and arrays allocated once and kept
// for the life of the process (the host never dlcloses a plugin).
import Foundation

/// Type-erased batch evaluator reached from C through `wb_estimator.context`.
class BatchEvaluator {
    func evaluate(_ self_: UnsafePointer<wb_estimator>, _ nRows: Int, _ input: UnsafePointer<Double>,
                  _ want: UnsafePointer<UInt8>?, _ out: UnsafeMutablePointer<Double>,
                  _ na: UnsafeMutablePointer<UInt64>, _ status: UnsafeMutablePointer<Int32>,
                  _ msg: UnsafeMutablePointer<CChar>?, _ msgLen: Int) -> Int32 { fatalError("abstract") }
}

final class TypedBatchEvaluator<E: Estimator>: BatchEvaluator {
    let estimator: E
    init(_ e: E) { estimator = e }

    override func evaluate(_ d: UnsafePointer<wb_estimator>, _ nRows: Int, _ input: UnsafePointer<Double>,
                           _ want: UnsafePointer<UInt8>?, _ out: UnsafeMutablePointer<Double>,
                           _ na: UnsafeMutablePointer<UInt64>, _ status: UnsafeMutablePointer<Int32>,
                           _ msg: UnsafeMutablePointer<CChar>?, _ msgLen: Int) -> Int32 {
        let nP = d.pointee.n_params, nO = d.pointee.n_outputs
        var scratch = estimator.makeScratch()
        var firstMessage: String?
        var buffer = [CChar](repeating: 0, count: 512)
        let ranges = (0..<nP).map { FastRange(d.pointee.params[$0]) }
        let wanted = (0..<nO).filter { want == nil || want![$0] != 0 }
        for row in 0..<nRows {
            let p = UnsafeBufferPointer(start: input + row * nP, count: nP)
            let o = out + row * nO
            o.initialize(repeating: .nan, count: nO)
            na[row] = 0
            // Single-parameter ranges: a quick test, and the C helper the host uses for the message.
            var bad: (Int, String)?
            for i in 0..<nP where !ranges[i].accepts(p[i])
                && wb_check_param(d.pointee.params + i, p[i], &buffer, buffer.count) != 0 {
                bad = (i, String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)); break
            }
            if let (i, m) = bad {
                status[row] = WB_STATUS_BAD_PARAM_BASE - Int32(i)
                if firstMessage == nil { firstMessage = m }
                continue
            }
            var outRow = OutputRow(want: want, values: o, count: nO)
            do {
                status[row] = Int32(bitPattern: try estimator.evaluate(p, &outRow, &scratch)) & Int32.max
                na[row] = outRow.notApplicableBits
                // A wanted output left NaN without the not-applicable mark is a value the estimator could not
                // give (parameters at the ends of the doubles): the row fails, naming it, instead of showing an
                // empty cell beside "ok". Found by the CLI campaign (python/tests/test_cli_campaign.py).
                for k in wanted where o[k].isNaN && (k >= 64 || na[row] & (1 << UInt64(k)) == 0) {
                    let name = String(cString: d.pointee.outputs[k].name)
                    throw EstimatorFailure(.badInput, "output '\(name)' is not a number at these parameters: they are "
                        + "outside what \(String(cString: d.pointee.name)) can evaluate (see its parameter ranges)")
                }
            } catch let f as EstimatorFailure {
                o.update(repeating: .nan, count: nO)
                switch f.kind {
                case .badParameter(let i): status[row] = WB_STATUS_BAD_PARAM_BASE - Int32(i)
                case .badInput: status[row] = WB_STATUS_BAD_INPUT
                case .numerical: status[row] = WB_STATUS_NUMERICAL_ERROR
                }
                if firstMessage == nil { firstMessage = f.message }
            } catch {
                o.update(repeating: .nan, count: nO)
                status[row] = WB_STATUS_NUMERICAL_ERROR
                if firstMessage == nil { firstMessage = "numerical failure: \(error)" }
            }
        }
        if let m = firstMessage, let msg, msgLen > 0 {
            let bytes = Array(m.utf8.prefix(msgLen - 1))
            for (i, b) in bytes.enumerated() { msg[i] = CChar(bitPattern: b) }
            msg[bytes.count] = 0
        }
        return 0
    }
}

/// `wb_check_param`'s acceptance as two inclusive bounds and two flags, decided once per batch: the C
/// check runs per parameter per row and cost a third of a fast estimator's row. Exclusive bounds become
/// the neighbouring doubles, a choice the index range; whatever this accepts, the C check accepts.
struct FastRange {
    let lo: Double, hi: Double, optional: Bool, integral: Bool
    init(_ p: wb_param) {
        optional = p.flags & UInt32(WB_PARAM_OPTIONAL) != 0
        if p.flags & UInt32(WB_PARAM_CHOICE) != 0 {
            lo = 0; hi = Double(p.n_choices) - 1; integral = true
        } else {
            lo = p.flags & UInt32(WB_PARAM_MIN_EXCLUSIVE) != 0 ? p.min.nextUp : p.min
            hi = p.flags & UInt32(WB_PARAM_MAX_EXCLUSIVE) != 0 ? p.max.nextDown : p.max
            integral = p.flags & UInt32(WB_PARAM_INTEGER) != 0
        }
    }
    /// True: valid. False: let `wb_check_param` decide (and word the message). Integer-valued parameters
    /// always go to C (`rounded` is a libm call without SSE4.1, and the compiler evaluates it eagerly).
    @inline(__always) func accepts(_ v: Double) -> Bool {
        if v.isNaN { return optional }
        return !integral && v.isFinite && v >= lo && v <= hi
    }
}

/// The export table of one plugin. Create it once (a global `let`) and return `table(count)` from
/// the `workbench_plugin_estimators` entry point and `problemText` from `workbench_plugin_problems`.
public final class PluginExport: @unchecked Sendable {
    public static let abiVersion: UInt32 = WB_ABI_VERSION
    private let pointers: UnsafeMutablePointer<UnsafePointer<wb_estimator>?>
    private let count: Int
    /// Estimators left out of the table because their Parameter/Output enums disagree with their specs, one
    /// line each. Not a crash: the host reports these and loads the plugin's other estimators.
    public let problems: [String]
    /// `problems` joined by newlines for the C entry point `workbench_plugin_problems` (NULL: none).
    public let problemText: UnsafePointer<CChar>?

    public init(_ estimators: [any Estimator]) {
        var problems: [String] = [], good: [any Estimator] = []
        for e in estimators {
            let p = fieldProblems(e)
            if p.isEmpty { good.append(e) } else { problems += p }
        }
        self.problems = problems
        problemText = problems.isEmpty ? nil : PluginExport.cString(problems.joined(separator: "\n"))
        count = good.count
        pointers = .allocate(capacity: max(count, 1))
        for (i, e) in good.enumerated() { pointers[i] = UnsafePointer(Self.describe(e)) }
    }

    public func table(_ countOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<wb_estimator>?> {
        countOut?.pointee = count
        return UnsafePointer(pointers)
    }

    private static func cString(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(s)!) }
    private static func cStringArray(_ a: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        if a.isEmpty { return nil }
        let p = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: a.count)
        for (i, s) in a.enumerated() { p[i] = cString(s) }
        return UnsafePointer(p)
    }

    private static func box<E: Estimator>(_ e: E) -> BatchEvaluator { TypedBatchEvaluator(e) }

    private static func describe(_ e: any Estimator) -> UnsafeMutablePointer<wb_estimator> {
        let info = e.info
        let params = UnsafeMutablePointer<wb_param>.allocate(capacity: max(info.parameters.count, 1))
        for (i, s) in info.parameters.enumerated() {
            var flags: UInt32 = 0
            var def = Double.nan
            switch s.kind {
            case .required: flags |= UInt32(WB_PARAM_REQUIRED)
            case .optional: flags |= UInt32(WB_PARAM_OPTIONAL)
            case .defaulted(let v): def = v
            }
            if s.integer { flags |= UInt32(WB_PARAM_INTEGER) }
            if !s.choices.isEmpty { flags |= UInt32(WB_PARAM_CHOICE) }
            if s.minExclusive { flags |= UInt32(WB_PARAM_MIN_EXCLUSIVE) }
            if s.maxExclusive { flags |= UInt32(WB_PARAM_MAX_EXCLUSIVE) }
            if s.potential { flags |= UInt32(WB_PARAM_POTENTIAL) }
            params[i] = wb_param(name: cString(s.name), unit: cString(s.unit), summary: cString(s.summary),
                                 default_value: def, min: s.min, max: s.max, flags: flags,
                                 n_choices: s.choices.count, choices: cStringArray(s.choices))
        }
        let outputs = UnsafeMutablePointer<wb_output>.allocate(capacity: max(info.outputs.count, 1))
        for (i, o) in info.outputs.enumerated() {
            outputs[i] = wb_output(name: cString(o.name), unit: cString(o.unit), summary: cString(o.summary),
                                   observable: o.observable.map(cString), model_error: o.modelError,
                                   model_error_output: Int32(o.modelErrorOutput ?? -1),
                                   flags: o.potential ? UInt32(WB_OUTPUT_POTENTIAL) : 0)
        }
        let evaluator = box(e)
        let d = UnsafeMutablePointer<wb_estimator>.allocate(capacity: 1)
        d.initialize(to: wb_estimator(
            abi_version: WB_ABI_VERSION, struct_size: UInt32(MemoryLayout<wb_estimator>.size),
            name: cString(info.name), summary: cString(info.summary), reference: cString(info.reference),
            model: cString(info.model), toolchain: cString(swiftToolchainIdentifier), notes: cString(info.notes),
            n_params: info.parameters.count, params: UnsafePointer(params),
            n_outputs: info.outputs.count, outputs: UnsafePointer(outputs),
            n_warnings: info.warnings.count, warnings: cStringArray(info.warnings),
            context: Unmanaged.passRetained(evaluator).toOpaque(),
            evaluate: { selfPtr, nRows, input, want, out, na, status, msg, msgLen in
                if nRows == 0 { return 0 }
                guard let selfPtr, let input, let out, let na, let status, let ctx = selfPtr.pointee.context else { return 1 }
                return Unmanaged<BatchEvaluator>.fromOpaque(ctx).takeUnretainedValue()
                    .evaluate(selfPtr, nRows, input, want, out, na, status, msg, msgLen)
            }))
        return d
    }
}
