// Plugin discovery and loading (DESIGN.md §3). Every estimator, built-in or third-party, arrives here
// through dlopen; the host links no estimator code.
import CWorkbenchPlugin
import Foundation
import WorkbenchToolchain
#if canImport(Glibc)
import Glibc
#endif

public let workbenchVersion = "0.1.0"

/// The host's Swift toolchain, in the format the EstimatorKit writes into `wb_estimator.toolchain`.
public let hostSwiftToolchain = swiftToolchainIdentifier

public struct PluginLoadFailure: CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    /// Reported by the plugin itself (`workbench_plugin_problems`): the file loaded and its other estimators
    /// are registered, so the probe child does not fail the file for it.
    public var declaredByPlugin = false
    public var description: String { "\(path): \(reason)" }
}

public final class PluginFile: @unchecked Sendable {
    public let path: String
    let bytes: Data
    public private(set) lazy var sha256: String = SHA256.hex(bytes)
    init(path: String, bytes: Data) { self.path = path; self.bytes = bytes }
}

public struct ParameterInfo: Sendable {
    public let index: Int
    public let name, unit, summary: String
    public let defaultValue: Double         // NaN: none
    public let min, max: Double
    public let flags: UInt32
    public let choices: [String]
    public var isRequired: Bool { flags & UInt32(WB_PARAM_REQUIRED) != 0 }
    public var isOptional: Bool { flags & UInt32(WB_PARAM_OPTIONAL) != 0 }
    public var isInteger: Bool { flags & UInt32(WB_PARAM_INTEGER) != 0 }
    public var isChoice: Bool { flags & UInt32(WB_PARAM_CHOICE) != 0 }
    public var isPotential: Bool { flags & UInt32(WB_PARAM_POTENTIAL) != 0 }
}

public struct OutputInfo: Sendable {
    public let index: Int
    public let name, unit, summary: String
    public let observable: String?
    public let modelError: Double
    public let modelErrorOutput: Int?
    public let isPotential: Bool
}

/// One estimator as seen through the ABI.
public final class LoadedEstimator: @unchecked Sendable {
    public let descriptor: UnsafePointer<wb_estimator>
    public let file: PluginFile
    public let name, summary, reference, model, toolchain, notes: String
    public let parameters: [ParameterInfo]
    public let outputs: [OutputInfo]
    public let warnings: [String]

