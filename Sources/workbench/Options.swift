// Declared options shared by the commands, and the shell completions that ask the plugins.
//
// A command declares its fixed options with @Option/@Flag (their help is their own) and takes the estimator's
// or model's parameters, which depend on the plugin, as one `.allUnrecognized` argument: ArgumentParser leaves
// every word it does not know there, in the order typed, and `EvalArguments(estimator:parameterWords:)` parses
// them against the estimator. Options whose value may start with '-' (potentials, density ranges) use
// `.unconditional`, so `--v-rest -65` reads -65 as the value.
import ArgumentParser
import Foundation
import MonteCarlo
import WorkbenchCore

extension OutputFormat: ExpressibleByArgument {}

/// --format for eval, simulate and validate (eval's batches default to csv).
struct FormatOption: ParsableArguments {
    @Option(help: "Output format (default: table; csv for eval batches).")
    var format: OutputFormat?
}

/// The potential and noise conventions (THEORY §0.2) of the LIF estimators and models.
struct ConventionOptions: ParsableArguments {
    @Option(name: .customLong("v-rest"), parsing: .unconditional,
            help: ArgumentHelp("Resting potential: theta, v_reset, v are absolute and outputs are reported absolute.",
                               valueName: "mV"))
    var vRest: String?

    @Option(name: .customLong("sigma-free"), parsing: .unconditional,
            help: ArgumentHelp("Free-membrane std instead of sigma (sigma = sqrt(2) x it).", valueName: "mV"))
    var sigmaFree: String?

    func apply(to args: inout EvalArguments) {
        args.vRest = vRest
        args.sigmaFree = sigmaFree
    }
}

/// The Monte-Carlo run options of simulate, validate and plot --mc (by snake_case name into `EvalArguments.extra`).
struct RunSizeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Neurons simulated (LIF models; default 4000, at least 160).", valueName: "N"))
    var neurons: String?
    @Option(help: ArgumentHelp("Samples (walks, paths, layers).", valueName: "N"))
    var samples: String?
    @Option(help: ArgumentHelp("Statistics window after the burn-in (default 2000 ms).", valueName: "ms"))
    var time: String?
    @Option(help: ArgumentHelp("Time step (default 0.1 ms; tau_s/100 for lif-colored).", valueName: "ms"))
    var dt: String?
    @Option(name: .customLong("burn-in"), help: ArgumentHelp("Discarded start (default max(500 ms, 10 tau_m)).",
                                                             valueName: "ms"))
    var burnIn: String?
    @Option(help: ArgumentHelp("Threshold check: bridge (default) or naive.", valueName: "scheme"),
            completion: .list(["bridge", "naive"]))
    var scheme: String?
    @Option(help: ArgumentHelp("RNG seed (default 1): a run is a pure function of parameters and seed.",
                               valueName: "S"))
    var seed: String?
    @Option(help: ArgumentHelp("Threads (default: all cores); results do not depend on it.", valueName: "N"))
    var threads: String?

    var extra: [String: String] {
        var e = [String: String]()
        for (name, value) in [("neurons", neurons), ("samples", samples), ("time", time), ("dt", dt),
                              ("burn_in", burnIn), ("scheme", scheme), ("seed", seed), ("threads", threads)] {
            if let value { e[name] = value }
        }
        return e
    }
}

/// What the LIF simulators record besides rate and ISIs (simulate and validate).
struct RecordingOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: ArgumentHelp("The non-refractory membrane density on n bins over [a, b].", valueName: "a:b:n"))
    var density: String?
    @Option(help: ArgumentHelp("""
        lif-white/lif-colored: mu + EPS cos(2 pi F t), or sigma2:EPS:F for sigma^2 (EPS in mV or mV^2, F in Hz); \
        adds the response (validate: F is the estimator's f, and the default is mu).
        """, valueName: "mu:EPS:F"))
    var modulate: String?
    @Option(help: ArgumentHelp("lif-white/lif-colored: spike-train power spectrum at these frequencies.",
                               valueName: "Hz,Hz,..."))
    var spectrum: String?

    var extra: [String: String] {
        var e = [String: String]()
        for (name, value) in [("density", density), ("modulate", modulate), ("spectrum", spectrum)] {
            if let value { e[name] = value }
        }
        return e
    }
}

/// Shell completion that asks the plugins: estimator and model names, an estimator's `--parameter` options and
/// its output names. Each function gets the words typed so far (ArgumentParser's custom completion).
enum Completion {
    static let commands: Set<String> = ["eval", "validate", "plot", "atlas", "simulate", "describe"]

    /// The registry the command line would load (its --plugin-path options first).
    static func registry(_ words: [String]) -> PluginRegistry {
        var paths: [String] = []
        for (i, w) in words.enumerated() {
            if w == "--plugin-path", i + 1 < words.count { paths.append(words[i + 1]) }
            if w.hasPrefix("--plugin-path=") { paths.append(String(w.dropFirst("--plugin-path=".count))) }
        }
        return PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: paths))
    }

    /// The first word after the subcommand that is not an option: the estimator or model named.
    static func subject(_ words: [String]) -> String? {
        guard let c = words.firstIndex(where: commands.contains) else { return nil }
        var i = c + 1
        while i < words.count {
            if words[i] == "--plugin-path" { i += 2; continue }
            if !words[i].hasPrefix("-") { return words[i] }
            i += 1
        }
        return nil
    }

    static func estimators(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        registry(words).estimators.map(\.name).sorted().filter { $0.hasPrefix(prefix) }
    }

    static func models(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        (ModelSimulators.allNames + ["network"]).filter { $0.hasPrefix(prefix) }
    }

    /// `--name` of every parameter of the estimator (or model, for simulate) named on the line.
    static func parameters(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let name = subject(words) else { return [] }
        let names: [String]
        if words.contains("simulate") {
            names = ModelSimulators.named(name)?.parameters.map(\.name) ?? []
        } else {
            names = registry(words).estimator(named: name)?.parameters.map(\.name) ?? []
        }
        return names.map { "--" + $0.replacingOccurrences(of: "_", with: "-") }.filter { $0.hasPrefix(prefix) }
    }

    /// Output names of the estimator on the line; after a comma (--outputs a,b) the list so far is kept.
    static func outputs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let name = subject(words), let e = registry(words).estimator(named: name) else { return [] }
        let head = prefix.lastIndex(of: ",").map { String(prefix[...$0]) } ?? ""
        let last = String(prefix.dropFirst(head.count))
        return e.outputs.map(\.name).filter { $0.hasPrefix(last) }.map { head + $0 }
    }

    /// `name=` of the estimator's parameters for --grid.
    static func gridAxes(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let name = subject(words), let e = registry(words).estimator(named: name) else { return [] }
        return e.parameters.map { $0.name + "=" }.filter { $0.hasPrefix(prefix) }
    }
}

/// The estimator's or model's words and the declared options, as the core's parsed command line.
func evalArguments(_ subject: String, _ parameterWords: [String], format: OutputFormat?,
                   conventions: ConventionOptions?, pluginPaths: [String], extra: [String: String] = [:]) throws
    -> EvalArguments {
    var args = try EvalArguments(estimator: subject, parameterWords: parameterWords)
    args.format = format
    conventions?.apply(to: &args)
    args.pluginPaths = pluginPaths
    for (k, v) in extra { args.extra[k] = v }
    return args
}
