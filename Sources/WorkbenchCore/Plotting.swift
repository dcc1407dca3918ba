// `workbench plot <estimator> <output> --grid x=a:b:step [--grid s=v1,v2 ...]` (DESIGN.md §6): an
// estimator output against a swept parameter, evaluated through the same path as `eval --grid`; the
// first grid is the x axis, every combination of the others is one series. `--mc` adds Monte-Carlo
// points (observable ± 2 SE) computed exactly as `validate` does at those parameter values.
import Foundation

public struct PlotRequest {
    /// Options of plot itself (besides eval's); the simulation ones pass through to `validate`.
    static let simulationOptions: Set<String> = ["neurons", "samples", "time", "dt", "burn_in", "scheme", "seed", "threads", "precision"]
    static let ownOptions: Set<String> = ["mc_points", "mc_min_rate", "title", "output", "width", "height", "y_min", "y_max"]
    static let commandOptions = simulationOptions.union(ownOptions)

    public let estimator: LoadedEstimator
    public let output: OutputInfo
    let args: EvalArguments
    public let logX, logY, mc: Bool
    public let outputPath: String
    let commandLine: String

    /// Flags (no value) are taken out before the words go to the eval parser; `-o FILE` becomes `--output FILE`.
    static func stripFlags(_ words: [String]) -> (words: [String], logX: Bool, logY: Bool, mc: Bool) {
        var out: [String] = [], logX = false, logY = false, mc = false
        var i = 0
        while i < words.count {
            switch words[i] {
            case "--log-x", "--log_x": logX = true
            case "--log-y", "--log_y": logY = true
            case "--mc": mc = true
            case "-o": out.append("--output")
            default: out.append(words[i])
            }
            i += 1
        }
        return (out, logX, logY, mc)
    }

    public init(words: [String], registryPaths: [String] = []) throws {
        let f = Self.stripFlags(words)
        try self.init(arguments: EvalArguments(f.words, commandOptions: Self.commandOptions), logX: f.logX, logY: f.logY,
                      mc: f.mc, commandLine: words, registryPaths: registryPaths)
    }