    init(_ d: UnsafePointer<wb_estimator>, file: PluginFile) {
        descriptor = d
        self.file = file
        let e = d.pointee
        func str(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        name = str(e.name); summary = str(e.summary); reference = str(e.reference); model = str(e.model)
        toolchain = str(e.toolchain); notes = str(e.notes)
        parameters = (0..<e.n_params).map { i in
            let p = e.params[i]
            return ParameterInfo(index: i, name: str(p.name), unit: str(p.unit), summary: str(p.summary),
                                 defaultValue: p.default_value, min: p.min, max: p.max, flags: p.flags,
                                 choices: (0..<p.n_choices).map { str(p.choices[$0]) })
        }
        outputs = (0..<e.n_outputs).map { i in
            let o = e.outputs[i]
            return OutputInfo(index: i, name: str(o.name), unit: str(o.unit), summary: str(o.summary),
                              observable: o.observable.map { String(cString: $0) }, modelError: o.model_error,
                              modelErrorOutput: o.model_error_output >= 0 ? Int(o.model_error_output) : nil,
                              isPotential: o.flags & UInt32(WB_OUTPUT_POTENTIAL) != 0)
        }
        warnings = (0..<e.n_warnings).map { str(e.warnings[$0]) }
    }

    public func parameter(named n: String) -> ParameterInfo? { parameters.first { $0.name == n } }
    public func output(named n: String) -> OutputInfo? { outputs.first { $0.name == n } }

    /// Checks one value against the declared range (the same C helper the Swift kit uses).
    public func check(_ p: ParameterInfo, _ value: Double) -> String? {
        if wb_check_param(descriptor.pointee.params + p.index, value, nil, 0) == 0 { return nil }
        var buf = [CChar](repeating: 0, count: 512)
        _ = wb_check_param(descriptor.pointee.params + p.index, value, &buf, buf.count)
        return string(fromCBuffer: buf)
    }

    /// The range check of `check` without building a message (the hot path of a batch).
    @inline(__always) public func isOutOfRange(_ index: Int, _ value: Double) -> Bool {
        wb_check_param(descriptor.pointee.params + index, value, nil, 0) != 0
    }

    public func describeRange(_ p: ParameterInfo) -> String {
        var buf = [CChar](repeating: 0, count: 512)
        wb_describe_range(descriptor.pointee.params + p.index, &buf, buf.count)
        return string(fromCBuffer: buf)
    }

    public struct Batch {
        public let nRows: Int, nOutputs: Int
        /// Row-major values of the wanted outputs only (`column[o]` is output o's column, −1 if not wanted):
        /// a batch of 10⁵ rows then moves 2 columns through memory instead of all 15.
        public private(set) var values: [Double]
        let column: [Int], width: Int
        public var notApplicable: [UInt64]
        public var status: [Int32]
        public var messages: [Int: String]
        public func value(_ row: Int, _ output: Int) -> Double {
            let c = column[output]
            return c < 0 ? .nan : values[row * width + c]
        }
        public func isNotApplicable(_ row: Int, _ output: Int) -> Bool {
            output < 64 && notApplicable[row] & (1 << UInt64(output)) != 0
        }
    }

    /// Evaluates rows (row-major, n_params each) through the ABI. Large batches are split into chunks
    /// evaluated on all cores (the ABI requires `evaluate` to be thread-safe); failed rows are
    /// re-evaluated alone to obtain their messages.
    public func evaluate(_ input: [Double], want: [Bool]? = nil, parallel: Bool = true) -> Batch {
        let nP = parameters.count, nO = outputs.count
        let nRows = nP == 0 ? 0 : input.count / nP
        precondition(nP > 0 && input.count == nRows * nP, "input is not n_rows x n_params")
        let wanted = (0..<nO).filter { want?[$0] ?? true }
        var column = [Int](repeating: -1, count: nO)
        for (c, o) in wanted.enumerated() { column[o] = c }
        let nW = wanted.count
        var values = [Double](repeating: .nan, count: nRows * nW)
        var na = [UInt64](repeating: 0, count: nRows)
        var status = [Int32](repeating: 0, count: nRows)
        let wantBytes: [UInt8]? = want.map { $0.map { $0 ? 1 : 0 } }
        let chunk = 512
        let nChunks = (nRows + chunk - 1) / chunk
        let d = descriptor
        input.withUnsafeBufferPointer { inp in
            values.withUnsafeMutableBufferPointer { out in
                na.withUnsafeMutableBufferPointer { naP in
                    status.withUnsafeMutableBufferPointer { st in
                        let inBase = inp.baseAddress!, outBase = out.baseAddress!
                        let naBase = naP.baseAddress!, stBase = st.baseAddress!
                        let run = { (c: Int) in
                            let lo = c * chunk, n = min(chunk, nRows - lo)
                            var msg = [CChar](repeating: 0, count: 4)
                            // The ABI fills whole rows; a chunk-sized buffer (reused by malloc, cache-resident)
                            // takes them and only the wanted columns are kept.
                            var rows = [Double](repeating: .nan, count: n * nO)
                            rows.withUnsafeMutableBufferPointer { r in
                                let rb = r.baseAddress!
                                let call = { (w: UnsafePointer<UInt8>?) in
                                    _ = d.pointee.evaluate(d, n, inBase + lo * nP, w, rb, naBase + lo, stBase + lo, &msg, msg.count)
                                }
                                if let wantBytes { wantBytes.withUnsafeBufferPointer { call($0.baseAddress) } } else { call(nil) }
                                for i in 0..<n {
                                    for (k, o) in wanted.enumerated() { outBase[(lo + i) * nW + k] = rb[i * nO + o] }
                                }
                            }
                        }
                        if parallel && nChunks > 1 && LoadedEstimator.usableCores > 1 {
                            // Chunks write disjoint rows of the output buffers.
                            let shared = UncheckedSendable(run)
                            DispatchQueue.concurrentPerform(iterations: nChunks) { shared.value($0) }
                        } else {
                            for c in 0..<nChunks { run(c) }
                        }
                    }
                }
            }
        }
        var messages = [Int: String]()
        for row in 0..<nRows where status[row] < 0 {
            messages[row] = message(forRow: Array(input[row * nP..<(row + 1) * nP]), status: status[row], want: wantBytes)
        }
        return Batch(nRows: nRows, nOutputs: nO, values: values, column: column, width: nW, notApplicable: na, status: status, messages: messages)
    }

    /// CPUs this process may run on (the Cpus_allowed mask of /proc/self/status; Foundation's counts ignore
    /// `taskset`): on one core, chunks run in turn instead of as threads preempting each other.
    static let usableCores: Int = {
        let all = ProcessInfo.processInfo.activeProcessorCount
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return all }
        let bits = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
        return bits > 0 ? min(bits, all) : all
    }()

