// `workbench validate <estimator>`: evaluate an estimator through the ABI, simulate the model it
// declares, pair each output with the observable its descriptor names, and apply THEORY §9.0.
// Works for any estimator whose model has a simulator, including ones the host has never seen.
import Foundation
import MonteCarlo

public struct ValidationQuantity {
    public let name, unit: String
    public let theory: Double
    public let mc: Estimate?
    public let delta: Double
    public let acceptance: Acceptance?
    /// Set when the estimator predicts collapse (below the simulator's threshold): did the simulation collapse too?
    public var collapsedInSimulation: Bool? = nil
    public var verdict: String {
        if let c = collapsedInSimulation { return c ? "agree (collapsed in simulation too)" : "DISAGREE (predicted collapse, simulation did not)" }
        if let a = acceptance { return a.accepted ? "agree" : "DISAGREE" }
        return "not compared (\(whyNotCompared))"
    }
    /// Why a quantity without an acceptance was not compared.
    var whyNotCompared: String {
        guard let mc, mc.value.isFinite else { return "no MC estimate" }
        if !theory.isFinite { return "no finite estimator value" }
        if mc.standardError == 0 { return "MC SE is 0 and the values differ: no spread to judge by" }
        return "no MC error estimate"
    }
    /// A quantity without Monte-Carlo data (no estimate, or a standard error of 0 or NaN) agrees with nothing.
    public var agrees: Bool { collapsedInSimulation ?? acceptance?.accepted ?? false }
    public var undecided: Bool { collapsedInSimulation == nil && acceptance == nil }
}

public struct ValidationReport {
    public let estimator: LoadedEstimator
    public let quantities: [ValidationQuantity]
    public let notes: [String]
    public let zStar: Double
    public let assumeExact: Bool
    /// Run provenance (JSON), the table's first line and its closing line (spikes, speed).
    let provenance: [(String, JSON)]
    let header: String
    let footer: String
    /// True only if something was compared and every compared quantity agreed. A quantity the simulation
    /// gives no estimate for here (P(T < ∞) from finite paths, a rate of 0) is listed as not compared and
    /// agrees with nothing; zero comparisons are never agreement.
    public var allAgree: Bool {
        let compared = quantities.filter { !$0.undecided }
        return !compared.isEmpty && compared.allSatisfy(\.agrees)
    }

    /// The closing verdict line of the table.
    public var verdictLine: String {
        let n = quantities.count, open = quantities.filter(\.undecided).count
        let bad = quantities.filter { !$0.agrees && !$0.undecided }.count
        let notCompared = open == 0 ? "" : "; \(open) not compared (no Monte-Carlo estimate here)"
        if n - open == 0 {
            return n == 0 ? "verdict: nothing compared (no output of \(estimator.name) names an observable of the simulation)"
                : "verdict: nothing compared: the simulation gave no estimate for any of the \(n) quantities "
                    + "(simulate longer or with more samples)"
        }
        if bad == 0 { return "verdict: all \(n - open) compared quantities agree" + notCompared }
        return "verdict: \(bad) of \(n - open) compared quantities DISAGREE" + notCompared
    }
}

/// Pairs estimator outputs with Monte-Carlo observables and applies THEORY §9.0.
struct Comparison {
    let estimator: LoadedEstimator
    let row: [Double]
    let theory: LoadedEstimator.Batch
    let assumeExact: Bool
    var quantities: [ValidationQuantity] = []

    /// The estimator's documented error for output `out` in row `r` of `result` (0 under --assume-exact).
    func modelError(_ out: OutputInfo, _ result: LoadedEstimator.Batch, row r: Int = 0) -> Double {
        assumeExact ? 0 : (out.modelErrorOutput.map { result.value(r, $0) } ?? out.modelError)
    }

    mutating func compare(_ name: String, unit: String, theory: Double, mc: Estimate?, delta d: Double) {
        // No estimate, or a non-finite one, is no comparison. A standard error of 0 (every sample alike) says
        // nothing about the spread: it confirms a theory it matches within δ (P(cross ever) = 1, every sample
        // crossed) and is otherwise not compared (a rate of 1e-5 Hz and no spike in the run).
        let exactMatch = mc.map { $0.standardError == 0 && abs($0.value - theory) <= d * abs(theory) } ?? false
        guard let mc, theory.isFinite, mc.value.isFinite, mc.standardError.isFinite, mc.standardError > 0 || exactMatch else {
            quantities.append(ValidationQuantity(name: name, unit: unit, theory: theory, mc: mc, delta: d, acceptance: nil)); return
        }
        quantities.append(ValidationQuantity(name: name, unit: unit, theory: theory, mc: mc, delta: d,
                                             acceptance: Acceptance(theory: theory, monteCarlo: mc.value, standardError: mc.standardError, delta: d)))
    }

