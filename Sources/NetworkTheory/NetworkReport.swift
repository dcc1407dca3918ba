// Table, JSON and CSV of a network analysis (one per sweep point with --grid).
import Foundation
import WorkbenchCore

public enum NetworkReport {
    public static func table(_ r: NetworkAnalysis, file: String) -> String {
        let net = r.network
        var s =
            "network \(net.name) (\(file)): \(net.count) populations, \(net.neurons) neurons, "
            + "\(formatSignificant(net.synapses, 4)) synapses\n"
        s +=
            "rate estimator \(r.rateEstimator)" + (r.responseEstimator.map { ", response estimator \($0)" } ?? "")
            + "\n"
        if r.points.isEmpty { s += "\nno self-consistent working point found\n" }
        for (k, p) in r.points.enumerated() {
            let wp = p.workingPoint
            s += "\nworking point \(k + 1) of \(r.points.count)"
            if let st = p.stability {
                s +=
                    st.stable
                    ? ": stable (least damped mode near \(formatSignificant(st.modeFrequency, 4)) Hz"
                        + (st.modeGrowthRate.isNaN
                            ? ")" : ", decay rate ~\(formatSignificant(-st.modeGrowthRate, 3))/s)")
                    : ": UNSTABLE, \(st.unstableModes) growing \(st.unstableModes == 1 ? "mode" : "modes"); "
                        + (st.modeFrequency == 0
                            ? "one grows without oscillating (det(1 - M(0)) < 0)"
                            : "oscillation near \(formatSignificant(st.modeFrequency, 4)) Hz"
                                + (st.modeGrowthRate.isNaN
                                    ? "" : ", growth rate ~\(formatSignificant(st.modeGrowthRate, 3))/s"))
            }
            s += "\n"
            for w in p.stability?.warningsAtMode ?? [] {
                s +=
                    "  caution: at \(formatSignificant(p.stability!.modeFrequency, 4)) Hz the response estimator "
                    + "warns: \(w)\n"
            }
            var rows = [["population", "neurons", "mu [mV]", "sigma [mV]", "rate [Hz]", "cv"]]
            for (a, pop) in net.populations.enumerated() {
                rows.append([
                    pop.name, String(pop.size), formatSignificant(wp.mu[a], 6), formatSignificant(wp.sigma[a], 6),
                    formatSignificant(wp.rates[a], 10), wp.cv[a].isNaN ? "n/a" : formatSignificant(wp.cv[a], 6),
                ])
            }
            s += renderTextTable(rows)
            if let sp = p.spectra {
                s +=
                    "population-rate power spectra [Hz]"
                    + (sp.poissonSingleNeuron ? " (Poisson single-neuron spectra)" : "")
                    + ":\n"
                var srows = [["f [Hz]"] + net.populations.map(\.name)]
                for (k, f) in sp.frequencies.enumerated() {
                    srows.append(
                        [formatSignificant(f, 6)]
                            + net.populations.indices.map { formatSignificant(sp.power[$0][k], 6) })
                }
                s += renderTextTable(srows)
            }
        }
        if let st = r.points.first?.stability {
            s +=
                st.sigma2Channel
                ? "effective connectivity: mu and sigma^2 channels\n"
                : "effective connectivity: the mu channel (as NNMT; --sigma2-channel adds the sigma^2 one)\n"
        }
        // The time is in the JSON (`seconds`): the table stays the same from run to run.
        return s
    }