    /// The message of a failed row, evaluated again alone with the same wanted outputs (all of them could
    /// cost far more than the failed call, or fail differently).
    func message(forRow row: [Double], status: Int32, want: [UInt8]? = nil) -> String {
        var out = [Double](repeating: .nan, count: max(outputs.count, 1))
        var na: UInt64 = 0, st: Int32 = 0
        var msg = [CChar](repeating: 0, count: 1024)
        (want ?? []).withUnsafeBufferPointer { w in
            _ = descriptor.pointee.evaluate(descriptor, 1, row, want == nil ? nil : w.baseAddress, &out, &na, &st, &msg, msg.count)
        }
        let text = string(fromCBuffer: msg)
        if !text.isEmpty { return text }
        if status <= WB_STATUS_BAD_PARAM_BASE {
            let i = Int(WB_STATUS_BAD_PARAM_BASE - status)
            if i < parameters.count { return "parameter '\(parameters[i].name)' = \(row[i]) is out of range" }
        }
        return status == WB_STATUS_NUMERICAL_ERROR ? "numerical failure" : "bad input"
    }

    /// Human-readable warnings of a status word.
    public func warningTexts(_ status: Int32) -> [String] {
        guard status > 0 else { return [] }
        return (0..<32).compactMap { bit in
            status & (1 << Int32(bit)) == 0 ? nil : (bit < warnings.count ? warnings[bit] : "warning bit \(bit)")
        }
    }
}

/// All estimators found on the plugin path, and the files that failed to load.
public final class PluginRegistry: @unchecked Sendable {
    public private(set) var estimators: [LoadedEstimator] = []
    public private(set) var failures: [PluginLoadFailure] = []
    public private(set) var searchedDirectories: [String] = []

    public init(searchPath: [String]) {
        searchedDirectories = searchPath
        var seen = Set<String>(), files: [(path: String, real: String)] = []
        for dir in searchPath {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for name in names.sorted() where name.hasPrefix("lib") && name.hasSuffix("Plugin.so") {
                let path = (dir as NSString).appendingPathComponent(name)
                let real = (path as NSString).resolvingSymlinksInPath
                guard !seen.contains(real) else { continue }     // one file reached twice on the path
                seen.insert(real)
                files.append((path, real))
            }
        }
        // New files are loaded by a child process first (PluginProbe); only what it loaded cleanly is
        // loaded here. Unreadable files and non-files are left to load(), which reports them.
        let probed = PluginProbe.outcomes(files.map(\.real).filter { Self.isRegularFile($0) })
        for f in files {
            if let o = probed[f.real], !o.ok {
                failures.append(PluginLoadFailure(path: f.path, reason: o.reason ?? "failed to load"))
                continue
            }
            load(f.path)
        }
    }

    /// Loads the given files directly, without a probe (the probe child itself).
    init(files: [String]) {
        for f in files { load(f) }
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// `--plugin-path` entries, then $WORKBENCH_PLUGIN_PATH (colon-separated), then the executable's directory.
    public static func defaultSearchPath(explicit: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs = explicit.flatMap { $0.split(separator: ":").map(String.init) }
        if let env = environment["WORKBENCH_PLUGIN_PATH"] { dirs += env.split(separator: ":").map(String.init) }
        if let exe = executableDirectory() { dirs.append(exe) }
        return dirs.filter { !$0.isEmpty }
    }

    static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (exe as NSString).deletingLastPathComponent
    }

    public func estimator(named name: String) -> LoadedEstimator? { estimators.first { $0.name == name } }

    /// No plugin is this large (the built-ins are ~1 MB); a larger file is refused before it is read.
    static let maxPluginBytes = 512 << 20

