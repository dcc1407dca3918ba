// Renderers of an init plan (`workbench init`): table, JSON and CSV of what `NetworkInit.plan()` computed. The
// planner knows nothing of formats; these know nothing of the schemes' numerics.
import Foundation

public enum InitPlanRenderer {

    static func cell(_ v: Double, _ ln: Double) -> String {
        if v.isNaN { return "n/a" }
        if v > 0 || ln.isNaN { return formatSignificant(v, 6) }
        if ln == -.infinity { return "0 (collapsed)" }
        return "0 (ln \(formatSignificant(ln, 6)))"
    }

    public static func render(_ plan: NetworkInit.Plan, format: OutputFormat) -> String {
        let (scheme, widths) = (plan.scheme, plan.widths)
        let names = scheme == .varianceFlow ? ("micheli", "mean_u", "std_u") : (scheme.rawValue, "mean_u", "std_u")
        switch format {
        case .json:
            let layers: [JSON] = plan.layers.map { l in
                .object([("layer", .number(Double(l.index))), ("neurons", .number(Double(l.neurons))), ("fan_in", .number(Double(l.fanIn))),
                         ("mu_w", .num(l.muW)), ("sigma_w", .num(l.sigmaW)), ("mean_u", .num(l.meanU)), ("std_u", .num(l.stdU)),
                         (plan.activityName, .num(l.activity)), ("ln_" + plan.activityName, .num(l.lnActivity))] + l.extra.map { ($0.0, .num($0.1)) })
            }
            let comparison: [JSON] = plan.comparison.map { c in
                .object([("layer", .number(Double(c.layer))), (names.0, .num(c.scheme)), ("kaiming", .num(c.kaiming)), ("glorot", .num(c.glorot)),
                         ("ln_" + names.0, .num(c.lnScheme)), ("ln_kaiming", .num(c.lnKaiming)), ("ln_glorot", .num(c.lnGlorot))])
            }
            return JSON.object([("workbench_version", .string(workbenchVersion)), ("scheme", .string(scheme.rawValue)),
                                ("widths", .array(widths.map { .number(Double($0)) })), ("activity", .string(plan.activityName)),
                                ("setting", .array(plan.setting.map(JSON.string))), ("layers", .array(layers)), ("comparison", .array(comparison)),
                                ("verdict", .array(plan.verdict.map(JSON.string))), ("warnings", .array(plan.warnings.map(JSON.string)))]).render() + "\n"
        case .csv:
            let extraNames = plan.layers.first?.extra.map(\.0) ?? []
            var lines = [(["layer,neurons,fan_in,mu_w,sigma_w,mean_u,std_u,\(plan.activityName),ln_\(plan.activityName),kaiming_\(plan.activityName),glorot_\(plan.activityName)"] + extraNames).joined(separator: ",")]
            for (l, c) in zip(plan.layers, plan.comparison) {
                // Not applicable (NaN) is an empty cell, as in eval's CSV.
                lines.append(([String(l.index), String(l.neurons), String(l.fanIn), csvNumber(l.muW), csvNumber(l.sigmaW), csvNumber(l.meanU),
                               csvNumber(l.stdU), csvNumber(l.activity), csvNumber(l.lnActivity), csvNumber(c.kaiming),
                               csvNumber(c.glorot)] + l.extra.map { csvNumber($0.1) }).joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var s = "workbench init — scheme \(scheme.rawValue), layers \(widths.map(String.init).joined(separator: ","))\n"
            for line in plan.setting { s += line + "\n" }
            let activity = plan.activityName + (plan.activityUnit == "Hz" ? " [Hz]" : "")
            var rows = [["layer", "neurons", "fan-in", "mu_w", "sigma_w", names.1, names.2, activity] + (plan.layers.first?.extra.map(\.0) ?? [])]
            let number = { (v: Double) in v.isNaN ? "n/a" : formatSignificant(v, 6) }
            for l in plan.layers {
                rows.append([String(l.index), String(l.neurons), String(l.fanIn), number(l.muW), number(l.sigmaW),
                             number(l.meanU), number(l.stdU), Self.cell(l.activity, l.lnActivity)]
                            + l.extra.map { number($0.1) })
            }
            s += "\n" + renderTextTable(rows)
            s += "\nsame network, \(plan.activityName) per layer:\n"
            var cmp = [["layer", names.0, "kaiming", "glorot"]]
            for c in plan.comparison { cmp.append([String(c.layer), Self.cell(c.scheme, c.lnScheme), Self.cell(c.kaiming, c.lnKaiming), Self.cell(c.glorot, c.lnGlorot)]) }
            s += renderTextTable(cmp)
            if !plan.verdict.isEmpty { s += "\n" + plan.verdict.map { "verdict: " + $0 }.joined(separator: "\n") + "\n" }
            for w in plan.warnings { s += "warning: \(w)\n" }
            return s
        }
    }
}
