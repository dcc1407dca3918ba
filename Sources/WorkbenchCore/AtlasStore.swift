// An atlas directory: manifest.json (the specification), points/pNNNNNNN.csv (one file per finished
// point, the point's rows of the table, written atomically), and the results made from them: atlas.csv,
// atlas.json and one heat map per quantity (heatmap-<quantity>.svg).
import Foundation

public struct AtlasStore {
    public let directory: String
    var pointsDirectory: String { directory + "/points" }
    var manifestPath: String { directory + "/manifest.json" }

    public init(directory: String) { self.directory = directory }

    static let quantityColumns = ["variant", "quantity", "unit", "estimator", "mc", "mc_se", "z", "relative_difference",
                                  "delta", "verdict", "status", "error"]

    static func header(_ spec: AtlasSpec) -> String {
        (["point", "seed"] + spec.axes.map(\.name) + quantityColumns).joined(separator: ",")
    }

    /// The manifest's text: compared byte for byte on --resume and by `atlas merge`.
    static func manifest(_ spec: AtlasSpec) -> String {
        JSON.object([
            ("workbench_atlas", .number(1)),
            ("validate_words", .array(spec.words.map(JSON.string))),
            ("axes", .array(spec.axes.map { .object([("name", .string($0.name)), ("unit", .string($0.unit)),
                                                     ("values", .array($0.values.map(JSON.string)))]) })),
            ("compare", .array(spec.compare.map { v in
                .object([("label", .string(v.label)), ("estimator", v.estimator.map(JSON.string) ?? .null),
                         ("settings", .array(v.settings.map { .string("\($0.name)=\($0.value)") }))]) })),
            ("seed", .string(String(spec.seed))), ("color", .string(spec.color.rawValue)),
            ("points", .number(Double(spec.pointCount))),
        ]).render() + "\n"
    }

    // MARK: writing

    /// Creates the directory and its manifest, or checks that an existing one holds the same atlas.
    /// Without `resume`, a directory that already holds points is refused.
    public func prepare(_ spec: AtlasSpec, resume: Bool) throws {
        let fm = FileManager.default
        let text = Self.manifest(spec)
        if let existing = try? String(contentsOfFile: manifestPath, encoding: .utf8) {
            guard existing == text else {
                throw WorkbenchError.badInput("\(directory) holds an atlas of another specification (manifest.json differs); use another --out")
            }
            let done = finished(spec)
            if !resume && !done.isEmpty {
                throw WorkbenchError.badInput("\(directory) already holds \(done.count) finished points: add --resume to finish the rest, or use another --out")
            }
        }
        do {
            try fm.createDirectory(atPath: pointsDirectory, withIntermediateDirectories: true)
        } catch {
            throw WorkbenchError.badInput("cannot create the atlas directory '\(directory)': \(error.localizedDescription)")
        }
        // Left-overs of a killed writer are never read (a point is only its renamed file); they are removed
        // once stale, never while another task (a Slurm shard in the same directory) may be renaming one.
        let stale = Date().addingTimeInterval(-600)
        for name in (try? fm.contentsOfDirectory(atPath: pointsDirectory)) ?? [] where name.hasSuffix(".tmp") {
            let path = pointsDirectory + "/" + name
            if let m = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, m < stale { try? fm.removeItem(atPath: path) }
        }
        try Self.writeAtomically(text, to: manifestPath)
    }

