import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot an estimator output against a swept parameter (SVG), optionally with Monte-Carlo points.",
            usage: """
            workbench plot <estimator> <output> [<value> ...]
                             [--<parameter> <value> ...] --grid <x=a:b:step>
                             [--grid <name=values> ...] [<options>]
            """,
            discussion: """
            The first --grid is the x axis; every combination of the other grids is one
            series (legend "sigma = 5 mV"). Values, parameters and grids as for 'eval';
            positional values fill the required parameters that no option or grid gives.
            With --mc, Monte-Carlo points (observable +- 2 SE) computed as 'validate'
            computes them, sized by --precision unless --time is given. Exit 2 on bad
            input, and when some grid points are bad input (the plot is still written,
            as 'eval --grid' writes every row).

            Examples:
              workbench plot siegert rate_hz --grid mu=-10:40:0.5 --grid sigma=2,5,10
              workbench plot siegert ln_rate_hz --sigma 5 --grid mu=-10:40:0.5
              workbench plot siegert rate_hz --grid mu=0:30:0.5 --grid sigma=2,5 \\
                  --log-y --mc --seed 3 -o rate-mc.svg
              workbench plot linear-response response_mu_abs_hz_per_mv 15 5 \\
                  --grid f=0.1:10000:log10 --log-x --log-y --mc --mc-points 5
            """)

        @Argument(help: "The estimator (see 'workbench list').", completion: .custom(Completion.estimators))
        var estimator: String

        @Argument(help: "The output plotted on the y axis.", completion: .custom(Completion.outputs))
        var output: String

        @Argument(parsing: .allUnrecognized,
                  help: ArgumentHelp("Required values in order, then --<parameter> <value> pairs.",
                                     valueName: "value | --parameter value"),
                  completion: .custom(Completion.parameters))
        var parameters: [String] = []

        @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("""
            A grid axis (repeatable): name=a:b:step, name=v1,v2,... or name=a:b:logN; the first is the x axis.
            """, valueName: "name=values"),
                completion: .custom(Completion.gridAxes))
        var grid: [String] = []

        @Option(name: [.customShort("o"), .customLong("output")],
                help: ArgumentHelp("Where to write (default <estimator>-<output>.svg); the path is printed.",
                                   valueName: "file.svg"),
                completion: .file(extensions: ["svg"]))
        var outputFile: String?

        @Flag(name: .customLong("log-x"), help: "Log x axis (decades); values <= 0 are left out.")
        var logX = false
        @Flag(name: .customLong("log-y"), help: "Log y axis (at most 12 decades below the maximum by default).")
        var logY = false
        @Option(name: .customLong("y-min"), parsing: .unconditional,
                help: ArgumentHelp("Lower end of the y range (default: the data's).", valueName: "y"))
        var yMin: String?
        @Option(name: .customLong("y-max"), parsing: .unconditional,
                help: ArgumentHelp("Upper end of the y range (default: the data's).", valueName: "y"))
        var yMax: String?
        @Option(help: ArgumentHelp("Title (default \"<estimator>: <output> vs <x>\").", valueName: "text"))
        var title: String?
        @Option(help: ArgumentHelp("Width in px (default 720).", valueName: "px")) var width: String?
        @Option(help: ArgumentHelp("Height in px (default 480).", valueName: "px")) var height: String?

        @Flag(help: "Add Monte-Carlo points (observable +- 2 SE).")
        var mc = false
        @Option(name: .customLong("mc-points"), help: ArgumentHelp("Monte-Carlo points per series (default 8).",
                                                                   valueName: "N"))
        var mcPoints: String?
        @Option(name: .customLong("mc-min-rate"), help: ArgumentHelp("""
            Leave out points predicted below this rate (default 1 Hz) unless --time is given.
            """, valueName: "Hz"))
        var mcMinRate: String?
        @Option(help: ArgumentHelp("Relative SE of the rate per Monte-Carlo point (default 0.02).", valueName: "p"))
        var precision: String?
        @OptionGroup var size: RunSizeOptions

        @OptionGroup var conventions: ConventionOptions
        @OptionGroup var plugins: PluginOptions

        func run() throws {
            var extra = size.extra
            for (name, value) in [("output", outputFile), ("y_min", yMin), ("y_max", yMax), ("title", title),
                                  ("width", width), ("height", height), ("mc_points", mcPoints),
                                  ("mc_min_rate", mcMinRate), ("precision", precision)] {
                if let value { extra[name] = value }
            }
            var args = try evalArguments(estimator, [output] + parameters, format: nil, conventions: conventions,
                                         pluginPaths: plugins.pluginPath, extra: extra)
            args.grids = grid
            let request = try PlotRequest(arguments: args, logX: logX, logY: logY, mc: mc,
                                          commandLine: Workbench.commandLine.dropFirst().map { $0 })
            let result = try request.run(progress: { printError($0) })
            try OutputFile.write(result.svg, to: result.path, what: "the plot")
            for n in result.notes { printError(n) }
            printOut(result.summary + "\n")
            if result.exitCode != 0 { throw ExitCode(result.exitCode) }
        }
    }
}
