import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe an estimator: parameters, outputs, reference, validity.",
            usage: "workbench describe <estimator> [--format <format>] [--plugin-path <dir>]")
        @Argument(help: "Estimator name (see 'workbench list').", completion: .custom(Completion.estimators))
        var estimator: String
        @OptionGroup var plugins: PluginOptions
        @Option(help: "Output format: table or json.") var format: TextOrJSON = .table

        func run() throws {
            let registry = plugins.registry()
            for f in registry.failures { printError("plugin failed to load: \(f)") }
            guard let e = registry.estimator(named: estimator) else {
                var m = "unknown estimator '\(estimator)' (available: \(registry.estimators.map(\.name).sorted().joined(separator: ", ")))"
                if !registry.failures.isEmpty { m += "; some plugin files failed to load (above)" }
                throw WorkbenchError.badInput(m)
            }
            printOut(format == .json ? describeJSON(e) : describeText(e))
            if !registry.failures.isEmpty { throw ExitCode(WorkbenchError.Code.pluginLoadFailures.rawValue) }
        }

        func defaultText(_ p: ParameterInfo) -> String {
            if p.isRequired { return "required" }
            if p.isOptional { return "optional" }
            if p.isChoice, p.defaultValue >= 0, Int(p.defaultValue) < p.choices.count { return p.choices[Int(p.defaultValue)] }
            return formatTableNumber(p.defaultValue)
        }

        func describeText(_ e: LoadedEstimator) -> String {
            var s = "\(e.name) — \(e.summary)\nmodel: \(e.model)\nreference: \(e.reference)\n"
            s += "plugin: \(e.file.path) (sha256 \(e.file.sha256), \(e.toolchain))\n"
            if !e.notes.isEmpty { s += "\nvalidity: \(e.notes)\n" }
            let req = e.parameters.filter(\.isRequired).map { "<\($0.name)>" }.joined(separator: " ")
            s += "\nusage: workbench eval \(e.name) \(req) [--name value ...]\n\nparameters\n"
            let pw = e.parameters.map(\.name.count).max()! + 2
            // Unit columns as wide as the longest unit (a fixed width would cut "[mV/sqrt(ms)]").
            let uw = max(8, e.parameters.map { $0.unit.count + 3 }.max()!)
            let ouw = max(9, e.outputs.map { $0.unit.count + 3 }.max()!)
            // Default and range columns as wide as their longest entry (padding(toLength:) cuts longer text).
            let dw = max(20, e.parameters.map { "default: \(defaultText($0))".count + 1 }.max()!)
            let rw = max(28, e.parameters.map { "range: \(e.describeRange($0))".count }.max()!)
            for p in e.parameters {
                s += "  " + p.name.padding(toLength: pw, withPad: " ", startingAt: 0)
                s += "[\(p.unit)]".padding(toLength: uw, withPad: " ", startingAt: 0)
                s += "default: \(defaultText(p))".padding(toLength: dw, withPad: " ", startingAt: 0)
                s += "range: \(e.describeRange(p))".padding(toLength: rw, withPad: " ", startingAt: 0) + " "
                s += p.summary + "\n"
            }
            s += "\noutputs\n"
            let ow = e.outputs.map(\.name.count).max()! + 2
            for o in e.outputs {
                s += "  " + o.name.padding(toLength: ow, withPad: " ", startingAt: 0)
                s += "[\(o.unit)]".padding(toLength: ouw, withPad: " ", startingAt: 0) + o.summary
                if let obs = o.observable {
                    let err = o.modelErrorOutput.map { "per row in \(e.outputs[$0].name)" } ?? (o.modelError == 0 ? "exact" : "±\(formatTableNumber(o.modelError * 100)) %")
                    s += " (observable \(obs), model error \(err))"
                }
                s += "\n"
            }
            if !e.warnings.isEmpty { s += "\nwarnings it may raise\n" + e.warnings.map { "  - \($0)\n" }.joined() }
            return s
        }

        func describeJSON(_ e: LoadedEstimator) -> String {
            let params: [JSON] = e.parameters.map { p in
                .object([("name", .string(p.name)), ("unit", .string(p.unit)), ("summary", .string(p.summary)),
                         ("kind", .string(p.isRequired ? "required" : p.isOptional ? "optional" : "default")),
                         ("default", p.defaultValue.isNaN ? .null : .number(p.defaultValue)),
                         ("range", .string(e.describeRange(p))), ("min", .num(p.min)), ("max", .num(p.max)),
                         ("integer", .bool(p.isInteger)), ("choices", .array(p.choices.map(JSON.string))),
                         ("potential", .bool(p.isPotential))])
            }
            let outs: [JSON] = e.outputs.map { o in
                .object([("name", .string(o.name)), ("unit", .string(o.unit)), ("summary", .string(o.summary)),
                         ("observable", o.observable.map(JSON.string) ?? .null), ("model_error", .number(o.modelError)),
                         ("model_error_output", o.modelErrorOutput.map { .string(e.outputs[$0].name) } ?? .null),
                         ("potential", .bool(o.isPotential))])
            }
            return JSON.object([
                ("estimator", .string(e.name)), ("summary", .string(e.summary)), ("model", .string(e.model)),
                ("reference", .string(e.reference)), ("notes", .string(e.notes)),
                ("plugin", .object([("file", .string(e.file.path)), ("sha256", .string(e.file.sha256)), ("toolchain", .string(e.toolchain))])),
                ("parameters", .array(params)), ("outputs", .array(outs)), ("warnings", .array(e.warnings.map(JSON.string))),
            ]).render() + "\n"
        }
    }
}
