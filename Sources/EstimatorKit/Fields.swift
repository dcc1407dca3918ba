// Typed parameter and output indices: one enum declares the order (raw value = ABI index) and, through its
// case names, the snake_case names. PluginExport checks the enum against the spec before exporting.

/// An estimator's parameters or outputs in declaration order: `enum Parameter: Int, EstimatorField { case mu,
/// sigma, tauRef }`. The raw value is the index in the C ABI; the case name in snake_case (`tauRef` → `tau_ref`)
/// is the spec's name.
public protocol EstimatorField: CaseIterable, RawRepresentable where RawValue == Int {}

public extension EstimatorField {
    /// The snake_case name of the case: computed from the case name, for specs and the export check only
    /// (String(describing:) reflects; never call it per row).
    var name: String { snakeCase(String(describing: self)) }
}

/// `tauRef` → `tau_ref`, `lnPHitEver` → `ln_p_hit_ever`, `varFptMs2` → `var_fpt_ms2`; digits stay with
/// their word (`sigma0`, `sigmaW2`).
public func snakeCase(_ camel: String) -> String {
    var s = ""
    for c in camel {
        if c.isUppercase {
            if !s.isEmpty { s.append("_") }
            s += c.lowercased()
        } else {
            s.append(c)
        }
    }
    return s
}

public extension UnsafeBufferPointer where Element == Double {
    /// `p[P.tauRef]`: the same load as `p[P.tauRef.rawValue]`.
    @inlinable @inline(__always)
    subscript<F: EstimatorField>(_ field: F) -> Double { self[field.rawValue] }
}

public extension OutputRow {
    @inlinable @inline(__always) func wants<F: EstimatorField>(_ field: F) -> Bool { wants(field.rawValue) }
    @inlinable @inline(__always) func set<F: EstimatorField>(_ field: F, _ v: Double) { set(field.rawValue, v) }
    @inlinable @inline(__always) mutating func notApplicable<F: EstimatorField>(_ field: F) {
        notApplicable(field.rawValue)
    }
}

public extension ParameterSpec {
    /// The spec of `field`, named by it: `ParameterSpec(P.tauRef, unit: "ms", .defaulted(2), summary: …)`.
    init<F: EstimatorField>(_ field: F, unit: String, _ kind: Kind, min: Double = -.infinity, max: Double = .infinity,
                            minExclusive: Bool = false, maxExclusive: Bool = false, integer: Bool = false,
                            choices: [String] = [], potential: Bool = false, summary: String) {
        self.init(field.name, unit: unit, kind, min: min, max: max, minExclusive: minExclusive,
                  maxExclusive: maxExclusive, integer: integer, choices: choices, potential: potential,
                  summary: summary)
    }
}

public extension OutputSpec {
    /// The spec of `field`, named by it; `modelErrorOutput` is a field of the same enum.
    init<F: EstimatorField>(_ field: F, unit: String, observable: String? = nil, modelError: Double = 0,
                            modelErrorOutput: F? = nil, potential: Bool = false, summary: String) {
        self.init(field.name, unit: unit, observable: observable, modelError: modelError,
                  modelErrorOutput: modelErrorOutput?.rawValue, potential: potential, summary: summary)
    }
}

/// Why an estimator's enums disagree with its spec, one line per disagreement (empty: they agree).
func fieldProblems<E: Estimator>(_ e: E) -> [String] {
    let info = e.info
    return fieldProblems(estimator: info.name, kind: "parameter", spec: info.parameters.map(\.name), E.Parameter.self)
        + fieldProblems(estimator: info.name, kind: "output", spec: info.outputs.map(\.name), E.Output.self)
}

func fieldProblems<F: EstimatorField>(estimator: String, kind: String, spec: [String], _: F.Type) -> [String] {
    let cases = Array(F.allCases), enumName = "enum \(F.self)"
    var problems: [String] = []
    // The first disagreement only: after a missing or extra case every later index is off by one.
    for (i, c) in cases.enumerated() where c.rawValue != i {
        problems.append("estimator '\(estimator)': case '\(c.name)' of \(enumName) has raw value \(c.rawValue), "
                        + "but its position is \(i) (raw values must be 0, 1, 2, ... in declaration order)")
        break
    }
    for i in 0..<min(cases.count, spec.count) where cases[i].name != spec[i] {
        problems.append("estimator '\(estimator)': \(kind) \(i) is '\(spec[i])' in the spec but '\(cases[i].name)' "
                        + "in \(enumName)")
        break
    }
    if cases.count != spec.count {
        let extra = cases.count > spec.count ? "first case without a spec: '\(cases[spec.count].name)'"
            : "first spec without a case: '\(spec[cases.count])'"
        problems.append("estimator '\(estimator)': the spec has \(spec.count) \(kind)s but \(enumName) has "
                        + "\(cases.count) cases (\(extra))")
    }
    return problems
}
