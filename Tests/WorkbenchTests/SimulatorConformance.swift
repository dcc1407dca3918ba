// `checkSimulator`: the one conformance suite every simulator passes (as `checkEstimator` is for
// estimators). A new model's simulator, added to `ModelSimulators.all`, is checked here without a line of
// new test code: declarations, defaults, a run, bit-identity on 1 and 2 threads, and named option errors.
import Foundation
import MonteCarlo
import Testing

/// Small runs of every registered model (the values any estimator of the model would pass).
let smallSimulatorRuns: [String: (values: [String: Double], options: [String: Double])] = [
    "lif-white": (["mu": 15, "sigma": 5], ["time": 200, "burn_in": 50]),
    "lif-colored": (["mu": 15, "sigma": 5, "tau_s": 1], ["time": 200, "burn_in": 50]),
    "lif-current": (["n": 10, "nu": 10], ["time": 200, "burn_in": 50]),
    "layered-threshold": (["theta": 1, "sigma_target": 1, "n": 100, "layer": 2], [:]),
    "layered-lif": (["n": 50, "nu_in": 10, "layer": 1], ["time": 200, "burn_in": 50]),
    "wiener": (["m": 0.5, "s": 1, "a": 10], [:]),
    "gaussian-walk": (["a": 10, "m": 1, "s": 1, "n": 20], [:]),
    "leaky-discrete": (["beta": 0.9, "m": 0.1, "s": 1], ["time": 200, "burn_in": 50]),
    "lif-shot": (["r_e": 1000, "a_e": 0.5], ["time": 200, "burn_in": 50]),
    "poisson-spikes": (["rate": 20], ["time": 500]),
]

func checkSimulator(_ sim: any ModelSimulator, values given: [String: Double], options: [String: Double] = [:],
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let tag = "simulator '\(sim.name)'"
    let known: Set<String> = ["dt", "time", "burn_in", "scheme", "density", "modulate", "spectrum", "spikes"]
    #expect(!sim.name.isEmpty && sim.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(tag): name",
            sourceLocation: sourceLocation)
    #expect(!sim.summary.isEmpty, "\(tag): summary", sourceLocation: sourceLocation)
    #expect(sim.options.isSubset(of: known), "\(tag): unknown options \(sim.options.subtracting(known))",
            sourceLocation: sourceLocation)
    #expect(Set(sim.parameters.map(\.name)).count == sim.parameters.count, "\(tag): duplicate parameters",
            sourceLocation: sourceLocation)
    #expect(Set(sim.observables.map(\.name)).count == sim.observables.count, "\(tag): duplicate observables",
            sourceLocation: sourceLocation)
    for o in sim.observables {
        #expect(!o.unit.isEmpty && !o.summary.isEmpty, "\(tag): observable \(o.name) needs a unit and a summary",
                sourceLocation: sourceLocation)
    }
    for p in sim.parameters {
        #expect(!p.unit.isEmpty && !p.summary.isEmpty, "\(tag): parameter \(p.name) metadata", sourceLocation: sourceLocation)
        if let d = p.defaultValue {
            #expect((p.minExclusive ? d > p.min : d >= p.min) && (p.maxExclusive ? d < p.max : d <= p.max),
                    "\(tag): default of \(p.name) outside its range", sourceLocation: sourceLocation)
        }
    }
    // Defaults filled in, as the host does; every required parameter must be given by the caller.
    var values = given
    for p in sim.parameters where values[p.name] == nil {
        if let d = p.defaultValue { values[p.name] = d } else {
            #expect(p.optional, "\(tag): required parameter \(p.name) not in the test values", sourceLocation: sourceLocation)
        }
    }
    var o = RunOptions(samples: 160)
    o.time = options["time"]; o.burnIn = options["burn_in"]; o.dt = options["dt"]
    let resolved = try sim.resolve(o, values)
    // A run: only declared observables (a per-frequency name is its base name @ f), bit-identical on 1 and 2
    // threads, a pure function of the seed.
    var one = resolved; one.threads = 1
    var two = resolved; two.threads = 2
    let a = sim.run(values, one, progress: nil), b = sim.run(values, two, progress: nil)
    let declared = Set(sim.observables.map(\.name))
    #expect(!a.observables.isEmpty, "\(tag): a run gave no observable", sourceLocation: sourceLocation)
    for ob in a.observables {
        let base = String(ob.name.split(separator: "@").first ?? "")
        #expect(declared.contains(base), "\(tag): undeclared observable \(ob.name)", sourceLocation: sourceLocation)
        #expect(!sim.unit(ofObservable: ob.name).isEmpty, "\(tag): no unit for \(ob.name)", sourceLocation: sourceLocation)
    }
    #expect(a.observables.map(\.name) == b.observables.map(\.name), "\(tag): threads change the observables",
            sourceLocation: sourceLocation)
    for (x, y) in zip(a.observables, b.observables) {
        #expect(x.estimate.value.bitPattern == y.estimate.value.bitPattern
                && x.estimate.standardError.bitPattern == y.estimate.standardError.bitPattern,
                "\(tag): \(x.name) differs on 1 and 2 threads", sourceLocation: sourceLocation)
    }
    #expect(a.work > 0 && !a.workUnit.isEmpty, "\(tag): work and its unit", sourceLocation: sourceLocation)
    // Bad run options are refused by name, never trapped on.
    for (name, bad) in [("dt", -1.0), ("time", -1.0), ("burn_in", -1.0)] where sim.options.contains(name) {
        var b = o
        switch name { case "dt": b.dt = bad; case "time": b.time = bad; default: b.burnIn = bad }
        #expect((try? sim.resolve(b, values)) == nil,
                "\(tag): accepts \(name) = \(bad)", sourceLocation: sourceLocation)
        do { _ = try sim.resolve(b, values) } catch let e as SimulatorInputError {
            #expect(e.message.contains(name) || e.message.contains(name.replacingOccurrences(of: "_", with: "-")),
                    "\(tag): message for \(name) = \(bad) does not name it: \(e.message)", sourceLocation: sourceLocation)
        }
    }
}

struct SimulatorConformanceTests {
    @Test func everyRegisteredSimulatorConforms() throws {
        for sim in ModelSimulators.all {
            guard let run = smallSimulatorRuns[sim.name] else {
                Issue.record("simulator '\(sim.name)': add its small test values to smallSimulatorRuns"); continue
            }
            try checkSimulator(sim, values: run.values, options: run.options)
        }
    }

    /// The README's "add a simulator" recipe, as written there, passes the same suite.
    @Test func theRecipeSimulatorConforms() throws {
        let run = try #require(smallSimulatorRuns["poisson-spikes"])
        try checkSimulator(PoissonSpikesSimulator(), values: run.values, options: run.options)
        let r = PoissonSpikesSimulator().run(["rate": 20], try PoissonSpikesSimulator().resolve(RunOptions(samples: 4000), ["rate": 20]),
                                            progress: nil)
        let rate = try #require(r.observable("rate_hz"))
        #expect(abs(rate.value - 20) < 4 * rate.standardError, "\(rate)")
    }
}
