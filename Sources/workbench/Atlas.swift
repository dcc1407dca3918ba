import ArgumentParser
import Foundation
import WorkbenchCore

extension Workbench {
    struct AtlasCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "atlas",
            abstract: "Validate an estimator over a parameter grid: where does it hold? (tables, heat maps, shards, Slurm)",
            usage: """
            workbench atlas <estimator> [<value> ...] --grid <name=values> ...
                            --out <dir> [--compare <spec>] ... [--seed <S>]
                            [--shard <I/N>] [--resume] [--overwrite] [--color rel|z]
                            [<validate options>]
            workbench atlas merge <dir> ... --out <dir>
            workbench atlas show <dir> [--quantity <name>]
            """,
            discussion: """
            Runs 'validate' at every grid point (first axis slowest) with a seed derived
            from --seed (default 1) and the point alone. Writes DIR/points/pNNNNNNNN.csv
            per finished point (atomically), then DIR/atlas.csv, DIR/atlas.json and
            DIR/heatmap-<quantity>.svg: x, y = the first two axes, facets = further axes
            and compared rows; colour = signed relative difference (or z with --color z);
            DISAGREE cells outlined. 'atlas show' prints a heat map as text.

            Options:
              --grid name=a:b:step | name=v1,v2,...   a grid axis (repeatable)
              --out DIR           where points, tables and heat maps go
              --compare estimator=NAME | name=value[,...]
                                  also validate that estimator row on the same
                                  simulations (e.g. --compare method=taylor)
              --shard I/N         run points I, I+N, ... only; without it, a Slurm
                                  array task (SLURM_ARRAY_TASK_ID/COUNT) runs its
                                  share; then 'atlas merge' the shard directories
              --resume            finish the points missing in DIR (a killed run
                                  loses only the points in flight)
              --overwrite         start afresh: remove DIR's points, tables, maps
              --seed S, --color rel|z
              Validate's options (--neurons, --time, --precision, --threads, ...)
              apply to every point.
            The words after 'atlas' are recorded in DIR's manifest and replayed per point
            (so --resume and merge check that they describe the same atlas).

            Example:
              workbench atlas siegert-colored 15 --grid sigma=2,5 \\
                  --grid tau_s=0.5,1,2,5 --compare method=taylor --neurons 1000 \\
                  --time 1s --out atlas-cn
            """)

        @Argument(parsing: .captureForPassthrough, help: "Estimator, values and options (see discussion), or 'merge DIR...'.")
        var words: [String] = []

        func run() throws {
            if words.isEmpty { throw WorkbenchError.badInput("missing estimator name (or 'merge'); see 'workbench atlas --help'") }
            if words.contains("--help") || words.contains("-h") { printOut(Workbench.helpMessage(for: AtlasCommand.self) + "\n"); return }
            var rest: [String] = [], out: String?, compare: [String] = [], shard: String?, resume = false, overwrite = false
            var seed: UInt64 = 1, color = AtlasColor.rel
            var i = 0
            func value(_ name: String) throws -> String {
                i += 1
                guard i < words.count else { throw WorkbenchError.badInput("option '--\(name)' needs a value") }
                return words[i]
            }
            while i < words.count {
                let w = words[i]
                var name = w, inline: String?
                if w.hasPrefix("--"), let eq = w.firstIndex(of: "=") { name = String(w[..<eq]); inline = String(w[w.index(after: eq)...]) }
                switch name {
                case "--out": out = try inline ?? value("out")
                case "--compare": compare.append(try inline ?? value("compare"))
                case "--shard": shard = try inline ?? value("shard")
                case "--resume": resume = true
                case "--overwrite": overwrite = true
                case "--seed":
                    let t = try inline ?? value("seed")
                    guard let s = UInt64(t) else { throw WorkbenchError.badInput("option 'seed' = '\(t)' is not a non-negative integer") }
                    seed = s
                case "--color":
                    let t = try inline ?? value("color")
                    guard let c = AtlasColor(rawValue: t) else { throw WorkbenchError.badInput("option 'color' = '\(t)' is not one of: rel, z") }
                    color = c
                default: rest.append(w)
                }
                i += 1
            }
            if rest.first == "show" {
                guard rest.count >= 2 else { throw WorkbenchError.badInput("usage: workbench atlas show DIR [--quantity NAME]") }
                let summary = try AtlasSummary.read(rest[1])
                var quantity = "rate_hz"
                if let k = rest.firstIndex(of: "--quantity"), k + 1 < rest.count { quantity = rest[k + 1] }
                printOut(try summary.textGrid(quantity: quantity))
                return
            }
            guard let out else { throw WorkbenchError.badInput("atlas needs --out DIR (where points, tables and heat maps go)") }
            let store = AtlasStore(directory: out)
            if rest.first == "merge" {
                let sources = Array(rest.dropFirst())
                let summary = try AtlasStore.merge(sources, into: store, parse: Atlas.spec(manifest:))
                printOut(summary.text() + "wrote \(out)/atlas.csv, atlas.json and heat maps\n")
                return
            }
            let spec = try Atlas.spec(words: rest, compare: compare, seed: seed, color: color)
            let (k, n) = try Atlas.shard(option: shard, environment: ProcessInfo.processInfo.environment)
            if overwrite { try store.clear() }
            try store.prepare(spec, resume: resume)
            let done = store.finished(spec)
            let todo = Atlas.shard(k, of: n, spec).filter { !done.contains($0) }
            let started = Date()
            var lastReport = started
            for (m, index) in todo.enumerated() {
                let point = Atlas.run(point: index, spec)
                try store.write(point, spec)
                let now = Date()
                if now.timeIntervalSince(started) > 2 && now.timeIntervalSince(lastReport) > 5 {
                    lastReport = now
                    printError(String(format: "  atlas: %d of %d points, %.0f s", m + 1, todo.count, now.timeIntervalSince(started)))
                }
            }
            let seconds = Date().timeIntervalSince(started)
            if !todo.isEmpty {
                printError(String(format: "atlas: %d %@ in %.2f s wall, %.3f s per point%@", todo.count,
                                  todo.count == 1 ? "point" : "points", seconds, seconds / Double(todo.count),
                                  n > 1 ? " (shard \(k)/\(n))" : ""))
            }
            let finished = store.finished(spec).count
            if finished == spec.pointCount {
                let summary = try store.writeResults(spec)
                printOut(summary.text() + "wrote \(out)/atlas.csv, atlas.json and heat maps\n")
                if let message = summary.commonFailure {
                    throw WorkbenchError.badInput("every point failed: \(message)")
                }
            } else {
                printOut("shard \(k)/\(n): \(todo.count) points run; \(finished) of \(spec.pointCount) finished in \(out) "
                         + "(when all shards are done: workbench atlas merge DIR... --out DIR)\n")
            }
        }
    }
}