    /// Every output that names an observable the simulation has (densities apart).
    mutating func compareOutputs(observables: Set<String>, mc: (String) -> Estimate?, simulatorError: (String) -> Double,
                                 collapseThreshold: (String) -> Double? = { _ in nil }) {
        for out in estimator.outputs {
            guard let obs = out.observable, obs != "density_per_mv", observables.contains(obs) else { continue }
            let v = theory.value(0, out.index)
            if v.isNaN { continue }        // not applicable to this row
            if let threshold = collapseThreshold(obs), v < threshold, let m = mc(obs) {
                var q = ValidationQuantity(name: out.name, unit: out.unit, theory: v, mc: m, delta: 0, acceptance: nil)
                q.collapsedInSimulation = m.value < threshold
                quantities.append(q)
                continue
            }
            compare(out.name, unit: out.unit, theory: v, mc: mc(obs), delta: modelError(out, theory) + simulatorError(obs))
        }
    }

    /// The estimator's density averaged over MC bins (4 Gauss points per bin, so the bin width adds no
    /// bias, DESIGN.md §5), at every sixth bin that holds at least 5 % of the peak density.
    /// Returns why the density could not be compared, if so.
    mutating func compareDensity(_ out: OutputInfo, v vp: ParameterInfo, grid g: DensityGrid, mc: [Estimate],
                                 simulatorError: Double) -> String? {
        let gauss: [(Double, Double)] = [(-0.8611363115940526, 0.3478548451374538), (-0.3399810435848563, 0.6521451548625461),
                                         (0.3399810435848563, 0.6521451548625461), (0.8611363115940526, 0.3478548451374538)]
        let maxDensity = mc.map(\.value).max() ?? 0
        let chosen = stride(from: 2, to: g.bins, by: 6).filter { mc[$0].value > 0.05 * maxDensity }
        var rows: [Double] = []
        for b in chosen { for (x, _) in gauss { var r = row; r[vp.index] = g.center(b) + 0.5 * g.width * x; rows += r } }
        guard !rows.isEmpty else { return nil }
        let dens = estimator.evaluate(rows)
        // The estimator may refuse the density where it gives the rest (shot noise: v_reset < 0): say why.
        if let failed = (0..<dens.status.count).first(where: { dens.status[$0] < 0 }) {
            return "density_per_mv not compared: " + (dens.messages[failed] ?? "the estimator failed")
        }
        for (k, b) in chosen.enumerated() {
            let avg = gauss.indices.reduce(0.0) { $0 + gauss[$1].1 * dens.value(k * 4 + $1, out.index) } / 2
            compare("density_per_mv @ V = \(formatSignificant(g.center(b), 4)) mV", unit: "1/mV", theory: avg,
                    mc: mc[b], delta: modelError(out, dens, row: k * 4) + simulatorError)
        }
        return nil
    }

    func finished() -> (quantities: [ValidationQuantity], zStar: Double) {
        let zStar = quantities.count > 100 ? 5.0 : 4.0
        let final = quantities.map { q -> ValidationQuantity in
            guard let a = q.acceptance, zStar != 4 else { return q }
            return ValidationQuantity(name: q.name, unit: q.unit, theory: q.theory, mc: q.mc, delta: q.delta,
                                      acceptance: Acceptance(theory: a.theory, monteCarlo: a.monteCarlo, standardError: a.standardError, delta: a.delta, zStar: zStar))
        }
        return (final, zStar)
    }
}

public enum Validation {
    public static let commandOptions = ModelRunRequest.commandOptions.union(["assume_exact"])

