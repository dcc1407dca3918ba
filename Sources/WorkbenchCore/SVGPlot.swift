// A small, dependency-free SVG 1.1 line plot (DESIGN.md §6, `workbench plot`): labelled axes with
// "nice" ticks (1-2-5 steps; decades on log axes), grid lines, a legend outside the data, the Okabe–Ito
// colour-blind-safe palette, polylines broken at missing or (on a log axis) non-positive values, and
// markers with error bars. The data is embedded (data-x/data-y/data-se attributes) so that tests and
// scripts can read numbers back instead of pixels.
import Foundation

public struct SVGPlot {
    public struct Series {
        public var label: String
        public var x: [Double]
        public var y: [Double]          // NaN: no value (the line is broken there)
        public init(label: String, x: [Double], y: [Double]) { self.label = label; self.x = x; self.y = y }
    }

    /// Markers with error bars (y ± halfWidth), drawn in the colour of series `series`.
    public struct Markers {
        public var series: Int
        public var x: [Double], y: [Double], halfWidth: [Double]
        public init(series: Int, x: [Double], y: [Double], halfWidth: [Double]) {
            self.series = series; self.x = x; self.y = y; self.halfWidth = halfWidth
        }
    }

    public var title: String
    public var description: String
    public var xLabel: String
    public var yLabel: String
    public var logX = false
    public var logY = false
    public var width = 720.0
    public var height = 480.0
    public var series: [Series] = []
    public var markers: [Markers] = []
    /// Legend text of the markers (e.g. "Monte Carlo ± 2 SE").
    public var markerLabel = "Monte Carlo ± 2 SE"
    /// Explicit axis limits (nil: from the data).
    public var yMin: Double? = nil
    public var yMax: Double? = nil
    /// On a log y axis without yMin: at most this many decades below the largest value are shown.
    public var maxDecades = 12.0

    /// Okabe & Ito (2008), without yellow (too light on white), black last.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let dashes = ["", "6,3", "2,2", "8,3,2,3"]

    public init(title: String, description: String, xLabel: String, yLabel: String) {
        self.title = title; self.description = description; self.xLabel = xLabel; self.yLabel = yLabel
    }

    // MARK: ticks

    public enum Ticks {
        /// Ticks at multiples of a 1-2-5 step covering [lo, hi], about `target` of them; the returned
        /// range is widened to the outer ticks.
        public static func linear(_ lo: Double, _ hi: Double, target: Int = 6) -> (ticks: [Double], step: Double) {
            var lo = lo, hi = hi
            if !(hi > lo) {
                let d = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= d; hi += d
            }
            let raw = (hi - lo) / Double(max(target, 2))
            let mag = pow(10, (log10(raw)).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * mag
            let first = (lo / step + 1e-9).rounded(.down), last = (hi / step - 1e-9).rounded(.up)
            let ticks = stride(from: first, through: last, by: 1).map { k -> Double in
                let v = k * step       // 0.013000000000000001 → 0.013: ticks are the decimals they show
                return abs(v) < step * 1e-9 ? 0 : Double(String(format: "%.12g", v))!
            }
            return (ticks, step)
        }

        /// The decades covering [lo, hi] (lo > 0): the range is widened to whole decades, and every
        /// decade is a tick; `labelled` holds every 1st, 2nd, 5th, 10th... of them (multiples of that
        /// exponent step), so that about `target` carry a label.
        /// lo and hi are positive and finite (ranges() checks): at most ~630 decades.
        public static func decades(_ lo: Double, _ hi: Double, target: Int = 8) -> (ticks: [Double], labelled: [Double], low: Double, high: Double) {
            let a = (log10(lo) + 1e-12).rounded(.down)
            var b = (log10(hi) - 1e-12).rounded(.up)
            if b <= a { b = a + 1 }
            let span = b - a
            let every = [1.0, 2, 5, 10, 20, 50, 100].first { span / $0 <= Double(target) } ?? (span / Double(target)).rounded(.up)
            let ticks = stride(from: a, through: b, by: 1).map { pow(10, $0) }
            let labelled = stride(from: a, through: b, by: 1).filter { $0.truncatingRemainder(dividingBy: every) == 0 }.map { pow(10, $0) }
            return (ticks, labelled, pow(10, a), pow(10, b))
        }

        /// Labelled and grid-line values of a log axis over [lo, hi]: the labelled decades, or 1, 2 and 5
        /// times each decade when fewer than three decades fall inside; light grid lines at every decade,
        /// and at 2…9 times each when the axis spans at most four decades.
        public static func logLabels(_ t: (ticks: [Double], labelled: [Double], low: Double, high: Double), _ lo: Double, _ hi: Double) -> (labelled: [Double], minor: [Double]) {
            let inside = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
            let round = { (v: Double) in Double(String(format: "%.12g", v))! }
            let decades = ([t.ticks.first! / 10] + t.ticks)
            var labelled = t.labelled.filter(inside)
            if t.ticks.filter(inside).count < 3 {
                labelled = decades.flatMap { d in [1.0, 2, 5].map { round($0 * d) } }.filter(inside)
            }
            let minor = hi / lo <= 1e4 + 1e-6 ? decades.flatMap { d in (1...9).map { round(Double($0) * d) } }.filter(inside) : t.ticks.filter(inside)
            return (labelled, minor)
        }

        /// A label for a linear tick with the given step: no more decimals than the step needs.
        public static func label(_ v: Double, step: Double) -> String {
            if v == 0 { return "0" }
            let a = abs(v)
            if a >= 1e6 || a < 1e-4 { return String(format: "%.3g", v).replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e-") }
            let decimals = max(0, Int(-(log10(step)).rounded(.down)))
            return String(format: "%.\(decimals)f", v)
        }
    }

    // MARK: rendering

    struct Axis {
        let lo, hi: Double, log: Bool
        let pixelLo, pixelHi: Double
        func map(_ v: Double) -> Double {
            let t = log ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo)
            return min(max(pixelLo + t * (pixelHi - pixelLo), -1e6), 1e6)
        }
        func usable(_ v: Double) -> Bool { v.isFinite && (!log || v > 0) }
    }