    /// A candidate file's bytes. Its size and ELF magic are checked first, so that a large file that is no
    /// library (a 1 GB data file named lib*Plugin.so) is refused without being read on every command.
    static func readCandidate(_ path: String) -> Result<Data, ELFPrecheck.Failure> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(.init(reason: "cannot read file")) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.init(reason: "cannot read file")) }
        let size = Int(st.st_size)
        guard size <= maxPluginBytes else {
            return .failure(.init(reason: "file of \(size) bytes is too large for a plugin (limit \(maxPluginBytes >> 20) MiB)"))
        }
        // The magic first: a file that is no library is refused without reading the rest.
        var head = [UInt8](repeating: 0, count: 4)
        if size >= 4, pread(fd, &head, 4, 0) == 4, !head.starts(with: ELFPrecheck.magic) {
            return .failure(.init(reason: ELFPrecheck.badMagic))
        }
        var data = Data(count: size)
        var filled = 0
        while filled < size {
            let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, size - filled) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .failure(.init(reason: "cannot read file")) }
            filled += n
        }
        return .success(data)
    }

    private func load(_ path: String) {
        func fail(_ reason: String) { failures.append(PluginLoadFailure(path: path, reason: reason)) }
        let bytes: Data
        switch Self.readCandidate(path) {
        case .success(let data): bytes = data
        case .failure(let reason): return fail(reason.description)
        }
        do { try ELFPrecheck.check(bytes) } catch { return fail("\(error)") }

        // RTLD_LOCAL: plugins never see each other's symbols. Never dlclose: a library that ran Swift
        // code cannot be unloaded safely.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return fail("dlopen failed: \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        // GSL's default error handler aborts; make sure it is off for a plugin that links GSL.
        if let sym = dlsym(handle, "gsl_set_error_handler_off") {
            typealias Off = @convention(c) () -> UnsafeMutableRawPointer?
            _ = unsafeBitCast(sym, to: Off.self)()
        }
        guard let abiSym = dlsym(handle, WB_ENTRY_ABI_VERSION), let listSym = dlsym(handle, WB_ENTRY_ESTIMATORS) else {
            return fail("not a workbench plugin: entry symbols not found by dlsym")
        }
        let abi = unsafeBitCast(abiSym, to: wb_abi_version_entry.self)()
        guard abi == WB_ABI_VERSION else {
            return fail("incompatible plugin ABI version \(abi) (this workbench speaks version \(WB_ABI_VERSION))")
        }
        let file = PluginFile(path: path, bytes: bytes)
        var count = 0
        guard let table = unsafeBitCast(listSym, to: wb_estimators_entry.self)(&count) else {
            return fail("plugin returned no estimator table")
        }
        // Optional entry: estimators the plugin itself left out of its table (EstimatorKit's spec check).
        var declared: [String] = []
        if let sym = dlsym(handle, WB_ENTRY_PROBLEMS) {
            declared = Self.problemLines(unsafeBitCast(sym, to: wb_problems_entry.self)())
            for p in declared { failures.append(PluginLoadFailure(path: path, reason: p, declaredByPlugin: true)) }
        }
        if count == 0 && !declared.isEmpty { return }     // every estimator refused, each already reported
        guard count > 0, count < 10_000 else { return fail("plugin declares \(count) estimators") }
        for i in 0..<count {
            guard let d = table[i] else { fail("estimator \(i) is NULL"); continue }
            if let problem = Self.malformed(d) { fail("estimator \(i): \(problem)"); continue }
            let e = LoadedEstimator(d, file: file)
            if e.toolchain.hasPrefix("swift") && e.toolchain != hostSwiftToolchain {
                fail("estimator '\(e.name)' was built with \(e.toolchain), this host with \(hostSwiftToolchain) (Swift's runtime ABI is not stable on Linux: rebuild the plugin)")
                continue
            }
            if let first = estimator(named: e.name) {
                fail("duplicate estimator name '\(e.name)': already provided by \(first.file.path); this one refused")
                continue
            }
            estimators.append(e)
        }
    }

    /// The lines of a plugin's `workbench_plugin_problems` text, blank lines dropped. The text is the plugin's:
    /// at most 64 KiB and 100 lines are taken.
    public static func problemLines(_ text: UnsafePointer<CChar>?) -> [String] {
        guard let text else { return [] }
        let bytes = UnsafeRawBufferPointer(start: text, count: strnlen(text, 1 << 16))
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let limit = 100
        return lines.count <= limit ? lines
            : Array(lines.prefix(limit)) + ["... and \(lines.count - limit) more problems reported by the plugin"]
    }

    /// Structural checks on a descriptor before any of its strings or arrays are read.
    static func malformed(_ d: UnsafePointer<wb_estimator>) -> String? {
        // Read the two leading fields first: a descriptor from another ABI version may be shorter.
        let version = UnsafeRawPointer(d).load(as: UInt32.self)
        guard version == WB_ABI_VERSION else { return "descriptor ABI version \(version), expected \(WB_ABI_VERSION)" }
        let size = UnsafeRawPointer(d).load(fromByteOffset: 4, as: UInt32.self)
        guard size >= MemoryLayout<wb_estimator>.size else { return "descriptor too small (\(size) bytes)" }
        let e = d.pointee
        guard let name = e.name, strlen(name) > 0 else { return "no name" }
        guard e.model != nil else { return "no model" }
        guard e.evaluate != nil else { return "no evaluate function" }
        guard e.n_params >= 1, e.n_params <= 256, e.params != nil else { return "bad parameter table (\(e.n_params))" }
        // 64 outputs at most: the per-row not-applicable mask is one uint64_t.
        guard e.n_outputs >= 1, e.n_outputs <= 64, e.outputs != nil else { return "bad output table (\(e.n_outputs) outputs; 1 to 64 allowed)" }
        for i in 0..<e.n_params {
            let p = e.params[i]
            guard p.name != nil, p.unit != nil else { return "parameter \(i) has no name or unit" }
            if p.flags & UInt32(WB_PARAM_CHOICE) != 0 && (p.n_choices == 0 || p.choices == nil) {
                return "choice parameter \(i) has no choices"
            }
        }
        for i in 0..<e.n_outputs where e.outputs[i].name == nil || e.outputs[i].unit == nil {
            return "output \(i) has no name or unit"
        }
        if e.n_warnings > 0 && e.warnings == nil { return "warning table missing" }
        return nil
    }
}
