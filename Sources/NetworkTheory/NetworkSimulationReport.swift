// `workbench simulate network FILE`: the run options of the network simulator from the command's words, and its
// report as table, JSON or CSV.
import Foundation
import MonteCarlo
import WorkbenchCore

public enum NetworkRun {
    /// --time, --dt, --burn-in (units allowed), --seed, --threads, --segments as the commands give them.
    public static func options(_ extra: [String: String], spectrum: String?) throws -> NetworkSimulationOptions {
        var o = NetworkSimulationOptions()
        if let t = extra["time"] { o.time = try Quantity.parse(t, unit: "ms", name: "time") }
        if let t = extra["dt"] { o.dt = try Quantity.parse(t, unit: "ms", name: "dt") }
        if let t = extra["burn_in"] { o.burnIn = try Quantity.parse(t, unit: "ms", name: "burn_in") }
        if let s = extra["seed"] { o.seed = try ModelRunRequest.seedOption(s) }
        if let s = extra["threads"] { o.threads = try ModelRunRequest.threadsOption(s, maximum: 256) }
        if let s = extra["segments"] {
            guard let n = Int(s), n >= 2, n <= 64 else {
                throw WorkbenchError.badInput("option 'segments' = '\(s)' is out of range (valid: 2 to 64)")
            }
            o.segments = n
        }
        for name in ["neurons", "samples", "scheme", "density", "modulate", "spikes"] where extra[name] != nil {
            throw WorkbenchError.badInput(
                "option '\(name)' does not apply to a network (its options: time, dt, burn-in, seed, threads, "
                    + "segments, spectrum, set)")
        }
        if let spectrum { o.spectrumFrequencies = try frequencies(spectrum) }
        return o
    }

    /// --spectrum's frequencies [Hz] (f1,f2,... or a:b:step / a:b:logN), at most `limit` of them (a simulation's
    /// must also lie in (0, 1/(2 dt)], checked by `simulate`).
    public static func frequencies(_ text: String, limit: Int = 10_000) throws -> [Double] {
        let values = try Evaluator.gridValues(text, name: "--spectrum") {
            try Quantity.parse($0, unit: "Hz", name: "--spectrum")
        }
        guard values.count <= limit else {
            throw WorkbenchError.badInput("--spectrum '\(text)': more than \(limit) values")
        }
        return values.map { Double($0) ?? .nan }
    }

    public static func simulate(_ model: NetworkModel, _ options: NetworkSimulationOptions) throws
        -> NetworkSimulationResult
    {
        if let f = options.spectrumFrequencies.first(where: { !($0 > 0 && $0 <= 500 / options.dt) }) {
            throw WorkbenchError.badInput(
                "--spectrum: \(formatNumber(f)) Hz is outside (0, \(formatNumber(500 / options.dt))] Hz, "
                    + "the Nyquist range of dt = \(formatNumber(options.dt)) ms")
        }
        do { return try NetworkSimulator.run(model.simulationSpec, options) } catch let e as NetworkSimulator.Failure {
            throw WorkbenchError.badInput(e.description)
        }
    }
}

public enum NetworkSimulationReport {
    static func header(_ r: NetworkSimulationResult, _ model: NetworkModel) -> String {
        let o = r.options
        return "network \(model.name): \(model.neurons) neurons, \(r.synapses) synapses; "
            + "\(formatNumber(o.time)) ms after a \(formatNumber(o.burnIn)) ms burn-in, dt = \(formatNumber(o.dt)) ms, "
            + "seed \(o.seed)\n"
    }

    /// The speed line (stderr in tables, so that a notebook's text stays exact).
    public static func speed(_ r: NetworkSimulationResult) -> String {
        String(
            format: "%.3g neuron-steps and %.3g synaptic events in %.2f s on %d threads: %.3g neuron-steps/s, "
                + "%.3g events/s (set-up %.2f s)",
            r.neuronSteps, r.synapticEvents, r.runSeconds, r.threads,
            r.neuronSteps / r.runSeconds, r.synapticEvents / r.runSeconds, r.setupSeconds)
    }

    public static func table(_ r: NetworkSimulationResult, _ model: NetworkModel) -> String {
        var s = header(r, model)
        let rows = r.populations.map { p in
            [p.name, String(p.size), p.rate.text, p.cv.text, p.meanV.text]
        }
        s += renderTextTable([["population", "N", "rate [Hz]", "CV", "mean V [mV]"]] + rows)
        if !r.options.spectrumFrequencies.isEmpty {
            s += "\npopulation-rate power spectra [Hz] (two-sided; rate/N for Poisson)\n"
            let rows = r.options.spectrumFrequencies.enumerated().map { k, f in
                [formatNumber(f)] + r.populations.map { $0.spectrum[k].text }
            }
            s += renderTextTable([["f [Hz]"] + r.populations.map(\.name)] + rows)
            let peaks = r.populations.compactMap { p in
                peak(p, r.options.spectrumFrequencies).map {
                    "\(p.name) \(formatSignificant($0.ratio, 3)) at \(formatNumber($0.f)) Hz"
                }
            }
            if !peaks.isEmpty { s += "  peak/(rate/N): " + peaks.joined(separator: ", ") + "\n" }
        }
        return s
    }

    static func estimateJSON(_ e: Estimate) -> JSON {
        .object([("value", JSON.num(e.value)), ("se", JSON.num(e.standardError))])
    }