    static func pointJSON(_ r: NetworkAnalysis, _ p: NetworkAnalysis.Point) -> JSON {
        let wp = p.workingPoint
        var fields: [(String, JSON)] = [
            (
                "populations",
                .array(
                    r.network.populations.enumerated().map { a, pop in
                        .object([
                            ("name", .string(pop.name)), ("neurons", .number(Double(pop.size))),
                            ("mu_mv", .num(wp.mu[a])),
                            ("sigma_mv", .num(wp.sigma[a])), ("rate_hz", .num(wp.rates[a])), ("cv", .num(wp.cv[a])),
                        ])
                    })
            ),
            ("residual", .num(wp.residual)),
        ]
        if let st = p.stability {
            fields.append(
                (
                    "stability",
                    .object([
                        ("stable", .bool(st.stable)), ("unstable_modes", .number(Double(st.unstableModes))),
                        ("mode_frequency_hz", .num(st.modeFrequency)),
                        ("mode_growth_rate_per_s", .num(st.modeGrowthRate)),
                        ("sigma2_channel", .bool(st.sigma2Channel)),
                        ("warnings_at_mode", .array(st.warningsAtMode.map(JSON.string))),
                        ("frequencies_evaluated", .number(Double(st.frequenciesEvaluated))),
                    ])
                ))
        }
        if let sp = p.spectra {
            fields.append(
                (
                    "spectra",
                    .object([
                        ("frequencies_hz", .array(sp.frequencies.map(JSON.num))),
                        ("poisson_single_neuron", .bool(sp.poissonSingleNeuron)),
                        (
                            "power_hz",
                            .object(
                                r.network.populations.enumerated().map { a, pop in
                                    (pop.name, .array(sp.power[a].map(JSON.num)))
                                })
                        ),
                    ])
                ))
        }
        return .object(fields)
    }

    public static func json(_ runs: [(values: [(String, String)], analysis: NetworkAnalysis)], file: String) -> String {
        let first = runs[0].analysis
        let items: [JSON] = runs.map { run in
            .object([
                ("set", .object(run.values.map { ($0.0, JSON.string($0.1)) })),
                ("working_points", .array(run.analysis.points.map { pointJSON(run.analysis, $0) })),
            ])
        }
        var top: [(String, JSON)] = [
            ("workbench_version", .string(workbenchVersion)), ("file", .string(file)),
            ("network", .string(first.network.name)),
            ("rate_estimator", .string(first.rateEstimator)),
            ("response_estimator", first.responseEstimator.map(JSON.string) ?? .null),
        ]
        if runs.count == 1 && runs[0].values.isEmpty {
            top.append(("working_points", .array(first.points.map { pointJSON(first, $0) })))
        } else {
            top.append(("sweep", .array(items)))
        }
        top.append(("seconds", .number(runs.reduce(0) { $0 + $1.analysis.seconds })))
        return JSON.object(top).render() + "\n"
    }

    /// One row per (sweep point, working point, population).
    public static func csv(_ runs: [(values: [(String, String)], analysis: NetworkAnalysis)]) -> String {
        let keys = runs.first?.values.map(\.0) ?? []
        var lines = [
            (keys.map(CSV.escape) + [
                "working_point", "population", "mu_mv", "sigma_mv", "rate_hz", "cv", "stable",
                "unstable_modes", "mode_frequency_hz", "mode_growth_rate_per_s",
            ]).joined(separator: ",")
        ]
        for run in runs {
            let prefix = run.values.map { CSV.escape($0.1) }
            if run.analysis.points.isEmpty {
                lines.append((prefix + ["", "", "", "", "", "", "", "", "", ""]).joined(separator: ","))
            }
            for (k, p) in run.analysis.points.enumerated() {
                let wp = p.workingPoint, st = p.stability
                for (a, pop) in run.analysis.network.populations.enumerated() {
                    lines.append(
                        (prefix + [
                            String(k + 1), CSV.escape(pop.name), csvNumber(wp.mu[a]), csvNumber(wp.sigma[a]),
                            csvNumber(wp.rates[a]), csvNumber(wp.cv[a]),
                            st.map { $0.stable ? "true" : "false" } ?? "",
                            st.map { String($0.unstableModes) } ?? "", st.map { csvNumber($0.modeFrequency) } ?? "",
                            st.map { csvNumber($0.modeGrowthRate) } ?? "",
                        ]).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
