// `workbench plot`: the SVG is well-formed XML whose embedded data equal `eval --grid` at the same grid,
// with labelled axes, nice ticks, decades on log axes, Monte-Carlo points, and exit 2 on bad input.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WorkbenchCore

/// Every element of an SVG with its attributes and text, in document order.
private final class SVGElements: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []

    static func parse(_ text: String) throws -> [Element] {
        let parser = XMLParser(data: Data(text.utf8))
        let d = SVGElements()
        parser.delegate = d
        let ok = parser.parse()
        try #require(ok, "SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        return d.elements
    }
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { open.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) { for i in open { elements[i].text += string } }
}

private func numbers(_ s: String?) -> [Double] { (s ?? "").split(separator: " ").map { Double(String($0)) ?? .nan } }

/// Runs `workbench plot` in a fresh directory; returns the result, the SVG's elements and the directory.
private func plot(_ args: [String], file: String = "plot.svg") throws -> (ProcessResult, [SVGElements.Element]) {
    let dir = try temporaryDirectory("plot")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var env = ProcessInfo.processInfo.environment
    env["WORKBENCH_PLUGIN_PATH"] = nil
    let r = try runProcess(buildDirectory + "/workbench", ["plot"] + args, environment: env, directory: dir)
    guard let svg = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8) else { return (r, []) }
    return (r, try SVGElements.parse(svg))
}

/// A 1-2-5 step: m·10^k with m in {1, 2, 5}.
private func isNiceStep(_ step: Double) -> Bool {
    let k = log10(step).rounded(.down), m = step / pow(10, k)
    return [1.0, 2, 5, 10].contains { abs(m - $0) < 1e-9 }
}