    static func escape(_ s: String) -> String {
        var r = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            default: if c.value < 0x20 && c != "\n" && c != "\t" { r += " " } else { r.unicodeScalars.append(c) }
            }
        }
        return r
    }

    static func num(_ v: Double) -> String { String(format: "%.2f", v) }
    static func data(_ v: [Double]) -> String { v.map(formatNumber).joined(separator: " ") }
    /// Approximate width of sans-serif text at 12 px (for layout only).
    static func textWidth(_ s: String, size: Double = 12) -> Double { Double(s.count) * size * 0.58 }

    /// The plot's ranges; throws when an axis has no usable value.
    func ranges() throws -> (x: (Double, Double), y: (Double, Double), clippedBelow: Double?) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series { for (x, y) in zip(s.x, s.y) where x.isFinite && (!logX || x > 0) { xs.append(x); if y.isFinite && (!logY || y > 0) { ys.append(y) } } }
        for m in markers {
            for i in m.x.indices where m.x[i].isFinite && (!logX || m.x[i] > 0) {
                for v in [m.y[i] - m.halfWidth[i], m.y[i] + m.halfWidth[i]] where v.isFinite && (!logY || v > 0) { ys.append(v) }
            }
        }
        guard let x0 = xs.min(), let x1 = xs.max() else {
            throw WorkbenchError.badInput(logX ? "no positive x value to plot on the log x axis (--log-x)" : "no x value to plot")
        }
        guard var y0 = ys.min(), var y1 = ys.max() else {
            throw WorkbenchError.badInput(logY ? "no positive value of \(yLabel) to plot on the log y axis (--log-y)" : "no finite value of \(yLabel) to plot")
        }
        var clipped: Double? = nil
        if logY && yMin == nil && y1 / y0 > pow(10, maxDecades) { y0 = y1 / pow(10, maxDecades); clipped = y0 }
        // log10(0) = -inf: the decade ticks would never end.
        for (name, v) in [("y-min", yMin), ("y-max", yMax)] where logY && v.map({ $0 <= 0 }) == true {
            throw WorkbenchError.badInput("--\(name) = \(formatNumber(v!)) is out of range on the log y axis (valid: > 0)")
        }
        if let v = yMin { y0 = v }
        if let v = yMax { y1 = v }
        guard y1 > y0 || (y1 == y0 && yMin == nil && yMax == nil) else { throw WorkbenchError.badInput("empty y range: \(formatNumber(y0)) to \(formatNumber(y1))") }
        return ((x0, x1), (y0, y1), clipped)
    }

    public func render() throws -> String {
        let r = try ranges()
        // Ticks (and the ranges widened to them).
        var xTicks: [Double], yTicks: [Double], xLo: Double, xHi: Double, yLo: Double, yHi: Double
        var xStep = 1.0, yStep = 1.0
        var xMinor: [Double] = [], yMinor: [Double] = []
        if logX {
            // x: the grid's own range (a sweep is read end to end), with the ticks inside it.
            let t = Ticks.decades(r.x.0, r.x.1, target: max(3, Int((width - 200) / 70)))
            (xLo, xHi) = r.x.1 > r.x.0 ? (r.x.0, r.x.1) : (t.low, t.high)
            (xTicks, xMinor) = Ticks.logLabels(t, xLo, xHi)
        } else {
            let t = Ticks.linear(r.x.0, r.x.1, target: max(3, Int((width - 200) / 80)))
            // x: the grid's own range (a sweep is read end to end), ticks inside it.
            (xLo, xHi) = r.x.1 > r.x.0 ? (r.x.0, r.x.1) : (t.ticks.first!, t.ticks.last!)
            xTicks = t.ticks.filter { $0 >= xLo - 1e-9 * t.step && $0 <= xHi + 1e-9 * t.step }
            xStep = t.step
        }
        if logY {
            let t = Ticks.decades(r.y.0, r.y.1, target: max(3, Int((height - 120) / 40)))
            (yLo, yHi) = (t.low, t.high)
            (yTicks, yMinor) = Ticks.logLabels(t, yLo, yHi)
        }
        else {
            let t = Ticks.linear(r.y.0, r.y.1, target: max(3, Int((height - 120) / 50)))
            (yTicks, yLo, yHi, yStep) = (t.ticks, t.ticks.first!, t.ticks.last!, t.step)
            if yMin != nil || yMax != nil {
                (yLo, yHi) = (yMin ?? yLo, yMax ?? yHi)
                yTicks = yTicks.filter { $0 >= yLo - 1e-9 * t.step && $0 <= yHi + 1e-9 * t.step }
            }
        }
        let xLabels = xTicks.map { logX ? Self.powerLabel($0) : (Ticks.label($0, step: xStep), nil) }
        let yLabels = yTicks.map { logY ? Self.powerLabel($0) : (Ticks.label($0, step: yStep), nil) }

        // Layout: title on top, y labels left, legend in its own column on the right.
        let yLabelWidth = yLabels.map { Self.textWidth($0.0) + ($0.1.map { Self.textWidth($0, size: 9) } ?? 0) }.max() ?? 20
        let legendEntries = (series.count > 1 || !series.first!.label.isEmpty ? series.map(\.label) : []) + (markers.isEmpty ? [] : [markerLabel])
        let legendWidth = legendEntries.isEmpty ? 0 : (legendEntries.map { Self.textWidth($0) }.max()! + 46)
        let left = 34 + yLabelWidth + 10, right = width - 16 - legendWidth
        let top = title.isEmpty ? 20.0 : 44.0, bottom = height - 52 - (r.clippedBelow != nil ? 14 : 0)   // a note line under the x label
        guard right - left > 80, bottom - top > 80 else {
            throw WorkbenchError.badInput("plot size \(formatNumber(width))x\(formatNumber(height)) is too small for its labels and legend (try --width \(formatNumber((left + 80 + 16 + legendWidth).rounded(.up))))")
        }
        let xa = Axis(lo: xLo, hi: xHi, log: logX, pixelLo: left, pixelHi: right)
        let ya = Axis(lo: yLo, hi: yHi, log: logY, pixelLo: bottom, pixelHi: top)

        var s = """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(formatNumber(width))" height="\(formatNumber(height))" viewBox="0 0 \(formatNumber(width)) \(formatNumber(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
        <title>\(Self.escape(title))</title>
        <desc>\(Self.escape(description))</desc>
        <defs><clipPath id="plot-area"><rect x="\(Self.num(left))" y="\(Self.num(top))" width="\(Self.num(right - left))" height="\(Self.num(bottom - top))"/></clipPath></defs>
        <rect width="100%" height="100%" fill="white"/>

        """
        if !title.isEmpty {
            s += "<text class=\"title\" x=\"\(Self.num((left + right) / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>\n"
        }
        // Grid lines and ticks (decades without a label on a log axis: a lighter line).
        for v in xMinor where !xTicks.contains(v) {
            let px = Self.num(xa.map(v))
            s += "<line class=\"minor\" x1=\"\(px)\" y1=\"\(Self.num(top))\" x2=\"\(px)\" y2=\"\(Self.num(bottom))\" stroke=\"#f0f0f0\" stroke-width=\"1\"/>\n"
        }
        for v in yMinor where !yTicks.contains(v) {
            let py = Self.num(ya.map(v))
            s += "<line class=\"minor\" x1=\"\(Self.num(left))\" y1=\"\(py)\" x2=\"\(Self.num(right))\" y2=\"\(py)\" stroke=\"#f0f0f0\" stroke-width=\"1\"/>\n"
        }
        s += "<g class=\"x-ticks\" data-ticks=\"\(Self.data(xTicks))\" data-range=\"\(Self.data([xLo, xHi]))\" data-log=\"\(logX)\">\n"
        for (v, (label, exp)) in zip(xTicks, xLabels) {
            let px = Self.num(xa.map(v))
            s += "<line x1=\"\(px)\" y1=\"\(Self.num(top))\" x2=\"\(px)\" y2=\"\(Self.num(bottom))\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>"
            s += "<line x1=\"\(px)\" y1=\"\(Self.num(bottom))\" x2=\"\(px)\" y2=\"\(Self.num(bottom + 5))\" stroke=\"#333\"/>"
            s += "<text x=\"\(px)\" y=\"\(Self.num(bottom + 19))\" text-anchor=\"middle\" data-value=\"\(formatNumber(v))\">\(Self.escape(label))\(exp.map { "<tspan dy=\"-5\" font-size=\"9\">\(Self.escape($0))</tspan>" } ?? "")</text>\n"
        }
        s += "</g>\n<g class=\"y-ticks\" data-ticks=\"\(Self.data(yTicks))\" data-range=\"\(Self.data([yLo, yHi]))\" data-log=\"\(logY)\">\n"
        for (v, (label, exp)) in zip(yTicks, yLabels) {
            let py = Self.num(ya.map(v))
            s += "<line x1=\"\(Self.num(left))\" y1=\"\(py)\" x2=\"\(Self.num(right))\" y2=\"\(py)\" stroke=\"#e3e3e3\" stroke-width=\"1\"/>"
            s += "<line x1=\"\(Self.num(left - 5))\" y1=\"\(py)\" x2=\"\(Self.num(left))\" y2=\"\(py)\" stroke=\"#333\"/>"
            let w = exp.map { Self.textWidth($0, size: 9) } ?? 0
            s += "<text x=\"\(Self.num(left - 8 - w))\" y=\"\(Self.num(ya.map(v) + 4))\" text-anchor=\"end\" data-value=\"\(formatNumber(v))\">\(Self.escape(label))</text>"
            if let e = exp { s += "<text x=\"\(Self.num(left - 8 - w))\" y=\"\(Self.num(ya.map(v) - 1))\" font-size=\"9\">\(Self.escape(e))</text>" }
            s += "\n"
        }
        s += "</g>\n"
        // Frame and axis labels.
        s += "<rect x=\"\(Self.num(left))\" y=\"\(Self.num(top))\" width=\"\(Self.num(right - left))\" height=\"\(Self.num(bottom - top))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text class=\"x-label\" x=\"\(Self.num((left + right) / 2))\" y=\"\(Self.num(bottom + 40))\" text-anchor=\"middle\" font-size=\"13\">\(Self.escape(xLabel))</text>\n"
        let yl = Self.num((top + bottom) / 2)
        s += "<text class=\"y-label\" x=\"16\" y=\"\(yl)\" transform=\"rotate(-90 16 \(yl))\" text-anchor=\"middle\" font-size=\"13\" dominant-baseline=\"middle\">\(Self.escape(yLabel))</text>\n"

        // Data, clipped to the plot area.
        s += "<g clip-path=\"url(#plot-area)\">\n"
        for (k, ser) in series.enumerated() {
            let colour = Self.palette[k % Self.palette.count], dash = Self.dashes[(k / Self.palette.count) % Self.dashes.count]
            s += "<g class=\"series\" data-label=\"\(Self.escape(ser.label))\" data-x=\"\(Self.data(ser.x))\" data-y=\"\(Self.data(ser.y))\" stroke=\"\(colour)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")>\n"
            var run: [String] = []
            func flush() {
                if run.count == 1 {
                    let p = run[0].split(separator: ",")
                    s += "<circle cx=\"\(p[0])\" cy=\"\(p[1])\" r=\"2\" fill=\"\(colour)\" stroke=\"none\"/>\n"
                } else if run.count > 1 { s += "<polyline points=\"\(run.joined(separator: " "))\"/>\n" }
                run = []
            }
            for (x, y) in zip(ser.x, ser.y) {
                if xa.usable(x) && ya.usable(y) { run.append(Self.num(xa.map(x)) + "," + Self.num(ya.map(y))) } else { flush() }
            }
            flush()
            s += "</g>\n"
        }
        s += "</g>\n"
        // Markers are not clipped (a point at the end of the grid shows whole), but only drawn inside the range.
        for m in markers {
            let colour = Self.palette[m.series % Self.palette.count]
            s += "<g class=\"mc\" data-series=\"\(m.series)\" data-label=\"\(Self.escape(series.indices.contains(m.series) ? series[m.series].label : ""))\" data-x=\"\(Self.data(m.x))\" data-y=\"\(Self.data(m.y))\" data-half-width=\"\(Self.data(m.halfWidth))\" stroke=\"\(colour)\" stroke-width=\"1.5\">\n"
            let visible = { (v: Double, lo: Double, hi: Double) in v >= min(lo, hi) - 1e-9 * abs(hi - lo) && v <= max(lo, hi) + 1e-9 * abs(hi - lo) }
            for i in m.x.indices where xa.usable(m.x[i]) && ya.usable(m.y[i]) && visible(m.x[i], xLo, xHi) && visible(m.y[i], yLo, yHi) {
                let px = xa.map(m.x[i]), py = ya.map(m.y[i])
                let lo = m.y[i] - m.halfWidth[i], hi = m.y[i] + m.halfWidth[i]
                let pLo = ya.usable(lo) ? min(ya.map(lo), bottom) : bottom, pHi = ya.usable(hi) ? max(ya.map(hi), top) : py
                s += "<line x1=\"\(Self.num(px))\" y1=\"\(Self.num(pLo))\" x2=\"\(Self.num(px))\" y2=\"\(Self.num(pHi))\"/>"
                s += "<line x1=\"\(Self.num(px - 4))\" y1=\"\(Self.num(pLo))\" x2=\"\(Self.num(px + 4))\" y2=\"\(Self.num(pLo))\"/>"
                s += "<line x1=\"\(Self.num(px - 4))\" y1=\"\(Self.num(pHi))\" x2=\"\(Self.num(px + 4))\" y2=\"\(Self.num(pHi))\"/>"
                s += "<circle cx=\"\(Self.num(px))\" cy=\"\(Self.num(py))\" r=\"3.5\" fill=\"white\"/>\n"
            }
            s += "</g>\n"
        }
        if r.clippedBelow != nil {
            s += "<text class=\"note\" x=\"\(Self.num(right))\" y=\"\(Self.num(height - 8))\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">values below \(Self.escape(String(format: "%.0e", yLo))) not shown</text>\n"
        }

        // Legend, right of the plot area.
        if !legendEntries.isEmpty {
            let lx = right + 14
            s += "<g class=\"legend\">\n"
            for (k, label) in legendEntries.enumerated() {
                let ly = top + 8 + Double(k) * 20
                if k < series.count && !(series.count == 1 && series[0].label.isEmpty) {
                    let colour = Self.palette[k % Self.palette.count], dash = Self.dashes[(k / Self.palette.count) % Self.dashes.count]
                    s += "<line x1=\"\(Self.num(lx))\" y1=\"\(Self.num(ly))\" x2=\"\(Self.num(lx + 24))\" y2=\"\(Self.num(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
                } else {
                    s += "<line x1=\"\(Self.num(lx + 12))\" y1=\"\(Self.num(ly - 6))\" x2=\"\(Self.num(lx + 12))\" y2=\"\(Self.num(ly + 6))\" stroke=\"#333\" stroke-width=\"1.5\"/>"
                    s += "<circle cx=\"\(Self.num(lx + 12))\" cy=\"\(Self.num(ly))\" r=\"3.5\" fill=\"white\" stroke=\"#333\" stroke-width=\"1.5\"/>"
                }
                s += "<text x=\"\(Self.num(lx + 32))\" y=\"\(Self.num(ly + 4))\">\(Self.escape(label))</text>\n"
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// A decade's label: "0.01" … "1000" in plain digits, beyond as 10 with a superscript exponent.
    static func powerLabel(_ v: Double) -> (String, String?) {
        let k = Int(log10(v).rounded())
        if abs(log10(v) - Double(k)) > 1e-9 { return (String(format: "%g", v), nil) }     // 2 or 5 times a decade
        if k >= -2 && k <= 3 { return (formatNumber(pow(10, Double(k))), nil) }
        return ("10", "\(k)".replacingOccurrences(of: "-", with: "−"))
    }
}