    /// Removes the points and results of an atlas directory (only files an atlas writes).
    public func clear() throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory) else { return }
        guard fm.fileExists(atPath: manifestPath) else {
            throw WorkbenchError.badInput("--overwrite: '\(directory)' exists but is not an atlas directory (no manifest.json); not touching it")
        }
        for name in (try? fm.contentsOfDirectory(atPath: pointsDirectory)) ?? [] where name.hasPrefix("p") {
            try? fm.removeItem(atPath: pointsDirectory + "/" + name)
        }
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            where name == "atlas.csv" || name == "atlas.json" || name == "manifest.json" || (name.hasPrefix("heatmap-") && name.hasSuffix(".svg")) {
            try? fm.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Writes to a temporary file unique across hosts and processes, flushes it to the disk, renames it.
    static func writeAtomically(_ text: String, to path: String) throws {
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let tmp = path + ".\(host).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
            throw WorkbenchError(.internalError, "cannot write '\(tmp)'")
        }
        if let h = FileHandle(forUpdatingAtPath: tmp) { try? h.synchronize(); try? h.close() }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            throw WorkbenchError(.internalError, "cannot rename '\(tmp)' to '\(path)': \(reason)")
        }
    }

    func pointPath(_ index: Int) -> String { pointsDirectory + "/" + String(format: "p%08d.csv", index) }

    /// The point's rows of the table (its file, without the header line).
    static func rows(_ p: AtlasPoint, _ spec: AtlasSpec) -> [String] {
        let lead = [String(p.index), String(p.seed)] + p.values.map(CSV.escape)
        let f: (Double?) -> String = { $0.map(formatNumber) ?? "" }
        if let error = p.error {
            return [(lead + ["", "", "", "", "", "", "", "", "", "", "error", CSV.escape(error)]).joined(separator: ",")]
        }
        return p.quantities.map { q in
            (lead + [CSV.escape(q.variant), CSV.escape(q.quantity), CSV.escape(q.unit), f(q.estimator), f(q.mc), f(q.mcSE),
                     f(q.z), f(q.relativeDifference), f(q.delta), CSV.escape(q.verdict),
                     q.error == nil ? "ok" : "error", CSV.escape(q.error ?? "")]).joined(separator: ",")
        }
    }

    public func write(_ p: AtlasPoint, _ spec: AtlasSpec) throws {
        let text = ([Self.header(spec)] + Self.rows(p, spec)).joined(separator: "\n") + "\n"
        try Self.writeAtomically(text, to: pointPath(p.index))
    }

    // MARK: reading

    /// Indices of the finished points: files named as this store names them, of a point of the grid, that
    /// carry the header of this atlas and at least one row (an empty or foreign file is run again).
    public func finished(_ spec: AtlasSpec) -> Set<Int> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pointsDirectory)) ?? []
        return Set(names.compactMap { n -> Int? in
            guard n.count == 13, n.hasPrefix("p"), n.hasSuffix(".csv"), let i = Int(n.dropFirst().dropLast(4)),
                  i >= 0, i < spec.pointCount, n == String(format: "p%08d.csv", i), pointRows(i, spec) != nil else { return nil }
            return i
        })
    }

    /// The rows of point `index`'s file (without the header), nil if it is missing or not of this atlas.
    func pointRows(_ index: Int, _ spec: AtlasSpec) -> [String]? {
        guard let text = try? String(contentsOfFile: pointPath(index), encoding: .utf8) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == Self.header(spec), lines.count >= 2 else { return nil }
        return Array(lines.dropFirst())
    }

    public static func readSpecText(_ directory: String) throws -> String {
        guard let text = try? String(contentsOfFile: directory + "/manifest.json", encoding: .utf8) else {
            throw WorkbenchError.badInput("'\(directory)' is not an atlas directory (no readable manifest.json)")
        }
        return text
    }

    // MARK: results

    /// Writes atlas.csv, atlas.json and the heat maps from the point files; every point must be present.
    public func writeResults(_ spec: AtlasSpec, estimatorUnits: [String: String] = [:]) throws -> AtlasSummary {
        var lines = [Self.header(spec)]
        var missing: [Int] = []
        for i in 0..<spec.pointCount {
            guard let r = pointRows(i, spec) else { missing.append(i); continue }
            lines += r
        }
        guard missing.isEmpty else {
            throw WorkbenchError.badInput("\(missing.count) of \(spec.pointCount) points are missing in \(directory) (first: \(missing[0])): run the remaining shards, or --resume")
        }
        let csv = lines.joined(separator: "\n") + "\n"
        try Self.writeAtomically(csv, to: directory + "/atlas.csv")
        let table = CSV.parse(csv)
        let columns = table[0], body = Array(table.dropFirst())
        guard body.allSatisfy({ $0.count == columns.count }) else {
            throw WorkbenchError.badInput("a point file in \(directory)/points has rows of the wrong width (edited by hand?)")
        }
        let numeric: Set<String> = ["point", "seed", "estimator", "mc", "mc_se", "z", "relative_difference", "delta"]
        let axisUnits = Dictionary(uniqueKeysWithValues: spec.axes.map { ($0.name, $0.unit) })
        let rowsJSON: [JSON] = body.map { row in
            .object(zip(columns, row).map { name, cell in
                if cell.isEmpty { return (name, .null) }
                if numeric.contains(name), let v = Double(cell) { return (name, .number(v)) }
                if axisUnits[name] != nil, let v = Double(cell) { return (name, .number(v)) }
                return (name, .string(cell))
            })
        }
        let json = JSON.object([("atlas", .string(Self.manifest(spec).trimmingCharacters(in: .newlines))),
                                ("columns", .array(columns.map(JSON.string))), ("rows", .array(rowsJSON))]).render() + "\n"
        try Self.writeAtomically(json, to: directory + "/atlas.json")
        let summary = AtlasSummary(spec: spec, columns: columns, rows: body)
        for (quantity, svg) in AtlasHeatMap.render(summary) {
            try Self.writeAtomically(svg, to: directory + "/heatmap-\(AtlasHeatMap.fileName(quantity)).svg")
        }
        return summary
    }

    /// Combines the points of several atlas directories of one specification into `self`.
    public static func merge(_ sources: [String], into out: AtlasStore, parse: (String) throws -> AtlasSpec) throws -> AtlasSummary {
        guard let first = sources.first else { throw WorkbenchError.badInput("atlas merge needs at least one directory") }
        let text = try readSpecText(first)
        for d in sources.dropFirst() where try readSpecText(d) != text {
            throw WorkbenchError.badInput("'\(d)' holds an atlas of another specification than '\(first)' (manifest.json differs)")
        }
        let spec = try parse(text)
        try out.prepare(spec, resume: true)
        var have = out.finished(spec)
        for d in sources {
            let store = AtlasStore(directory: d)
            for i in store.finished(spec).sorted() {
                guard let rows = store.pointRows(i, spec) else { continue }
                let body = ([header(spec)] + rows).joined(separator: "\n") + "\n"
                if have.contains(i) {
                    if let mine = out.pointRows(i, spec), mine != rows {
                        throw WorkbenchError.badInput("point \(i) differs between the directories: they were not made by the same workbench and seed")
                    }
                    continue
                }
                try writeAtomically(body, to: out.pointPath(i))
                have.insert(i)
            }
        }
        return try out.writeResults(spec)
    }
}