    /// One run's JSON object; a sweep's runs each carry their "set" values.
    public static func json(_ r: NetworkSimulationResult, _ model: NetworkModel, file: String) -> String {
        jsonValue(r, model, file: file).render() + "\n"
    }

    /// A sweep (--grid): an array of the runs' objects, each with the grid's values under "set".
    public static func sweepJSON(_ runs: [(values: [(String, String)], result: NetworkSimulationResult,
                                           network: NetworkModel)], file: String) -> String {
        JSON.array(runs.map { run in
            guard case .object(let fields) = jsonValue(run.result, run.network, file: file) else { return .null }
            return .object([("set", .object(run.values.map { ($0.0, JSON.string($0.1)) }))] + fields)
        }).render() + "\n"
    }

    static func jsonValue(_ r: NetworkSimulationResult, _ model: NetworkModel, file: String) -> JSON {
        let o = r.options
        let pops: [JSON] = r.populations.map { p in
            var fields: [(String, JSON)] = [
                ("name", .string(p.name)), ("neurons", .number(Double(p.size))),
                ("rate_hz", estimateJSON(p.rate)), ("cv", estimateJSON(p.cv)), ("mean_v_mv", estimateJSON(p.meanV)),
                ("spikes", .number(Double(p.spikes))), ("isis", .number(Double(p.isis))),
            ]
            if !o.spectrumFrequencies.isEmpty { fields.append(("spectrum_hz", .array(p.spectrum.map(estimateJSON)))) }
            return .object(fields)
        }
        var top: [(String, JSON)] = [
            ("workbench_version", .string(workbenchVersion)), ("file", .string(file)),
            ("network", .string(model.name)), ("neurons", .number(Double(model.neurons))),
            ("synapses", .number(Double(r.synapses))), ("time_ms", .number(o.time)), ("burn_in_ms", .number(o.burnIn)),
            ("dt_ms", .number(o.dt)), ("seed", .string(String(o.seed))), ("threads", .number(Double(r.threads))),
            ("segments", .number(Double(o.segments))),
        ]
        if !o.spectrumFrequencies.isEmpty {
            top.append(("frequencies_hz", .array(o.spectrumFrequencies.map { .number($0) })))
        }
        top += [
            ("populations", .array(pops)),
            ("neuron_steps", .number(r.neuronSteps)), ("synaptic_events", .number(r.synapticEvents)),
            ("run_seconds", .number(r.runSeconds)), ("setup_seconds", .number(r.setupSeconds)),
            ("neuron_steps_per_second", .number(r.neuronSteps / r.runSeconds)),
            ("synaptic_events_per_second", .number(r.synapticEvents / r.runSeconds)),
        ]
        return JSON.object(top)
    }

    /// The largest spectrum value over rate/N (the asynchronous level) and its frequency; nil without spectra.
    public static func peak(_ p: NetworkSimulationResult.Population, _ freqs: [Double]) -> (f: Double, ratio: Double)? {
        guard p.rate.value > 0, let k = p.spectrum.indices.max(by: { p.spectrum[$0].value < p.spectrum[$1].value })
        else { return nil }   // a silent population has no asynchronous level
        return (freqs[k], p.spectrum[k].value * Double(p.size) / p.rate.value)
    }

    /// A sweep (--grid): one row per point and population with the grid's values first; with --spectrum, the
    /// spectrum's peak instead of the whole spectrum.
    public static func sweepCSV(_ runs: [(values: [(String, String)], result: NetworkSimulationResult)]) -> String {
        let keys = runs.first?.values.map(\.0) ?? []
        let spectra = !(runs.first?.result.options.spectrumFrequencies.isEmpty ?? true)
        let columns = ["population", "rate_hz", "rate_se", "cv", "cv_se", "mean_v_mv", "mean_v_se"]
            + (spectra ? ["peak_hz", "peak_over_rate_per_n"] : [])
        var lines = [(keys.map(CSV.escape) + columns).joined(separator: ",")]
        for run in runs {
            for p in run.result.populations {
                var row = run.values.map { CSV.escape($0.1) } + [CSV.escape(p.name)]
                for e in [p.rate, p.cv, p.meanV] { row += [csvNumber(e.value), csvNumber(e.standardError)] }
                if spectra {
                    let pk = peak(p, run.result.options.spectrumFrequencies)
                    row += [pk.map { csvNumber($0.f) } ?? "", pk.map { csvNumber($0.ratio) } ?? ""]
                }
                lines.append(row.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per population and quantity (rate_hz, cv, mean_v_mv, then spectrum_hz per frequency).
    public static func csv(_ r: NetworkSimulationResult) -> String {
        var s = "population,quantity,f_hz,value,se\n"
        for p in r.populations {
            for (q, e) in [("rate_hz", p.rate), ("cv", p.cv), ("mean_v_mv", p.meanV)] {
                s += "\(p.name),\(q),,\(csvNumber(e.value)),\(csvNumber(e.standardError))\n"
            }
            for (k, f) in r.options.spectrumFrequencies.enumerated() {
                s += "\(p.name),spectrum_hz,\(csvNumber(f)),\(csvNumber(p.spectrum[k].value)),"
                    + "\(csvNumber(p.spectrum[k].standardError))\n"
            }
        }
        return s
    }
}
