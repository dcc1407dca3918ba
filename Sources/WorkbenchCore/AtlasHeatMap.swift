// Heat maps of an atlas, one SVG per quantity: the first two grid axes as x and y, one facet per value
// of the further axes (columns) and per compared estimator row (rows); colour = the signed relative
// difference (MC − estimator)/estimator (or z with --color z) on a diverging blue–white–red scale; a
// DISAGREE cell is outlined in black, a point without a verdict is grey with a cross. Every cell carries
// its numbers in a <title> (shown on hover) and data-* attributes.
import Foundation

enum AtlasHeatMap {
    static func fileName(_ quantity: String) -> String {
        String(quantity.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }

    struct Cell { var x: Int, y: Int, facet: Int, variant: Int; var value: Double?; var verdict: String; var tip: String }

    /// One SVG per quantity (densities at particular V are left to the table).
    static func render(_ s: AtlasSummary) -> [(String, String)] {
        let spec = s.spec
        let c = (variant: s.column("variant"), quantity: s.column("quantity"), rel: s.column("relative_difference"),
                 z: s.column("z"), verdict: s.column("verdict"), status: s.column("status"), est: s.column("estimator"),
                 mc: s.column("mc"), se: s.column("mc_se"), error: s.column("error"), point: s.column("point"))
        let variants = [spec.estimator] + spec.compare.map(\.label)
        var quantities: [String] = []
        for r in s.rows where r[c.status] == "ok" && !r[c.quantity].contains(" @ ") && !quantities.contains(r[c.quantity]) {
            quantities.append(r[c.quantity])
        }
        let facetAxes = Array(spec.axes.dropFirst(2))
        let facetCount = facetAxes.reduce(1) { $0 * $1.values.count }
        func position(_ point: Int) -> (x: Int, y: Int, facet: Int) {
            var rest = point, idx = [Int](repeating: 0, count: spec.axes.count)
            for k in spec.axes.indices.reversed() { idx[k] = rest % spec.axes[k].values.count; rest /= spec.axes[k].values.count }
            var facet = 0
            for k in 2..<max(2, spec.axes.count) { facet = facet * spec.axes[k].values.count + idx[k] }
            return (idx[0], spec.axes.count > 1 ? idx[1] : 0, facet)
        }
        // Failed points (no variant named: every row failed) and failed estimator rows at a point.
        let errorPoints = Set(s.rows.filter { $0[c.status] == "error" && $0[c.variant].isEmpty }.compactMap { Int($0[c.point]) })
        let errorRows = s.rows.filter { $0[c.status] == "error" && !$0[c.variant].isEmpty }
        var out: [(String, String)] = []
        for q in quantities {
            var cells: [Cell] = []
            for r in s.rows where r[c.status] == "ok" && r[c.quantity] == q {
                guard let point = Int(r[c.point]), let v = variants.firstIndex(of: r[c.variant]) else { continue }
                let pos = position(point)
                let value = Double(spec.color == .rel ? r[c.rel] : r[c.z])
                let where_ = zip(spec.axes, Atlas.values(of: point, spec)).map { "\($0.name) = \($1)" }.joined(separator: ", ")
                let tip = "\(r[c.variant]) at \(where_): estimator \(r[c.est]), MC \(r[c.mc]) ± \(r[c.se]), z \(r[c.z]), rel. diff. \(r[c.rel]): \(r[c.verdict])"
                cells.append(Cell(x: pos.x, y: pos.y, facet: pos.facet, variant: v, value: value, verdict: r[c.verdict], tip: tip))
            }
            for r in errorRows {
                guard let point = Int(r[c.point]), let v = variants.firstIndex(of: r[c.variant]) else { continue }
                let pos = position(point)
                cells.append(Cell(x: pos.x, y: pos.y, facet: pos.facet, variant: v, value: nil, verdict: "error",
                                  tip: "\(r[c.variant]) at point \(point): \(r[c.error])"))
            }
            for point in errorPoints.sorted() {
                let pos = position(point)
                for v in variants.indices {
                    cells.append(Cell(x: pos.x, y: pos.y, facet: pos.facet, variant: v, value: nil, verdict: "error",
                                      tip: "point \(point): error"))
                }
            }
            out.append((q, svg(q, cells, spec, variants: variants, facets: facetCount, facetAxes: facetAxes)))
        }
        return out
    }

    /// 1, 2, 5 × 10^k at or above v.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let e = pow(10, floor(log10(v)))
        for m in [1.0, 2, 5, 10] where m * e >= v * (1 - 1e-12) { return m * e }
        return 10 * e
    }