/// The table read back, for summaries and heat maps.
public struct AtlasSummary {
    public let spec: AtlasSpec
    public let columns: [String]
    public let rows: [[String]]

    /// The index of a column the table always has (read() checks them).
    func column(_ name: String) -> Int { columns.firstIndex(of: name) ?? 0 }

    /// Per estimator row (variant) and quantity: points agreeing, disagreeing, without a verdict; errors.
    public func text() -> String {
        let cv = column("variant"), cq = column("quantity"), cverdict = column("verdict"), cs = column("status")
        var order: [String] = [], counts: [String: (agree: Int, disagree: Int, none: Int)] = [:]
        var errors = 0
        for r in rows {
            if r[cs] == "error" { errors += 1; continue }
            let q = r[cq].components(separatedBy: " @ ").first!
            let key = r[cv] + "\t" + q
            if counts[key] == nil { order.append(key); counts[key] = (0, 0, 0) }
            if r[cverdict].hasPrefix("agree") { counts[key]!.agree += 1 }
            else if r[cverdict].hasPrefix("DISAGREE") { counts[key]!.disagree += 1 }
            else { counts[key]!.none += 1 }
        }
        var lines = [["estimator", "quantity", "agree", "DISAGREE", "no verdict"]]
        for key in order {
            let parts = key.split(separator: "\t").map(String.init), c = counts[key]!
            lines.append([parts[0], parts[1], String(c.agree), String(c.disagree), String(c.none)])
        }
        let out = "atlas: \(spec.pointCount) points over " + spec.axes.map { "\($0.name) (\($0.values.count))" }.joined(separator: " x ")
            + (errors == 0 ? "\n" : ", \(errors) \(errors == 1 ? "point or estimator row" : "points or estimator rows") failed (status error)\n")
        return out + renderTextTable(lines)
    }
}

extension AtlasSummary {
    /// Reads a finished atlas directory back.
    public static func read(_ directory: String) throws -> AtlasSummary {
        let spec = try Atlas.spec(manifest: AtlasStore.readSpecText(directory))
        guard let text = try? String(contentsOfFile: directory + "/atlas.csv", encoding: .utf8) else {
            throw WorkbenchError.badInput("'\(directory)' has no atlas.csv yet (unfinished shards? run 'atlas merge')")
        }
        let table = CSV.parse(text)
        guard let columns = table.first, columns == (["point", "seed"] + spec.axes.map(\.name) + AtlasStore.quantityColumns),
              table.dropFirst().allSatisfy({ $0.count == columns.count }) else {
            throw WorkbenchError.badInput("'\(directory)/atlas.csv' is not the table of its manifest (edited by hand?)")
        }
        return AtlasSummary(spec: spec, columns: columns, rows: Array(table.dropFirst()))
    }

