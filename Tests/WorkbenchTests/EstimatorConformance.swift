// `checkEstimator`: the one conformance suite every estimator passes, built-in or third-party
// (in the spirit of swift-collections' shared checkers). It sees an estimator only through the ABI.
import Foundation
import MonteCarlo
import Testing
import WorkbenchCore

/// A value inside the declared range of p (used for required parameters).
func typicalValue(_ p: ParameterInfo) -> Double {
    if !p.defaultValue.isNaN { return p.defaultValue }
    if p.isChoice { return 0 }
    switch (p.min.isFinite, p.max.isFinite) {
    case (true, true): return p.isInteger ? (p.min + p.max / 2).rounded(.down) : (p.min + p.max) / 2
    case (true, false): return p.min + (p.name.hasPrefix("mu") ? 5 : 1)
    case (false, true): return p.max - 1
    case (false, false): return p.name == "mu" ? 25 : 1     // 25 mV: a mean-driven point valid for every LIF estimator
    }
}

/// `simulated: false` is the one explicit exception to the simulator contract: an analytic-only example
/// (Examples/CPlugin) whose model has no simulator, which `validate` refuses (exit 2, tested).
func checkEstimator(_ e: LoadedEstimator, simulated: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
    let snake = try! NSRegularExpression(pattern: "^[a-z][a-z0-9_]*$")
    func isSnake(_ s: String) -> Bool { snake.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
    let tag = "estimator '\(e.name)' (\(e.file.path))"

    // Metadata.
    #expect(!e.name.isEmpty && e.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(tag): name", sourceLocation: sourceLocation)
    #expect(!e.summary.isEmpty && !e.model.isEmpty && !e.reference.isEmpty, "\(tag): summary/model/reference", sourceLocation: sourceLocation)
    #expect(Set(e.parameters.map(\.name)).count == e.parameters.count, "\(tag): duplicate parameter names", sourceLocation: sourceLocation)
    #expect(Set(e.outputs.map(\.name)).count == e.outputs.count, "\(tag): duplicate output names", sourceLocation: sourceLocation)
    for p in e.parameters {
        #expect(isSnake(p.name) && !p.unit.isEmpty && !p.summary.isEmpty, "\(tag): parameter \(p.name) metadata", sourceLocation: sourceLocation)
        #expect(!(p.isRequired && p.isOptional), "\(tag): \(p.name) both required and optional", sourceLocation: sourceLocation)
        #expect(p.min <= p.max, "\(tag): \(p.name) empty range", sourceLocation: sourceLocation)
        if p.isRequired || p.isOptional {
            #expect(p.defaultValue.isNaN, "\(tag): \(p.name) is required/optional but has a default", sourceLocation: sourceLocation)
        } else {
            #expect(e.check(p, p.defaultValue) == nil, "\(tag): default of \(p.name) = \(p.defaultValue) outside its range", sourceLocation: sourceLocation)
        }
        if p.isChoice { #expect(!p.choices.isEmpty, "\(tag): choice \(p.name) without labels", sourceLocation: sourceLocation) }
    }
    for o in e.outputs {
        #expect(isSnake(o.name) && !o.unit.isEmpty && !o.summary.isEmpty, "\(tag): output \(o.name) metadata", sourceLocation: sourceLocation)
        #expect(o.modelError.isFinite && o.modelError >= 0, "\(tag): model error of \(o.name)", sourceLocation: sourceLocation)
        if let i = o.modelErrorOutput { #expect(i >= 0 && i < e.outputs.count, "\(tag): model error output of \(o.name)", sourceLocation: sourceLocation) }
        if let obs = o.observable { #expect(isSnake(obs), "\(tag): observable \(obs)", sourceLocation: sourceLocation) }
    }

    // The contract with the model's simulator, checked rather than trusted: the model is simulated, every
    // observable an output names exists in that simulator, and every parameter the simulator needs is an
    // estimator parameter, or an output of that name (an init's weights), or has the simulator's default.
    if simulated {
        let sim = ModelSimulators.named(e.model)
        #expect(sim != nil, "\(tag): model '\(e.model)' has no simulator (simulated: \(ModelSimulators.allNames))",
                sourceLocation: sourceLocation)
        if let sim {
            let observables = Set(sim.observables.map(\.name))
            for o in e.outputs {
                guard let obs = o.observable else { continue }
                #expect(observables.contains(obs), "\(tag): output \(o.name) names observable '\(obs)', which \(sim.name) lacks",
                        sourceLocation: sourceLocation)
            }
            for p in sim.parameters where p.defaultValue == nil && !p.optional {
                #expect(e.parameter(named: p.name) != nil || e.output(named: p.name) != nil,
                        "\(tag): \(sim.name) needs parameter '\(p.name)', which the estimator neither takes nor computes",
                        sourceLocation: sourceLocation)
            }
        }
    } else {
        #expect(ModelSimulators.named(e.model) == nil, "\(tag): declared unsimulated, but \(e.model) has a simulator",
                sourceLocation: sourceLocation)
    }

    // Evaluates at its defaults: every output is a number, or flagged not applicable.
    let base = e.parameters.map { $0.isOptional ? Double.nan : typicalValue($0) }
    let one = e.evaluate(base)
    #expect(one.status[0] >= 0, "\(tag): fails at defaults: \(one.messages[0] ?? "")", sourceLocation: sourceLocation)
    for o in e.outputs where one.status[0] >= 0 {
        let v = one.value(0, o.index)
        #expect(!v.isNaN || one.isNotApplicable(0, o.index), "\(tag): \(o.name) is NaN without its not-applicable bit", sourceLocation: sourceLocation)
    }

    // Rejects NaN, ±inf and out-of-range values with a message naming the parameter.
    for p in e.parameters {
        var bad: [Double] = [.infinity, -.infinity]
        if !p.isOptional { bad.append(.nan) }
        if p.min.isFinite { bad.append(p.flags & 16 != 0 ? p.min : p.min - 1) }
        if p.max.isFinite { bad.append(p.flags & 32 != 0 ? p.max : p.max + 1) }
        if p.isInteger || p.isChoice { bad.append(typicalValue(p) + 0.5) }
        for v in bad {
            var row = base
            row[p.index] = v
            let r = e.evaluate(row)
            #expect(r.status[0] < 0, "\(tag): accepts \(p.name) = \(v)", sourceLocation: sourceLocation)
            #expect(r.messages[0]?.contains("'\(p.name)'") == true,
                    "\(tag): message for \(p.name) = \(v) does not name it: \(r.messages[0] ?? "none")", sourceLocation: sourceLocation)
        }
    }

    // Batch = row by row, bit for bit; repeated and parallel calls identical; the output mask only selects.
    var rows: [[Double]] = []
    for k in 0..<1100 {
        var row = base
        for p in e.parameters where p.isRequired && !p.isChoice && !p.isInteger {
            let s = Double(k % 37) / 37
            row[p.index] = p.max.isFinite || p.min.isFinite ? row[p.index] * (1 + 0.2 * s) : row[p.index] + 3 * s
        }
        rows.append(row)
    }
    let flat = rows.flatMap { $0 }
    let serial = e.evaluate(flat, parallel: false), parallel = e.evaluate(flat, parallel: true), again = e.evaluate(flat)
    func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }
    #expect(same(serial.values, parallel.values) && serial.status == parallel.status, "\(tag): parallel batch differs", sourceLocation: sourceLocation)
    #expect(same(serial.values, again.values), "\(tag): repeated call differs", sourceLocation: sourceLocation)
    for k in stride(from: 0, to: rows.count, by: 97) {
        let single = e.evaluate(rows[k])
        #expect(same(single.values, Array(serial.values[k * e.outputs.count..<(k + 1) * e.outputs.count])),
                "\(tag): row \(k) alone differs from the batch", sourceLocation: sourceLocation)
    }
    for o in e.outputs {
        var want = [Bool](repeating: false, count: e.outputs.count)
        want[o.index] = true
        let masked = e.evaluate(base, want: want)
        #expect(masked.value(0, o.index).bitPattern == one.value(0, o.index).bitPattern || masked.status[0] < 0,
                "\(tag): \(o.name) differs when computed alone", sourceLocation: sourceLocation)
    }
}

struct ConformanceTests {
    @Test func everyBuiltInEstimatorConforms() throws {
        let registry = PluginRegistry(searchPath: [buildDirectory])
        #expect(registry.failures.isEmpty, "built-in plugins failed to load: \(registry.failures)")
        #expect(registry.estimator(named: "siegert") != nil)
        #expect(!registry.estimators.isEmpty)
        for e in registry.estimators { checkEstimator(e) }
    }
}