    /// Blue (−1) – near-white (0) – red (+1), ColorBrewer RdBu end points.
    static func color(_ t: Double) -> String {
        let u = max(-1, min(1, t))
        let (a, b): ((Double, Double, Double), (Double, Double, Double)) = u < 0
            ? ((247, 247, 247), (33, 102, 172)) : ((247, 247, 247), (178, 24, 43))
        let f = abs(u)
        let rgb = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f].map { Int($0.rounded()) }
        return String(format: "#%02x%02x%02x", rgb[0], rgb[1], rgb[2])
    }

    static func svg(_ quantity: String, _ cells: [Cell], _ spec: AtlasSpec, variants: [String], facets: Int,
                    facetAxes: [AtlasAxis]) -> String {
        let xAxis = spec.axes[0], yAxis: AtlasAxis? = spec.axes.count > 1 ? spec.axes[1] : nil
        let nx = xAxis.values.count, ny = yAxis?.values.count ?? 1
        let cell = max(12.0, min(40.0, 420.0 / Double(max(nx, ny))))
        let maxAbs = cells.compactMap(\.value).filter(\.isFinite).map(abs).max() ?? 0
        let scale = spec.color == .rel ? max(1e-3, niceCeiling(maxAbs)) : max(4, niceCeiling(maxAbs))
        let left = 78.0, top = 70.0, facetGapX = 30.0, facetGapY = 62.0
        let facetW = cell * Double(nx), facetH = cell * Double(ny)
        let unitText = { (a: AtlasAxis) in a.unit == "1" || a.unit.isEmpty ? a.name : "\(a.name) [\(a.unit)]" }
        let what = spec.color == .rel ? "signed relative difference (MC − estimator)/estimator" : "z = (MC − estimator)/SE"
        let subtitle = "colour: \(what); black outline: DISAGREE (THEORY §9.0); grey ×: no verdict"
        let facetTitles = variants.map { SVGPlot.textWidth($0 + ", " + facetAxes.map { "\($0.name) = 00000" }.joined(separator: ", ")) }
        let width = max(left + Double(facets) * (max(facetW, facetTitles.max() ?? 0) + facetGapX) + 150,
                        left + SVGPlot.textWidth(subtitle) + 20)
        let height = top + Double(variants.count) * (facetH + facetGapY) + 40
        let facetStep = max(facetW, facetTitles.max() ?? 0) + facetGapX
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(SVGPlot.num(width))" height="\(SVGPlot.num(height))" \
        viewBox="0 0 \(SVGPlot.num(width)) \(SVGPlot.num(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(SVGPlot.num(left))" y="22" font-size="15" font-weight="bold">\(SVGPlot.escape("\(spec.estimator) atlas: \(quantity)"))</text>
        <text x="\(SVGPlot.num(left))" y="40" fill="#444">\(SVGPlot.escape(subtitle))</text>

        """
        for (v, label) in variants.enumerated() {
            for f in 0..<facets {
                let ox = left + Double(f) * facetStep, oy = top + Double(v) * (facetH + facetGapY)
                var title = variants.count > 1 || facets > 1 ? label : ""
                if !facetAxes.isEmpty {
                    var rest = f, parts: [String] = []
                    for a in facetAxes.reversed() { parts.insert("\(a.name) = \(a.values[rest % a.values.count])", at: 0); rest /= a.values.count }
                    title += (title.isEmpty ? "" : ", ") + parts.joined(separator: ", ")
                }
                if !title.isEmpty { s += "<text x=\"\(SVGPlot.num(ox))\" y=\"\(SVGPlot.num(oy - 8))\" font-weight=\"bold\">\(SVGPlot.escape(title))</text>\n" }
                for c in cells where c.variant == v && c.facet == f {
                    let x = ox + Double(c.x) * cell, y = oy + Double(ny - 1 - c.y) * cell
                    let geometry = "x=\"\(SVGPlot.num(x))\" y=\"\(SVGPlot.num(y))\" width=\"\(SVGPlot.num(cell))\" height=\"\(SVGPlot.num(cell))\""
                    let disagree = c.verdict.hasPrefix("DISAGREE")
                    if let value = c.value, value.isFinite {
                        s += "<rect \(geometry) fill=\"\(color(value / scale))\" stroke=\"\(disagree ? "black" : "white")\" "
                            + "stroke-width=\"\(disagree ? "2.5" : "0.5")\" data-value=\"\(formatNumber(value))\" data-verdict=\"\(SVGPlot.escape(c.verdict))\">"
                    } else {
                        s += "<rect \(geometry) fill=\"#bdbdbd\" stroke=\"\(disagree ? "black" : "white")\" stroke-width=\"\(disagree ? "2.5" : "0.5")\" data-verdict=\"\(SVGPlot.escape(c.verdict))\">"
                    }
                    s += "<title>\(SVGPlot.escape(c.tip))</title></rect>\n"
                    if c.value == nil || !(c.value!.isFinite) {
                        s += "<text x=\"\(SVGPlot.num(x + cell / 2))\" y=\"\(SVGPlot.num(y + cell / 2 + 4))\" text-anchor=\"middle\" fill=\"#555\">×</text>\n"
                    }
                }
                // Axes: tick labels at every value (thinned to ~10), names with units.
                let stepX = max(1, nx / 10), stepY = max(1, ny / 10)
                for i in stride(from: 0, to: nx, by: stepX) {
                    let x = ox + (Double(i) + 0.5) * cell
                    s += "<text x=\"\(SVGPlot.num(x))\" y=\"\(SVGPlot.num(oy + facetH + 14))\" text-anchor=\"middle\" font-size=\"10\">\(SVGPlot.escape(xAxis.values[i]))</text>\n"
                }
                s += "<text x=\"\(SVGPlot.num(ox + facetW / 2))\" y=\"\(SVGPlot.num(oy + facetH + 30))\" text-anchor=\"middle\">\(SVGPlot.escape(unitText(xAxis)))</text>\n"
                if let yAxis, f == 0 {
                    for j in stride(from: 0, to: ny, by: stepY) {
                        let y = oy + (Double(ny - 1 - j) + 0.5) * cell + 3
                        s += "<text x=\"\(SVGPlot.num(ox - 5))\" y=\"\(SVGPlot.num(y))\" text-anchor=\"end\" font-size=\"10\">\(SVGPlot.escape(yAxis.values[j]))</text>\n"
                    }
                    s += "<text transform=\"translate(\(SVGPlot.num(ox - 52)),\(SVGPlot.num(oy + facetH / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVGPlot.escape(unitText(yAxis)))</text>\n"
                }
            }
        }
        // Colour bar.
        let bx = width - 120, by = top, bh = 160.0
        for k in 0..<40 {
            let t = 1 - 2 * (Double(k) + 0.5) / 40
            s += "<rect x=\"\(SVGPlot.num(bx))\" y=\"\(SVGPlot.num(by + Double(k) * bh / 40))\" width=\"16\" height=\"\(SVGPlot.num(bh / 40 + 0.5))\" fill=\"\(color(t))\"/>\n"
        }
        let label = { (v: Double) in spec.color == .rel ? String(format: "%+g %%", 100 * v) : String(format: "%+g", v) }
        for (t, v) in [(0.0, scale), (0.5, 0.0), (1.0, -scale)] {
            s += "<text x=\"\(SVGPlot.num(bx + 22))\" y=\"\(SVGPlot.num(by + t * bh + 4))\" font-size=\"10\">\(SVGPlot.escape(label(v)))</text>\n"
        }
        s += "<text x=\"\(SVGPlot.num(bx))\" y=\"\(SVGPlot.num(by - 10))\" font-size=\"10\">\(spec.color == .rel ? "MC vs estimator" : "z")</text>\n"
        s += "<rect x=\"\(SVGPlot.num(bx))\" y=\"\(SVGPlot.num(by + bh + 16))\" width=\"14\" height=\"14\" fill=\"white\" stroke=\"black\" stroke-width=\"2.5\"/>"
        s += "<text x=\"\(SVGPlot.num(bx + 20))\" y=\"\(SVGPlot.num(by + bh + 27))\" font-size=\"10\">DISAGREE</text>\n"
        return s + "</svg>\n"
    }
}
