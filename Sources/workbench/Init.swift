import ArgumentParser
import Foundation
import WorkbenchCore

extension NetworkInit.Scheme: ExpressibleByArgument {}

extension Workbench {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Weight statistics per layer for an SNN, with the same network under Kaiming and Glorot beside it.",
            usage: """
            workbench init --layers <W0,W1,...,WL> --scheme <scheme> [<options>]
            """,
            discussion: """
            Layer l has W_l neurons and fan-in W_(l-1); W0 is the input layer. Per layer:
            the weight mean and std, the predicted free-membrane mean and std, and the
            rate (or the spike probability per step). The schemes:
              fluctuation    Rossbroich et al. 2022: --nu, --xi or --sigma-u, --mu-u;
                             --inh-fraction for Dale's law
              variance-flow  Micheli et al. 2024: --sigma-target, --sigma0, --theta
              rate-collapse  Siegert fixed point (Perez-Nieves & Goodman 2023): --nu,
                             --nu-target, --init, --n-var-w, --jumps
            An option a scheme does not take is an error.

            Examples:
              workbench init --layers 700,256,256,20 --scheme fluctuation --nu 10Hz --xi 2
              workbench init --layers 1000,1000,1000,1000,1000 --scheme rate-collapse \\
                  --nu 20Hz
            """)

        @Option(help: ArgumentHelp("Network widths from input to output.", valueName: "W0,W1,...,WL"))
        var layers: String

        @Option(help: "The initialisation scheme.")
        var scheme: NetworkInit.Scheme

        @Option(help: ArgumentHelp("Poisson rate of the input layer (fluctuation, rate-collapse).", valueName: "Hz"))
        var nu: String?
        @Option(name: .customLong("tau-m"), help: ArgumentHelp("Membrane time constant (default 20 ms).", valueName: "ms"))
        var tauM: String?
        @Option(name: .customLong("tau-syn"), help: ArgumentHelp("Synaptic time constant (fluctuation; default 5 ms).",
                                                                 valueName: "ms"))
        var tauSyn: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Threshold (default 1).", valueName: "theta"))
        var theta: String?
        @Option(name: .customLong("v-reset"), parsing: .unconditional,
                help: ArgumentHelp("Reset potential (default 0).", valueName: "v"))
        var vReset: String?
        @Option(name: .customLong("tau-ref"), help: ArgumentHelp("Refractory period (default 0 ms).", valueName: "ms"))
        var tauRef: String?
        @Option(name: .customLong("time-step"),
                help: ArgumentHelp("fluctuation: a discrete-time kernel with this step (default: continuous time).",
                                   valueName: "ms"))
        var timeStep: String?
        @Option(name: .customLong("mu-u"), parsing: .unconditional,
                help: ArgumentHelp("fluctuation: target free-membrane mean (default 0).", valueName: "u"))
        var muU: String?
        @Option(help: ArgumentHelp("fluctuation: target distance of threshold in stds, (theta - mu_u)/sigma_u.",
                                   valueName: "xi"))
        var xi: String?
        @Option(name: .customLong("sigma-u"), help: ArgumentHelp("fluctuation: target free-membrane std (or --xi).",
                                                                 valueName: "u"))
        var sigmaU: String?
        @Option(name: .customLong("inh-fraction"), help: ArgumentHelp("""
            fluctuation: Dale's law, this fraction of inputs inhibitory, balanced exponential weights.
            """, valueName: "f"))
        var inhFraction: String?
        @Option(name: .customLong("tau-syn-inh"),
                help: ArgumentHelp("fluctuation: inhibitory synaptic time constant (default tau_syn).", valueName: "ms"))
        var tauSynInh: String?
        @Option(name: .customLong("sigma-target"), help: ArgumentHelp("variance-flow: target std (default 1).",
                                                                      valueName: "s"))
        var sigmaTarget: String?
        @Option(help: ArgumentHelp("variance-flow: std of layer 0 (default 1).", valueName: "s"))
        var sigma0: String?
        @Option(name: .customLong("nu-target"), help: ArgumentHelp("rate-collapse: the fixed point (default --nu).",
                                                                  valueName: "Hz"))
        var nuTarget: String?
        @Option(help: ArgumentHelp("rate-collapse: zero-mean or fixed-spread.", valueName: "init"),
                completion: .list(["zero-mean", "fixed-spread"]))
        var `init`: String?
        @Option(name: .customLong("n-var-w"), help: ArgumentHelp("rate-collapse, fixed-spread: n var_w (default 2).",
                                                                valueName: "x"))
        var nVarW: String?
        @Option(help: ArgumentHelp("""
            rate-collapse: diffusion (default), or siegmund: the overshoot of finite jumps (theta + 0.5826 w_rms) \
            that event-driven layers show.
            """, valueName: "diffusion|siegmund"), completion: .list(["diffusion", "siegmund"]))
        var jumps: String?

        @OptionGroup var format: FormatOption
        @OptionGroup var plugins: PluginOptions

        /// The scheme options given, by the snake_case names the planner reads.
        var schemeOptions: [String: String] {
            let all: [(String, String?)] = [
                ("nu", nu), ("tau_m", tauM), ("tau_syn", tauSyn), ("theta", theta), ("v_reset", vReset),
                ("tau_ref", tauRef), ("time_step", timeStep), ("mu_u", muU), ("xi", xi), ("sigma_u", sigmaU),
                ("inh_fraction", inhFraction), ("tau_syn_inh", tauSynInh), ("sigma_target", sigmaTarget),
                ("sigma0", sigma0), ("nu_target", nuTarget), ("init", `init`), ("n_var_w", nVarW), ("jumps", jumps),
            ]
            return Dictionary(uniqueKeysWithValues: all.compactMap { name, value in value.map { (name, $0) } })
        }

        func run() throws {
            let planner = try NetworkInit(layers: layers, scheme: scheme, options: schemeOptions,
                                          pluginPaths: plugins.pluginPath)
            printOut(InitPlanRenderer.render(try planner.plan(), format: format.format ?? .table))
        }
    }
}