    /// `arguments.positionals` start with the output name; `commandLine` (after `workbench plot`) is recorded in the SVG.
    public init(arguments: EvalArguments, logX: Bool, logY: Bool, mc: Bool, commandLine words: [String],
                registryPaths: [String] = []) throws {
        (self.logX, self.logY, self.mc) = (logX, logY, mc)
        var args = arguments
        let registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: args.pluginPaths + registryPaths))
        guard let e = registry.estimator(named: args.estimator) else {
            var m = "unknown estimator '\(args.estimator)' (available: \(registry.estimators.map(\.name).sorted().joined(separator: ", ")))"
            if !registry.failures.isEmpty { m += "; plugin files that failed to load: " + registry.failures.map(\.description).joined(separator: "; ") }
            throw WorkbenchError.badInput(m)
        }
        estimator = e
        // A simulation option that is a parameter of the estimator (e.g. a `scheme` choice) is the parameter.
        args.promoteToParameters(Set(e.parameters.map(\.name)).intersection(Self.simulationOptions))
        let outputs = e.outputs.map(\.name).joined(separator: ", ")
        guard !args.positionals.isEmpty else {
            throw WorkbenchError.badInput("missing output name (usage: workbench plot \(e.name) <output> [values...] --grid name=a:b:step ...; outputs: \(outputs))")
        }
        let name = args.positionals.removeFirst()
        guard let o = e.output(named: name) else {
            throw WorkbenchError.badInput("unknown output '\(name)' for \(e.name) (outputs: \(outputs))")
        }
        output = o
        // Eval's options, which plot does not declare, arrive as parameter words (or, from the REPL's words, as
        // options): say why they do not apply.
        let named = Set(args.named.map(\.name))
        for (option, given, why) in [("input", args.input != nil, "sweep with --grid"),
                                     ("format", args.format != nil, "it writes SVG; use eval --grid for numbers"),
                                     ("outputs", args.outputs != nil, "name one output after the estimator")]
        where given || named.contains(option) {
            throw WorkbenchError.badInput("--\(option) does not apply to plot (\(why))")
        }
        guard !args.grids.isEmpty else {
            throw WorkbenchError.badInput("plot needs at least one --grid (the first is the x axis), e.g. --grid \(e.parameters.first { $0.isRequired && !$0.isChoice }?.name ?? "x")=a:b:step")
        }
        if mc {
            guard let obs = o.observable else {
                let with = e.outputs.filter { $0.observable != nil && $0.observable != "density_per_mv" }.map(\.name)
                throw WorkbenchError.badInput("output '\(o.name)' of \(e.name) declares no Monte-Carlo observable, so --mc cannot plot it (outputs with one: \(with.isEmpty ? "none" : with.joined(separator: ", ")))")
            }
            if obs == "density_per_mv" { throw WorkbenchError.badInput("--mc does not plot densities (output '\(o.name)'); use 'workbench validate' or 'simulate --density'") }
        } else {
            let sim = args.extra.keys.filter { Self.simulationOptions.contains($0) }.sorted()
            if let first = sim.first { throw WorkbenchError.badInput("option '--\(first.replacingOccurrences(of: "_", with: "-"))' applies with --mc only") }
            if args.extra["mc_points"] != nil || args.extra["mc_min_rate"] != nil { throw WorkbenchError.badInput("options --mc-points and --mc-min-rate apply with --mc only") }
        }
        args.outputs = [o.name]
        self.args = args
        outputPath = args.extra["output"] ?? "\(e.name)-\(o.name).svg"
        commandLine = (["workbench", "plot"] + words).map { w in
            w.isEmpty || w.contains(where: { " \t\"'$\\".contains($0) }) ? "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'" : w
        }.joined(separator: " ")
    }

    func number(_ name: String, default d: Double, unit: String = "1") throws -> Double {
        guard let t = args.extra[name] else { return d }
        return try Quantity.parse(t, unit: unit, name: name)
    }

    public struct Result {
        public let svg: String
        public let path: String
        public let seriesCount: Int
        public let pointCount: Int
        public let mcPointCount: Int
        /// Notes for stderr (left-out points, clipping, failed rows).
        public var notes: [String]
        /// Exit code: 2 if some grid rows were bad input (as `eval --grid`), else 0.
        public var exitCode: Int32
        public var summary: String {
            "wrote \(path) (\(seriesCount) series, \(pointCount) points" + (mcPointCount > 0 ? ", \(mcPointCount) Monte-Carlo points" : "") + ")"
        }
    }

    static func unitText(_ unit: String) -> String { unit.isEmpty || unit == "1" ? "" : " [\(unit)]" }

    /// Evaluates the grid, runs the Monte-Carlo points (if --mc), renders the SVG; `progress` gets one
    /// line per Monte-Carlo point.
    public func run(progress: ((String) -> Void)? = nil) throws -> Result {
        let evaluator = Evaluator(estimator: estimator, args: args)
        let ev = try evaluator.evaluated()
        guard let batch = ev.batch else { throw WorkbenchError.badInput("plot needs --grid") }
        let xp = batch.columns[0]
        if xp.isChoice { throw WorkbenchError.badInput("the x axis (first --grid) must be numeric; '\(xp.name)' is a choice (\(xp.choices.joined(separator: ", "))): give it as a later --grid to make one series per value") }
        let seriesColumns = Array(batch.columns.dropFirst())
        let nRows = ev.rows.count
        let nx = try { () throws -> Int in
            let spec = args.grids[0], eq = spec.firstIndex(of: "=")!
            return try Evaluator.gridValues(String(spec[spec.index(after: eq)...]), xp, parse: evaluator.parseValue).count
        }()
        let seriesCount = nRows / max(nx, 1)
        // Grid rows: the first axis varies slowest, so series s holds rows x·S + s.
        func label(_ s: Int) -> String {
            let cells = batch.cells[s]
            return seriesColumns.enumerated().map { c, p in
                let t = cells[c + 1]
                if p.isChoice { return "\(p.name) = \(t)" }
                return "\(p.name) = \(t)" + (p.unit.isEmpty || p.unit == "1" ? "" : " \(p.unit)")
            }.joined(separator: ", ")
        }
        var plot = SVGPlot(title: args.extra["title"] ?? "\(estimator.name): \(output.name) vs \(xp.name)",
                           description: "\(commandLine)\nworkbench \(workbenchVersion); estimator \(estimator.name) from \(estimator.file.path) (sha256 \(estimator.file.sha256))",
                           xLabel: xp.name + Self.unitText(xp.unit), yLabel: output.name + Self.unitText(output.unit))
        plot.logX = logX; plot.logY = logY
        plot.width = try number("width", default: 720); plot.height = try number("height", default: 480)
        guard plot.width >= 200, plot.width <= 10000, plot.height >= 150, plot.height <= 10000 else {
            throw WorkbenchError.badInput("plot size \(formatNumber(plot.width))x\(formatNumber(plot.height)) is out of range (valid: width 200 to 10000, height 150 to 10000)")
        }
        plot.yMin = try args.extra["y_min"].map { try Quantity.parse($0, unit: output.unit, name: "y_min") }
        plot.yMax = try args.extra["y_max"].map { try Quantity.parse($0, unit: output.unit, name: "y_max") }
        var notes: [String] = []
        var nonPositive = 0
        for s in 0..<seriesCount {
            var xs: [Double] = [], ys: [Double] = []
            for i in 0..<nx {
                let r = i * seriesCount + s
                xs.append(ev.rows[r].values[xp.index])
                let y = ev.formatter.value(r, output) ?? .nan
                if logY && y.isFinite && y <= 0 { nonPositive += 1 }
                ys.append(y)
            }
            plot.series.append(SVGPlot.Series(label: seriesColumns.isEmpty ? "" : label(s), x: xs, y: ys))
        }
        let failed = ev.formatter.rowErrors.enumerated().compactMap { r, e in e.map { (r, $0) } }
        if failed.count == nRows, let (_, e) = failed.first {
            // Nothing to draw, and the reason is the error every point shares (e.g. --sigma -5), not "no value".
            throw WorkbenchError.badInput(nRows == 1 ? e : "every one of the \(nRows) grid points failed, e.g.: \(e)")
        }
        if let (r, e) = failed.first {
            notes.append("error: \(failed.count) of \(nRows) grid points failed, e.g. at \(batch.columns.enumerated().map { "\($1.name) = \(batch.cells[r][$0])" }.joined(separator: ", ")): \(e)")
        }
        let missing = plot.series.reduce(0) { $0 + $1.y.filter(\.isNaN).count } - failed.count
        if missing > 0 { notes.append("note: \(missing) grid points have no value of \(output.name) (not applicable there); the lines are broken at them") }
        if nonPositive > 0 { notes.append("note: \(nonPositive) values of \(output.name) are ≤ 0 and left out on the log y axis" + (estimator.output(named: "ln_" + output.name) != nil ? " (ln_\(output.name) on a linear axis shows them)" : "")) }
        if logX, let bad = plot.series.first?.x.filter({ $0 <= 0 }).count, bad > 0 { notes.append("note: \(bad) x values ≤ 0 are left out on the log x axis") }

        var mcPoints = 0
        if mc {
            let points = try number("mc_points", default: 8)
            guard points >= 1, points <= 200, points == points.rounded() else {
                throw WorkbenchError.badInput("option 'mc_points' = \(formatNumber(points)) is out of range (valid: integer 1 to 200)")
            }
            let perSeries = Int(points)
            let minRate = try number("mc_min_rate", default: 1, unit: "Hz")
            let rateOutput = estimator.output(named: "rate_hz")
            var skippedLow = 0
            var jobs: [(series: Int, row: Int)] = []
            for s in 0..<seriesCount {
                var eligible: [Int] = []
                for i in 0..<nx {
                    let r = i * seriesCount + s
                    guard ev.formatter.rowErrors[r] == nil, let v = ev.formatter.value(r, output), v.isFinite else { continue }
                    if let ro = rateOutput, !args.extra.keys.contains("time"), let rate = ev.formatter.value(r, ro), rate < minRate { skippedLow += 1; continue }
                    eligible.append(r)
                }
                let n = min(perSeries, eligible.count)
                let picks = n == 1 ? [eligible.count / 2] : (0..<n).map { Int((Double($0) * Double(eligible.count - 1) / Double(n - 1)).rounded()) }
                jobs += picks.map { (s, eligible[$0]) }
            }
            if skippedLow > 0 { notes.append("note: Monte-Carlo points are chosen where the predicted rate is at least \(formatNumber(minRate)) Hz (--mc-min-rate; or give --time); \(skippedLow) grid points were below it") }
            var bySeries: [Int: SVGPlot.Markers] = [:]
            for (k, job) in jobs.enumerated() {
                let estimate = try monteCarlo(row: job.row, cells: batch.cells[job.row], columns: batch.columns)
                guard let (value, se) = estimate else {
                    notes.append("note: the simulation gave no estimate of \(output.observable!) at \(describe(job.row, batch))"); continue
                }
                let shift = output.isPotential ? (ev.formatter.vRest ?? 0) : 0
                bySeries[job.series, default: SVGPlot.Markers(series: job.series, x: [], y: [], halfWidth: [])].x.append(ev.rows[job.row].values[xp.index])
                bySeries[job.series]!.y.append(value + shift)
                bySeries[job.series]!.halfWidth.append(2 * se)
                mcPoints += 1
                progress?(String(format: "mc %d/%d: %@: %@ = %.6g ± %.2g (estimator %.6g)", k + 1, jobs.count, describe(job.row, batch), output.name,
                                 value + shift, se, ev.formatter.value(job.row, output) ?? .nan))
            }
            plot.markers = bySeries.keys.sorted().map { bySeries[$0]! }
        }
        let svg = try plot.render()
        let points = plot.series.reduce(0) { $0 + $1.y.filter { $0.isFinite && (!logY || $0 > 0) }.count }
        let badInput = failed.contains { ev.rows[$0.0].error != nil || ev.result.status[$0.0] < 0 }
        return Result(svg: svg, path: outputPath, seriesCount: plot.series.count, pointCount: points, mcPointCount: mcPoints,
                      notes: notes, exitCode: badInput ? WorkbenchError.Code.badInput.rawValue : 0)
    }

    func describe(_ r: Int, _ batch: (columns: [ParameterInfo], cells: [[String]])) -> String {
        batch.columns.enumerated().map { "\($1.name) = \(batch.cells[r][$0])" }.joined(separator: ", ")
    }

    /// The observable ± SE at one grid row, by `validate`'s own code path (same words as the command line).
    func monteCarlo(row r: Int, cells: [String], columns: [ParameterInfo]) throws -> (Double, Double)? {
        var words = [estimator.name] + args.positionals
        for (n, v) in args.named { words += ["--" + n, v] }
        if let s = args.sigmaFree { words += ["--sigma-free", s] }
        if let v = args.vRest { words += ["--v-rest", v] }
        for (c, p) in columns.enumerated() { words += ["--" + p.name, cells[c]] }
        for (k, v) in args.extra.sorted(by: { $0.key < $1.key }) where Self.simulationOptions.contains(k) { words += ["--" + k, v] }
        if args.extra["precision"] == nil { words += ["--precision", "0.02"] }
        for p in args.pluginPaths { words += ["--plugin-path", p] }
        let (report, _) = try Validation.run(words: words)
        guard let q = report.quantities.first(where: { $0.name == output.name }), let m = q.mc,
              m.value.isFinite, m.standardError.isFinite else { return nil }
        return (m.value, m.standardError)
    }
}