    public static func run(words: [String], registryPaths: [String] = [],
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> (ValidationReport, OutputFormat) {
        let (reports, _, format) = try run(words: words, alongside: [], registryPaths: registryPaths, progress: progress)
        return (reports[0], format)
    }

    /// Validates the estimator of `words` and, on the same simulation, the estimator rows of each of
    /// `alongside` (words of the same form: another estimator of the same model, or the same one with other
    /// values, e.g. --method taylor). The first estimator sizes the run. Returns the first report, then
    /// one per alongside row that could be evaluated, and the errors of those that could not (by index).
    public static func run(words: [String], alongside: [[String]], registryPaths: [String] = [],
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ([ValidationReport], [Int: String], OutputFormat) {
        try run(arguments: EvalArguments(words, commandOptions: commandOptions), alongside: alongside,
                registryPaths: registryPaths, progress: progress)
    }

    /// As `run(words:alongside:)`, with the first row's command line already parsed (the CLI's declared options).
    public static func run(arguments: EvalArguments, alongside: [[String]] = [], registryPaths: [String] = [],
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ([ValidationReport], [Int: String], OutputFormat) {
        var args = arguments
        let registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: args.pluginPaths + registryPaths))
        guard let e = registry.estimator(named: args.estimator) else {
            var m = "unknown estimator '\(args.estimator)' (available: \(registry.estimators.map(\.name).sorted().joined(separator: ", ")))"
            if !registry.failures.isEmpty { m += "; plugin files that failed to load: " + registry.failures.map(\.description).joined(separator: "; ") }
            throw WorkbenchError.badInput(m)
        }
        if let sim = ModelSimulators.named(e.model) {
            args.promoteToParameters(Set(e.parameters.map(\.name)).subtracting(sim.options))
        }
        let precision = try args.extra["precision"].map { try Quantity.parse($0, unit: "1", name: "precision") } ?? 0.003
        guard precision > 0, precision < 1 else { throw WorkbenchError.badInput("option 'precision' = \(formatNumber(precision)) is out of range (valid: in (0, 1), relative SE of the rate)") }
        let row = try Evaluator(estimator: e, args: args).singleRow()
        let th = e.evaluate(row)
        if th.status[0] < 0 { throw WorkbenchError.badInput(th.messages[0] ?? "estimator failed") }
        var comparisons = [Comparison(estimator: e, row: row, theory: th, assumeExact: args.assumeExact)]
        var failed: [Int: String] = [:]
        for (k, other) in alongside.enumerated() {
            do {
                var a = try EvalArguments(other, commandOptions: commandOptions)
                guard let oe = registry.estimator(named: a.estimator) else { throw WorkbenchError.badInput("unknown estimator '\(a.estimator)'") }
                guard oe.model == e.model else {
                    throw WorkbenchError.badInput("estimator '\(oe.name)' (model \(oe.model)) cannot share a simulation of model \(e.model)")
                }
                if let sim = ModelSimulators.named(oe.model) { a.promoteToParameters(Set(oe.parameters.map(\.name)).subtracting(sim.options)) }
                let r = try Evaluator(estimator: oe, args: a).singleRow()
                // The simulation is the first row's: a compared row must describe the same model.
                let names = ModelSimulators.named(e.model)?.parameters.map(\.name) ?? []
                for n in names {
                    let mine = e.parameter(named: n).map { row[$0.index] }, theirs = oe.parameter(named: n).map { r[$0.index] }
                    if let mine, let theirs, mine != theirs && !(mine.isNaN && theirs.isNaN) {
                        throw WorkbenchError.badInput("\(oe.name) sets \(n) = \(formatNumber(theirs)), the shared simulation has \(formatNumber(mine)): compared rows must describe the same model")
                    }
                }
                let t = oe.evaluate(r)
                if t.status[0] < 0 { throw WorkbenchError.badInput("\(oe.name): " + (t.messages[0] ?? "estimator failed")) }
                comparisons.append(Comparison(estimator: oe, row: r, theory: t, assumeExact: args.assumeExact))
            } catch let error as WorkbenchError {
                failed[k] = error.message
            }
        }
        // An output naming an observable the simulator lacks is a broken contract, reported before any run
        // (skipping it silently once gave "all 0 quantities agree").
        let simulated = ModelSimulators.named(e.model)?.observables.map(\.name)
        if let simulated {
            for c in comparisons {
                for out in c.estimator.outputs {
                    guard let obs = out.observable, obs != "density_per_mv", !simulated.contains(obs) else { continue }
                    throw WorkbenchError.badInput("estimator '\(c.estimator.name)': output '\(out.name)' names observable '\(obs)', "
                        + "which the \(e.model) simulation does not have (observables: \(simulated.joined(separator: ", ")))")
                }
            }
        }
        guard let sim = ModelSimulators.named(e.model) else {
            throw WorkbenchError.badInput("estimator '\(e.name)' declares model '\(e.model)', which has no simulator (simulated models: \(ModelSimulators.allNames.joined(separator: ", ")))")
        }
        let reports = try runModel(sim, args, &comparisons, precision: precision, progress: progress)
        return (reports, failed, args.format ?? .table)
    }

    static func rule(_ zStar: Double, assumeExact: Bool) -> String {
        "rule (THEORY §9.0): |MC - estimator| ≤ \(formatNumber(zStar))·SE + δ·|estimator|, δ = " +
            (assumeExact ? "simulator's error only (--assume-exact: estimator model errors set to 0)" : "estimator's model error + simulator's error")
    }

    /// A model behind `ModelSimulator`: canonical parameters by name (choices by label), the simulator's
    /// own run sizing unless the user set --samples/--neurons/--time.
    static func runModel(_ sim: any ModelSimulator, _ args: EvalArguments, _ cs: inout [Comparison], precision: Double,
                         progress: (@Sendable (Int, Int) -> Void)?) throws -> [ValidationReport] {
        let c = cs[0], e = c.estimator
        var given = [String: Double]()
        for p in sim.parameters {
            // The simulator simulates what the estimator prescribes: a parameter the row leaves open may be
            // one of the estimator's outputs (an init's weights: mu_w, sigma_w, lambda_e, ...).
            guard let ep = e.parameter(named: p.name), !c.row[ep.index].isNaN else {
                if let out = e.output(named: p.name), case let v = c.theory.value(0, out.index), v.isFinite { given[p.name] = v }
                continue
            }
            var v = c.row[ep.index]
            if !p.choices.isEmpty {
                let label = ep.isChoice ? ep.choices[Int(v)] : formatNumber(v)
                guard let i = p.choices.firstIndex(of: label) else {
                    throw WorkbenchError.badInput("estimator '\(e.name)' sets '\(p.name)' = \(label), which model \(sim.name) does not simulate (choices: \(p.choices.joined(separator: ", ")))")
                }
                v = Double(i)
            }
            given[p.name] = v
        }
        for p in sim.parameters where p.defaultValue == nil && !p.optional && given[p.name] == nil {
            throw WorkbenchError.badInput("model \(sim.name) needs '\(p.name)', which estimator '\(e.name)' does not have")
        }
        let values = try ModelRunRequest.complete(given, sim)
        // validate's --modulate names a target (mu, sigma2, none) and an optional amplitude; the frequency
        // is the estimator's f. It is planned by the simulator, not parsed as simulate's mu:EPS:F.
        var extra = args.extra
        var request = ValidationRequest()
        if let m = extra.removeValue(forKey: "modulate") {
            guard sim.options.contains("modulate") else {
                throw WorkbenchError.badInput("option 'modulate' does not apply to model \(sim.name) (its options: \(sim.options.sorted().joined(separator: ", ")))")
            }
            let parts = m.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let target = Modulation.Target(rawValue: parts[0])
            guard parts.count == 1 || (parts.count == 2 && target != nil) else {
                throw WorkbenchError.badInput("option 'modulate' = '\(m)': validate takes mu, sigma2, none, or mu:EPS / sigma2:EPS (the frequency is the estimator's f)")
            }
            request.modulate = (parts[0], try target.flatMap { t in try parts.count == 2 ? ModelRunRequest.amplitude(parts[1], t) : nil })
        }
        let resolved = try ModelRunRequest.options(extra, sim, values)
        request.userOptions = Set(extra.keys)
        request.precision = precision
        for out in e.outputs {
            let v = c.theory.value(0, out.index)
            request.outputs[out.name] = v
            if let obs = out.observable, request.predictions[obs] == nil, v.isFinite { request.predictions[obs] = v }
        }
        for p in e.parameters where !c.row[p.index].isNaN { request.estimatorValues[p.name] = c.row[p.index] }
        request.wantsDensity = e.outputs.contains { $0.observable == "density_per_mv" } && e.parameter(named: "v") != nil
        let plan: ValidationPlan
        do { plan = try sim.validationPlan(resolved, values: values, request: request) }
        catch let error as SimulatorInputError { throw WorkbenchError.badInput(error.message) }
        let observables = Set(sim.observables.map(\.name)).subtracting(plan.excluded)
        let run = sim.run(values, plan.options, progress: progress)
        if let why = run.stopped { throw WorkbenchError.badInput(why) }
        let error = { (obs: String) in sim.simulatorError(observable: obs, values: values, options: plan.options) }
        let o = plan.options
        return cs.indices.map { k in
            let ce = cs[k].estimator
            cs[k].compareOutputs(observables: observables, mc: run.observable, simulatorError: error,
                                 collapseThreshold: { sim.collapseThreshold(observable: $0, values: values) })
            var notes = plan.notes + run.notes + run.warnings
            if let out = ce.outputs.first(where: { $0.observable == "density_per_mv" }), let vp = ce.parameter(named: "v"),
               let g = o.density, let d = run.density,
               let why = cs[k].compareDensity(out, v: vp, grid: g, mc: d, simulatorError: error("density_per_mv")) {
                notes.append(why)
            }
            let (quantities, zStar) = cs[k].finished()
            return ValidationReport(estimator: ce, quantities: quantities, notes: notes,
                                    zStar: zStar, assumeExact: c.assumeExact,
                                    provenance: ModelRunReport.provenance(sim, o, run),
                                    header: "validate \(ce.name) against a " + ModelRunReport.header(sim, o, run).replacingOccurrences(of: " simulation — ", with: " simulation: "),
                                    footer: "simulation: " + (ModelRunReport.countsLine(run).map { $0 + "; " } ?? "") + ModelRunReport.speed(o, run))
        }
    }

    public static func render(_ r: ValidationReport, format: OutputFormat) -> String {
        switch format {
        case .json:
            let q: [JSON] = r.quantities.map { q in
                .object([("quantity", .string(q.name)), ("unit", .string(q.unit)), ("estimator", .num(q.theory)),
                         ("mc", q.mc.map { .num($0.value) } ?? .null), ("mc_se", q.mc.map { .num($0.standardError) } ?? .null),
                         ("z", q.acceptance.map { .num($0.z) } ?? .null),
                         ("relative_difference", q.acceptance.map { .num($0.relativeDifference) } ?? .null),
                         ("delta", .number(q.delta)), ("verdict", .string(q.verdict))])
            }
            return JSON.object(r.provenance + [
                ("estimator", .string(r.estimator.name)),
                ("plugin", .object([("file", .string(r.estimator.file.path)), ("sha256", .string(r.estimator.file.sha256))])),
                ("z_star", .number(r.zStar)), ("assume_exact", .bool(r.assumeExact)), ("quantities", .array(q)), ("all_agree", .bool(r.allAgree)),
                ("verdict", .string(r.verdictLine)),
                ("notes", .array(r.notes.map(JSON.string)))]).render() + "\n"
        case .csv:
            var lines = ["quantity,unit,estimator,mc,mc_se,z,relative_difference,delta,verdict"]
            for q in r.quantities {
                let f: (Double?) -> String = { $0.map(csvNumber) ?? "" }
                lines.append([CSV.escape(q.name), q.unit, f(q.theory), f(q.mc?.value), f(q.mc?.standardError), f(q.acceptance.flatMap { $0.z.isFinite ? $0.z : nil }),
                              f(q.acceptance?.relativeDifference), f(q.delta), q.verdict].joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var t = r.header + "\n" + rule(r.zStar, assumeExact: r.assumeExact) + "\n\n"
            let header = ["quantity", "estimator", "MC ± SE", "z", "rel. diff", "δ", "verdict"]
            var rows = [header]
            for q in r.quantities {
                rows.append([q.name + (q.unit.isEmpty || q.unit == "1" ? "" : " [\(q.unit)]"), q.theory.isNaN ? "n/a" : formatSignificant(q.theory, 10),
                             q.mc.map(\.text) ?? "-",
                             q.acceptance.flatMap { $0.z.isFinite ? String(format: "%+.2f", $0.z) : nil } ?? "-",
                             q.acceptance.flatMap { $0.relativeDifference.isFinite ? String(format: "%+.2f %%", 100 * $0.relativeDifference) : nil } ?? "-",
                             String(format: "%.2f %%", 100 * q.delta), q.verdict])
            }
            t += renderTextTable(rows)
            t += "\n" + r.verdictLine + "\n"
            for n in r.notes { t += "note: \(n)\n" }
            t += r.footer + "\n"
            return t
        }
    }
}