    /// The heat map as text: per compared row and facet, y values down, x values across; each cell the
    /// signed relative difference in % (z with --color z), "!" marking DISAGREE, "." no verdict, "err" an error.
    public func textGrid(quantity: String) throws -> String {
        let cq = column("quantity"), cv = column("variant"), cs = column("status"), cp = column("point")
        let cval = column(spec.color == .rel ? "relative_difference" : "z"), cverdict = column("verdict")
        guard rows.contains(where: { $0[cq] == quantity }) else {
            let known = Array(Set(rows.map { $0[cq] }.filter { !$0.isEmpty && !$0.contains(" @ ") })).sorted()
            throw WorkbenchError.badInput("no quantity '\(quantity)' in this atlas (quantities: \(known.joined(separator: ", ")))")
        }
        let x = spec.axes[0], y: AtlasAxis? = spec.axes.count > 1 ? spec.axes[1] : nil
        let facetAxes = Array(spec.axes.dropFirst(2))
        var cells: [String: String] = [:]      // "variant|point" -> text
        for r in rows {
            guard let p = Int(r[cp]) else { continue }
            if r[cs] == "error" {
                if r[cv].isEmpty { for v in [spec.estimator] + spec.compare.map(\.label) { cells["\(v)|\(p)"] = "err" } }
                else { cells["\(r[cv])|\(p)"] = "err" }
                continue
            }
            guard r[cq] == quantity else { continue }
            var t = "."
            if let v = Double(r[cval]) {
                let shown = spec.color == .rel ? 100 * v : v
                t = abs(shown) < 1000 ? String(format: "%+.1f", shown) : String(format: "%+.0e", shown)
            }
            if r[cverdict].hasPrefix("DISAGREE") { t += "!" }
            cells["\(r[cv])|\(p)"] = t
        }
        let unit = { (a: AtlasAxis) in a.unit == "1" || a.unit.isEmpty ? a.name : "\(a.name) [\(a.unit)]" }
        var out = "\(quantity): " + (spec.color == .rel ? "(MC - estimator)/estimator in %" : "z") + "; ! = DISAGREE, . = no verdict\n"
        let facets = facetAxes.reduce(1) { $0 * $1.values.count }
        let width = max(9, x.values.map(\.count).max()! + 2)
        for variant in [spec.estimator] + spec.compare.map(\.label) {
            for f in 0..<facets {
                var rest = f, parts: [String] = []
                for a in facetAxes.reversed() { parts.insert("\(a.name) = \(a.values[rest % a.values.count])", at: 0); rest /= a.values.count }
                out += "\n" + variant + (parts.isEmpty ? "" : ", " + parts.joined(separator: ", ")) + "\n"
                let yLabel = y.map(unit) ?? ""
                let left = max(yLabel.count, y?.values.map(\.count).max() ?? 0) + 2
                out += yLabel.padding(toLength: left, withPad: " ", startingAt: 0) + x.values.map { $0.leftPad(width) }.joined()
                    + "   <- " + unit(x) + "\n"
                for j in (0..<(y?.values.count ?? 1)).reversed() {
                    var line = (y?.values[j] ?? "").padding(toLength: left, withPad: " ", startingAt: 0)
                    for i in 0..<x.values.count {
                        // point index: axes in order, the first slowest
                        var index = 0
                        var coords = [i] + (y == nil ? [] : [j])
                        var r2 = f
                        var tail: [Int] = []
                        for a in facetAxes.reversed() { tail.insert(r2 % a.values.count, at: 0); r2 /= a.values.count }
                        coords += tail
                        for (k, a) in spec.axes.enumerated() { index = index * a.values.count + coords[k] }
                        line += (cells["\(variant)|\(index)"] ?? "").leftPad(width)
                    }
                    out += line.trimmingCharacters(in: .whitespaces).isEmpty ? "\n" : line + "\n"
                }
            }
        }
        return out
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? " " + self : String(repeating: " ", count: n - count) + self }
}

extension AtlasSummary {
    /// The message when every point failed as a whole (a specification no point can run), else nil.
    public var commonFailure: String? {
        let cs = column("status"), cv = column("variant"), ce = column("error")
        guard !rows.isEmpty, rows.allSatisfy({ $0[cs] == "error" && $0[cv].isEmpty }) else { return nil }
        return rows[0][ce]
    }
}
