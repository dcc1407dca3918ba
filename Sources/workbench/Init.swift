import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Weight statistics per layer for an SNN, with the same network under Kaiming and Glorot beside it.",
            discussion: """
            workbench init --layers W0,W1,...,WL --scheme fluctuation|variance-flow|rate-collapse [options]

              Layer l has W_l neurons and fan-in W_(l-1); W0 is the input layer. Per layer: weight mean and std,
              the predicted free-membrane mean and std, and the rate (or spike probability per step).
              fluctuation    Rossbroich et al. 2022: --nu (input rate), --xi or --sigma-u, --mu-u (default 0);
                             --tau-m 20ms --tau-syn 5ms --theta 1 --v-reset 0 --tau-ref 0ms --time-step (optional)
                             --inh-fraction f: Dale's law, a fraction f of inputs inhibitory, balanced exponential
                             weights (lambda_e, lambda_i per layer); --tau-syn-inh (default tau_syn)
              variance-flow  Micheli et al. 2024: --sigma-target 1, --sigma0 1 (layer-0 std), --theta 1
              rate-collapse  Siegert fixed point (Perez-Nieves & Goodman 2023): --nu, --nu-target (default --nu),
                             --init zero-mean|fixed-spread, --n-var-w (fixed-spread, default 2); --theta 1 --v-reset 0
                             --tau-m 20ms --tau-ref 0ms; --jumps siegmund: the map with the overshoot of
                             finite jumps (theta + 0.5826 w_rms), which event-driven layers show
              --format table|json|csv

            Examples:
              workbench init --layers 700,256,256,20 --scheme fluctuation --nu 10Hz --xi 2
              workbench init --layers 1000,1000,1000,1000,1000 --scheme rate-collapse --nu 20Hz
            """)

        @Argument(parsing: .captureForPassthrough, help: "Options (see discussion).")
        var words: [String] = []

        func run() throws {
            if words.contains("--help") || words.contains("-h") { printOut(Workbench.helpMessage(for: Init.self) + "\n"); return }
            let planner = try NetworkInit(words: words)
            printOut(planner.render(try planner.plan()))
        }
    }
}
