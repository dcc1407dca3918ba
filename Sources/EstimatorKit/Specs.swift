// What a Swift plugin author writes: an `Estimator` with its parameter and output specs.
// `PluginExport` (Export.swift) turns a list of estimators into the C ABI of workbench_plugin.h.
@_exported import CWorkbenchPlugin
@_exported import WorkbenchToolchain

public struct ParameterSpec: Sendable {
    public enum Kind: Sendable { case required, optional, defaulted(Double) }
    public var name: String, unit: String, summary: String
    public var kind: Kind
    public var min: Double, max: Double
    public var minExclusive = false, maxExclusive = false
    public var integer = false
    public var choices: [String] = []
    /// A membrane potential relative to rest (shifted by the host's --v-rest).
    public var potential = false

    public init(_ name: String, unit: String, _ kind: Kind, min: Double = -.infinity, max: Double = .infinity,
                minExclusive: Bool = false, maxExclusive: Bool = false, integer: Bool = false,
                choices: [String] = [], potential: Bool = false, summary: String) {
        self.name = name; self.unit = unit; self.kind = kind; self.min = min; self.max = max
        self.minExclusive = minExclusive; self.maxExclusive = maxExclusive; self.integer = integer
        self.choices = choices; self.potential = potential; self.summary = summary
    }
}

public struct OutputSpec: Sendable {
    public var name: String, unit: String, summary: String
    /// The canonical Monte-Carlo observable this output predicts (nil: none).
    public var observable: String?
    /// Documented relative error vs the exact model (0: exact), or the index of an output carrying it per row.
    public var modelError: Double
    public var modelErrorOutput: Int?
    public var potential: Bool

    public init(_ name: String, unit: String, observable: String? = nil, modelError: Double = 0,
                modelErrorOutput: Int? = nil, potential: Bool = false, summary: String) {
        self.name = name; self.unit = unit; self.observable = observable; self.modelError = modelError
        self.modelErrorOutput = modelErrorOutput; self.potential = potential; self.summary = summary
    }
}

public struct EstimatorInfo: Sendable {
    public var name, summary, reference, model: String
    public var notes: String
    public var parameters: [ParameterSpec]
    public var outputs: [OutputSpec]
    /// Warning bit i of a row status means warnings[i].
    public var warnings: [String]

    public init(name: String, summary: String, reference: String, model: String, notes: String = "",
                parameters: [ParameterSpec], outputs: [OutputSpec], warnings: [String] = []) {
        self.name = name; self.summary = summary; self.reference = reference; self.model = model
        self.notes = notes; self.parameters = parameters; self.outputs = outputs; self.warnings = warnings
    }
}

/// A row that cannot be evaluated. Range violations of single parameters are caught by the glue
/// from the specs before `evaluate` runs; an estimator throws for relations (v_reset < theta) and
/// numerical failures.
public struct EstimatorFailure: Error, Sendable {
    public enum Kind: Sendable { case badParameter(Int), badInput, numerical }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    /// `EstimatorFailure(badParameter: P.vReset, "…")`: the row fails on that parameter.
    public init<F: EstimatorField>(badParameter field: F, _ message: String) {
        self.init(.badParameter(field.rawValue), message)
    }
}

/// The outputs of one row. Unset outputs stay NaN; `notApplicable` marks those that do not apply.
public struct OutputRow {
    public let want: UnsafePointer<UInt8>?
    let values: UnsafeMutablePointer<Double>
    let count: Int
    public internal(set) var notApplicableBits: UInt64 = 0

    @inline(__always) public func wants(_ i: Int) -> Bool { want == nil || want![i] != 0 }
    @inline(__always) public func set(_ i: Int, _ v: Double) { if wants(i) { values[i] = v } }
    public mutating func notApplicable(_ i: Int) {
        values[i] = .nan
        if i < 64 { notApplicableBits |= 1 << UInt64(i) }
    }
}

public protocol Estimator: Sendable {
    /// Per-batch scratch space (e.g. a GSL integration workspace: not thread-safe, so one per call).
    associatedtype Scratch
    /// The parameters in spec order (`p[P.mu]`); PluginExport refuses an estimator whose enum and spec disagree.
    associatedtype Parameter: EstimatorField
    /// The outputs in spec order (`out.set(O.rateHz, v)`), checked the same way.
    associatedtype Output: EstimatorField
    var info: EstimatorInfo { get }
    func makeScratch() -> Scratch
    /// Evaluates one row (`p` in declaration order, absent optional = NaN, choices as indices; read it as
    /// `p[Parameter.x]`).
    /// Returns warning bits (0: none).
    func evaluate(_ p: UnsafeBufferPointer<Double>, _ out: inout OutputRow, _ scratch: inout Scratch) throws -> UInt32
}

public extension Estimator where Scratch == Void {
    func makeScratch() {}
}


/// A number for messages: "25", "0.5", "1e-300" (no trailing ".0").
public func formatForMessage(_ v: Double) -> String {
    if v.isFinite && v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