@Suite struct PlotTests {
    @Test func svgDataEqualEvalAtTheSameGridWithOneSeriesPerValueOfTheOtherGrids() throws {
        let grid = ["--grid", "mu=-10:40:0.5", "--grid", "sigma=2,5,10"]
        let (r, svg) = try plot(["siegert", "rate_hz"] + grid + ["-o", "plot.svg"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote plot.svg (3 series, 303 points)\n")
        let series = svg.filter { $0.attributes["class"] == "series" }
        #expect(series.map { $0.attributes["data-label"] } == ["sigma = 2 mV", "sigma = 5 mV", "sigma = 10 mV"])
        let legend = try #require(svg.first { $0.attributes["class"] == "legend" })
        for l in ["sigma = 2 mV", "sigma = 5 mV", "sigma = 10 mV"] { #expect(legend.text.contains(l)) }
        #expect(svg.first { $0.attributes["class"] == "x-label" }?.text == "mu [mV]")
        #expect(svg.first { $0.attributes["class"] == "y-label" }?.text == "rate_hz [Hz]")
        #expect(svg.first { $0.name == "desc" }?.text.contains("workbench plot siegert rate_hz --grid mu=-10:40:0.5") == true)
        #expect(svg.first { $0.name == "title" }?.text == "siegert: rate_hz vs mu")

        // The same grid through eval: CSV rows in grid order (mu slowest), rate_hz as formatNumber.
        let eval = try workbench(["eval", "siegert", "--outputs", "rate_hz", "--format", "csv"] + grid)
        #expect(eval.code == 0)
        var lines = eval.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        let (muCol, rateCol) = (header.firstIndex(of: "mu")!, header.firstIndex(of: "rate_hz")!)
        #expect(lines.count == 303)
        for (s, e) in series.enumerated() {
            let xs = e.attributes["data-x"]!.split(separator: " ").map(String.init)
            let ys = e.attributes["data-y"]!.split(separator: " ").map(String.init)
            #expect(xs.count == 101 && ys.count == 101, "points per series")
            for i in 0..<101 {
                let row = lines[i * 3 + s]
                #expect(xs[i] == row[muCol] && ys[i] == row[rateCol], "series \(s) point \(i): \(xs[i]), \(ys[i]) vs \(row)")
            }
            // One unbroken line through 101 finite points.
            let polylines = svg.filter { $0.name == "polyline" && $0.attributes["points"] != nil }
            #expect(polylines.count == 3)
        }

        // Nice linear ticks: equal 1-2-5 steps, covering the data (y) and inside the grid's range (x).
        for axis in ["x-ticks", "y-ticks"] {
            let g = try #require(svg.first { $0.attributes["class"] == axis })
            let t = numbers(g.attributes["data-ticks"])
            #expect(t.count >= 4 && t.count <= 12, "\(axis): \(t)")
            let steps = zip(t.dropFirst(), t).map { $0 - $1 }
            #expect(steps.allSatisfy { $0 > 0 && abs($0 - steps[0]) < 1e-9 * abs(steps[0]) }, "\(axis) monotone, equal steps: \(t)")
            #expect(isNiceStep(steps[0]), "\(axis) step \(steps[0])")
            #expect(t.allSatisfy { abs($0 / steps[0] - ($0 / steps[0]).rounded()) < 1e-9 }, "\(axis) ticks are multiples of the step")
        }
        let y = numbers(svg.first { $0.attributes["class"] == "y-ticks" }!.attributes["data-ticks"])
        #expect(y.first! <= 0 && y.first! > -20 && y.last! >= 104.5, "y range covers [0, 104.6] without a spare tick below 0: \(y)")
        #expect(numbers(svg.first { $0.attributes["class"] == "x-ticks" }!.attributes["data-range"]) == [-10, 40])
    }

    @Test func logAxisTicksAreDecadesAndTheUnderflowRegionIsClipped() throws {
        let (r, svg) = try plot(["siegert", "rate_hz", "--grid", "mu=-10:40:0.5", "--grid", "sigma=2,5,10", "--log-y", "-o", "plot.svg"])
        #expect(r.code == 0, "\(r.stderr)")
        let g = try #require(svg.first { $0.attributes["class"] == "y-ticks" })
        let ticks = numbers(g.attributes["data-ticks"])
        #expect(ticks.count >= 3 && ticks.count <= 10, "\(ticks)")
        for t in ticks { #expect(abs(log10(t) - log10(t).rounded()) < 1e-12, "log tick \(t) is a power of 10") }
        #expect(zip(ticks.dropFirst(), ticks).allSatisfy { $0 > $1 })
        let range = numbers(g.attributes["data-range"])
        #expect(range == [1e-10, 1000], "12 decades below the maximum (104.6 Hz), widened to decades: \(range)")
        #expect(svg.contains { $0.attributes["class"] == "note" && $0.text.contains("below 1e-10") })
        // The data are all there (the sigma = 2 mV rate at mu = -10 mV is ~1e-98 Hz, still positive).
        let first = try #require(svg.first { $0.attributes["class"] == "series" })
        #expect(numbers(first.attributes["data-y"]).allSatisfy { $0 > 0 })
    }

    @Test func nonPositiveValuesOnALogAxisAreLeftOutOrRejectedWhenNoneRemain() throws {
        // y_theta = (20 - mu)/5: positive below mu = 20, zero at 20, negative above.
        let (r, svg) = try plot(["siegert", "y_theta", "5", "--grid", "mu=10:30:1", "--log-y", "-o", "plot.svg"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote plot.svg (1 series, 10 points)\n")
        #expect(r.stderr.contains("11 values of y_theta are ≤ 0 and left out on the log y axis"), "\(r.stderr)")
        let series = try #require(svg.first { $0.attributes["class"] == "series" })
        #expect(numbers(series.attributes["data-y"]).count == 21, "the data keep every grid point")
        #expect(series.attributes["data-label"] == "")
        #expect(!svg.contains { $0.attributes["class"] == "legend" }, "one series: no legend")

        let (none, _) = try plot(["siegert", "y_reset", "5", "--grid", "mu=11:30:1", "--log-y", "-o", "plot.svg"])
        #expect(none.code == 2)
        #expect(none.stderr.contains("no positive value of y_reset [1]") || none.stderr.contains("no positive value of y_reset"), "\(none.stderr)")
    }

    @Test func badInputExitsTwoNamingTheProblem() throws {
        let cases: [([String], String)] = [
            (["siegert", "rate", "--grid", "mu=0:10:1"], "unknown output 'rate' for siegert"),
            (["siegert", "--grid", "mu=0:10:1"], "Missing expected argument '<output>'"),
            (["siegert", "rate_hz", "5"], "plot needs at least one --grid"),
            (["siegert", "ln_rate_hz", "5", "--grid", "mu=0:10:1", "--mc"], "output 'ln_rate_hz' of siegert declares no Monte-Carlo observable"),
            (["siegert", "rate_hz", "5", "--grid", "mu=0:10:1", "--seed", "3"], "applies with --mc only"),
            (["siegert", "rate_hz", "5", "--grid", "mu=0:10:1", "--format", "csv"], "--format does not apply to plot"),
            (["siegert", "rate_hz", "15", "5", "--grid", "tau_m=0:10:1"], "parameter 'tau_m'"),
            (["no-such", "rate_hz", "--grid", "mu=0:10:1"], "unknown estimator 'no-such'"),
            (["siegert", "rate_hz", "5", "--grid", "mu=0:10:1", "--width", "50"], "plot size 50x480 is out of range"),
        ]
        for (args, message) in cases {
            let (r, _) = try plot(args)
            #expect(r.code == 2, "\(args): exit \(r.code)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    @Test func defaultFileNameAndFailedGridPointsBreakTheLine() throws {
        // theta ≤ v_reset = 10 mV is bad input: those points fail (exit 2, as eval --grid), the rest is drawn.
        let (r, svg) = try plot(["siegert", "rate_hz", "15", "5", "--grid", "theta=5:30:1", "--grid", "tau_ref=0,2"], file: "siegert-rate_hz.svg")
        #expect(r.code == 2)
        #expect(r.stdout == "wrote siegert-rate_hz.svg (2 series, 40 points)\n")
        #expect(r.stderr.contains("error: 12 of 52 grid points failed, e.g. at theta = 5, tau_ref = 0: parameter 'v_reset'"), "\(r.stderr)")
        let series = svg.filter { $0.attributes["class"] == "series" }
        #expect(series.map { $0.attributes["data-label"] } == ["tau_ref = 0 ms", "tau_ref = 2 ms"])
        let y = numbers(series[0].attributes["data-y"])
        #expect(y.count == 26 && y.prefix(6).allSatisfy(\.isNaN) && y.dropFirst(6).allSatisfy(\.isFinite), "\(y)")
        #expect(svg.filter { $0.name == "polyline" }.count == 2)

        // Zeros on a log axis: the density above theta is 0, so each line stops at theta.
        let (d, _) = try plot(["siegert", "density_per_mv", "15", "5", "--grid", "v=0:25:1", "--grid", "theta=20,22", "--log-y", "-o", "plot.svg"])
        #expect(d.code == 0, "\(d.stderr)")
        #expect(d.stdout == "wrote plot.svg (2 series, 42 points)\n")
        #expect(d.stderr.contains("10 values of density_per_mv are ≤ 0"), "\(d.stderr)")
    }

    @Test func monteCarloPointsComeFromValidateWithTwoStandardErrorBars() throws {
        let (r, svg) = try plot(["siegert", "rate_hz", "--grid", "mu=12:24:1", "--grid", "sigma=5", "--mc", "--mc-points", "3",
                                 "--neurons", "400", "--seed", "5", "-o", "plot.svg"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote plot.svg (1 series, 13 points, 3 Monte-Carlo points)\n")
        let mc = try #require(svg.first { $0.attributes["class"] == "mc" })
        let x = numbers(mc.attributes["data-x"]), y = numbers(mc.attributes["data-y"]), h = numbers(mc.attributes["data-half-width"])
        #expect(x == [12, 18, 24], "evenly chosen over the grid")
        // The same numbers as validate at one of the points (same seed, sizes and precision).
        let v = try workbench(["validate", "siegert", "--mu", "18", "--sigma", "5", "--neurons", "400", "--seed", "5", "--precision", "0.02", "--format", "json"])
        let j = try #require(JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as? [String: Any])
        let q = try #require((j["quantities"] as? [[String: Any]])?.first { $0["quantity"] as? String == "rate_hz" })
        #expect(y[1] == q["mc"] as? Double && h[1] == 2 * (q["mc_se"] as! Double), "\(y) \(h) vs \(q)")
        // And they agree with the estimator curve within the validate rule's spirit.
        let series = try #require(svg.first { $0.attributes["class"] == "series" })
        let curve = numbers(series.attributes["data-y"])
        for (k, i) in [0, 6, 12].enumerated() { #expect(abs(y[k] - curve[i]) <= 2.5 * h[k] + 0.01 * curve[i], "point \(k)") }
        #expect(svg.first { $0.attributes["class"] == "legend" }?.text.contains("Monte Carlo ± 2 SE") == true)
        #expect(r.stderr.contains("mc 3/3"))
    }

    @Test func textIsEscapedAndLinesBreakAtMissingValues() throws {
        var p = SVGPlot(title: #"a < b & "c" 'd'"#, description: "workbench plot x --title '<&>'", xLabel: "x [mV]", yLabel: "y [1/mV^2]")
        p.series = [SVGPlot.Series(label: "k = <1>", x: [1, 2, 3, 4, 5, 6], y: [1, 2, .nan, 4, 5, .nan])]
        p.markers = [SVGPlot.Markers(series: 0, x: [2, 5], y: [2.1, 1e9], halfWidth: [0.2, 1])]
        p.yMax = 10
        let svg = try SVGElements.parse(try p.render())
        #expect(svg.first { $0.name == "title" }?.text == #"a < b & "c" 'd'"#)
        #expect(svg.first { $0.name == "desc" }?.text == "workbench plot x --title '<&>'")
        #expect(svg.filter { $0.name == "polyline" }.map { $0.attributes["points"]!.split(separator: " ").count } == [2, 2])
        let mc = try #require(svg.first { $0.attributes["class"] == "mc" })
        #expect(numbers(mc.attributes["data-y"]) == [2.1, 1e9], "the data keep every point")
        #expect(svg.filter { $0.name == "circle" && $0.attributes["r"] == "3.5" }.count == 2, "one marker drawn (the other is off the y range) + the legend's")
    }

    @Test func niceTicksUnit() {
        for (lo, hi) in [(0.0, 1.0), (-10, 40), (0.013, 0.0171), (-3e-7, 5e-7), (1, 1), (123456, 987654), (-250, -0.5)] {
            let t = SVGPlot.Ticks.linear(lo, hi)
            #expect(t.ticks.first! <= lo && t.ticks.last! >= hi, "covers [\(lo), \(hi)]: \(t.ticks)")
            #expect(isNiceStep(t.step) && t.ticks.count >= 3 && t.ticks.count <= 13, "\(lo)...\(hi): \(t.ticks)")
        }
        let d = SVGPlot.Ticks.decades(3e-300, 50, target: 8)
        #expect(d.low == 1e-300 && d.high == 100 && d.labelled.count <= 9)
        #expect(d.labelled.allSatisfy { abs(log10($0) - log10($0).rounded()) < 1e-9 })
        #expect(SVGPlot.Ticks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(SVGPlot.Ticks.label(-20, step: 10) == "-20")
    }
}
