import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot an estimator output against a swept parameter (SVG), optionally with Monte-Carlo points.",
            discussion: """
            workbench plot <estimator> <output> [required values...]
                [--<parameter> <value>...] --grid x=a:b:step [--grid s=v1,v2...]

            The first --grid is the x axis; every combination of the other grids
            is one series (legend "sigma = 5 mV"). Values, parameters and grids
            as for 'eval'; positional values fill the required parameters that
            no option or grid gives.
              -o, --output FILE.svg  where to write (default:
                                     <estimator>-<output>.svg); the path is printed
              --log-x, --log-y       log axes (decades); values <= 0 left out
              --y-min V, --y-max V   y range (default: the data's; a log axis
                                     shows at most 12 decades below the maximum)
              --title T              title (default "<estimator>: <output> vs <x>")
              --width W, --height H  size in px (default 720 x 480)
              --mc                   Monte-Carlo points (observable +- 2 SE),
                                     computed as 'validate' computes them
              --mc-points N          points per series (default 8), spread evenly
              --mc-min-rate R        leave out points predicted below R (default
                                     1 Hz) unless --time is given
              --precision p          relative SE of the rate per point (0.02)
              --seed --neurons --samples --time --dt --burn-in --scheme --threads
                                     as for 'validate'
            Exit 2 on bad input (unknown output, no --grid, --mc for an output
            without observable, ...), and when some grid points are bad input
            (the plot is still written, as 'eval --grid' writes every row).

            Examples:
              workbench plot siegert rate_hz --grid mu=-10:40:0.5 \\
                  --grid sigma=2,5,10
              workbench plot siegert ln_rate_hz --sigma 5 --grid mu=-10:40:0.5
              workbench plot siegert rate_hz --grid mu=0:30:0.5 --grid sigma=2,5 \\
                  --log-y --mc --seed 3 -o rate-mc.svg
              workbench plot linear-response response_mu_abs_hz_per_mv 15 5 \\
                  --grid f=0.1:10000:log10 --log-x --log-y --mc --mc-points 5

            """)

        @Argument(parsing: .captureForPassthrough, help: "Estimator, output, values and options (see discussion).")
        var words: [String] = []

        func run() throws {
            if words.isEmpty { throw WorkbenchError.badInput("missing estimator name (usage: workbench plot <estimator> <output> --grid x=a:b:step ...)") }
            if words.contains("--help") || words.contains("-h") { printOut(Workbench.helpMessage(for: Plot.self) + "\n"); return }
            let request = try PlotRequest(words: words)
            let result = try request.run(progress: { printError($0) })
            try OutputFile.write(result.svg, to: result.path, what: "the plot")
            for n in result.notes { printError(n) }
            printOut(result.summary + "\n")
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}
