// The network simulator (MonteCarlo/NetworkSimulation.swift) and `validate network`: bit-identity across threads,
// the single-neuron limit, an independent simulator (Brian2 2.11 on Brunel A, Tests/Fixtures/
// network_brunel_brian2.json from Benchmarks/brian2_brunel.py), an asynchronous-irregular and a
// synchronous-irregular state, and named errors for bad runs.
import Foundation
import MonteCarlo
import NetworkTheory
import Testing
import WorkbenchCore

@Suite("Network simulation") struct NetworkSimulationTests {
    static let brunel = packageRoot + "/examples/networks/brunel-A.yaml"

    /// A small E/I network in the Brunel convention (delta synapses unless tauS is given).
    func smallNetwork(tauS: Double = 0) -> NetworkSimulationSpec {
        var e = NetworkSimulationSpec.Population(name: "E", size: 800)
        e.externalRate = 20; e.externalIndegree = 400; e.externalWeight = 0.2; e.tauS = tauS
        var i = e
        i.name = "I"; i.size = 200
        return NetworkSimulationSpec(populations: [e, i], indegree: [[80, 20], [80, 20]],
                                     weight: [[0.2, -1.0], [0.2, -1.0]], delay: [[1.5, 0.8], [1.5, 0.8]])
    }

    func options(time: Double = 500, threads: Int = 2) -> NetworkSimulationOptions {
        var o = NetworkSimulationOptions()
        o.time = time; o.burnIn = 100; o.threads = threads; o.seed = 3
        o.spectrumFrequencies = [10, 100, 300]
        return o
    }

    @Test(arguments: [0.0, 0.5]) func bitIdenticalOnAnyThreadCount(tauS: Double) throws {
        let runs = try [1, 2, 3, 8].map { try NetworkSimulator.run(smallNetwork(tauS: tauS), options(threads: $0)) }
        for r in runs.dropFirst() {
            #expect(r.counts == runs[0].counts)
            for (p, q) in zip(r.populations, runs[0].populations) {
                #expect(p.rate.value == q.rate.value && p.cv.value == q.cv.value && p.meanV.value == q.meanV.value)
                #expect(p.spectrum.map(\.value) == q.spectrum.map(\.value))
            }
            #expect(r.synapticEvents == runs[0].synapticEvents)
        }
        // A different seed is a different run.
        var other = options()
        other.seed = 4
        #expect(try NetworkSimulator.run(smallNetwork(tauS: tauS), other).counts != runs[0].counts)
        // Fixed in-degree: exactly N K synapses.
        #expect(runs[0].synapses == 1000 * 100)
    }

    /// Without recurrent connections each neuron is a LIF neuron under Poisson input: with small jumps its rate, CV
    /// and mean V are the Siegert neuron's within the shot-noise error (J = 0.1 mV at sigma = 1.45 mV: ~1 %).
    @Test func unconnectedNeuronsAreTheSingleNeuron() throws {
        var p = NetworkSimulationSpec.Population(name: "E", size: 4000)
        p.externalRate = 10.5; p.externalIndegree = 1000; p.externalWeight = 0.1
        let spec = NetworkSimulationSpec(populations: [p], indegree: [[0]], weight: [[0]], delay: [[1]])
        var o = options(time: 2000)
        o.burnIn = 300
        let r = try NetworkSimulator.run(spec, o).populations[0]
        // mu = 21 mV, sigma = 1.4491 mV: siegert gives 22.4520 Hz, CV 0.27798, mean V 16.2985 mV.
        #expect(abs(r.rate.value / 22.4520 - 1) < 0.02)
        #expect(abs(r.cv.value / 0.27798 - 1) < 0.03)
        #expect(abs(r.meanV.value - 16.2985) < 0.1)
        // Poisson spiking level of the spectrum at high frequency: rate / N within its SE.
        let level = r.rate.value / 4000
        #expect(abs(r.spectrum[2].value - level) < 5 * r.spectrum[2].standardError + 0.2 * level)
    }

    /// The same with exponential synapses (tau_s = 0.5 ms, the microcircuit's neuron): the Fourcaud-Brunel rate of
    /// siegert-colored at mu = 28.096 mV, sigma = 2.2212 mV is 102.161 Hz, CV 0.11094.
    @Test func unconnectedNeuronsWithExponentialSynapses() throws {
        var p = NetworkSimulationSpec.Population(name: "E", size: 4000)
        p.tauM = 10; p.theta = 15; p.vReset = 0; p.tauS = 0.5
        p.externalRate = 8; p.externalIndegree = 2000; p.externalWeight = 0.1756
        let spec = NetworkSimulationSpec(populations: [p], indegree: [[0]], weight: [[0]], delay: [[1]])
        let r = try NetworkSimulator.run(spec, options(time: 2000)).populations[0]
        #expect(abs(r.rate.value / 102.161 - 1) < 0.01)
        #expect(abs(r.cv.value / 0.11094 - 1) < 0.05)
    }

    /// Welch's estimate of white counts is flat down to half a segment's resolution (subtracting each segment's own
    /// mean would halve it there).
    @Test func welchSpectrumIsFlatForWhiteCounts() {
        var state: UInt64 = 7
        let p = 0.02, h = 1e-4      // spike probability per 0.1 ms step: 200 Hz, one neuron
        let counts = (0..<(64 * 2000)).map { _ in Int32(Double(splitMix64(&state) >> 11) * 0x1p-53 < p ? 1 : 0) }
        let level = p / h
        let s = PopulationSpectrum.welch(counts, neurons: 1, dt: 0.1, segments: 64, frequencies: [2.5, 5, 100, 1000])
        for e in s { #expect(abs(e.value - level) < 3 * e.standardError, "\(e.value) vs \(level)") }
    }

    /// A membrane time constant far below the synaptic one (and below dt/709) keeps the propagator finite.
    @Test func extremeTimeConstantsStayFinite() throws {
        var p = NetworkSimulationSpec.Population(name: "E", size: 200)
        p.tauM = 1.2e-4; p.tauS = 5; p.theta = 15; p.vReset = 0
        p.externalRate = 8; p.externalIndegree = 2000; p.externalWeight = 0.1756
        let spec = NetworkSimulationSpec(populations: [p], indegree: [[0]], weight: [[0]], delay: [[1]])
        let r = try NetworkSimulator.run(spec, options(time: 200)).populations[0]
        #expect(r.meanV.value.isFinite && r.rate.value.isFinite)
        var tiny = spec
        tiny.populations[0].tauS = 1e-9
        #expect(throws: NetworkSimulator.Failure.self) { try NetworkSimulator.run(tiny, options()) }
        var ragged = spec
        ragged.weight = [[0, 1]]
        #expect(throws: NetworkSimulator.Failure.self) { try NetworkSimulator.run(ragged, options()) }
    }

    /// A regular neuron (DC above threshold, no noise) spikes every tau_ref + tau_m ln((dc - V_r)/(dc - theta)),
    /// and the spectrum of its train peaks at that rate.
    @Test func regularNeuronAndSpectrumPeak() throws {
        var p = NetworkSimulationSpec.Population(name: "R", size: 1)
        p.dc = 30
        let spec = NetworkSimulationSpec(populations: [p], indegree: [[0]], weight: [[0]], delay: [[1]])
        var o = options(time: 10_000)
        o.spectrumFrequencies = stride(from: 55.0, through: 70, by: 1).map { $0 }
        let r = try NetworkSimulator.run(spec, o).populations[0]
        // On the 0.1 ms grid: 20 refractory steps, then V = 30 - 20 e^{-t/20 ms} reaches 20 mV in the step that
        // contains 20 ln 2 ms = 138.6 steps: an ISI of 159 steps.
        let isi = 0.1 * (20 + (200 * log(2.0)).rounded(.up))
        #expect(abs(r.rate.value - 1000 / isi) < 0.5)
        #expect(r.cv.value < 0.01)
        let peak = r.spectrum.indices.max { r.spectrum[$0].value < r.spectrum[$1].value }!
        #expect(o.spectrumFrequencies[peak] == 63)
    }

    /// Brunel A (g = 5, eta = 2) against Brian2 2.11 cpp_standalone on the same network: rates, CV and the
    /// population-rate spectrum agree within the two runs' errors.
    @Test func brunelAgreesWithBrian2() throws {
        let fixture = packageRoot + "/Tests/Fixtures/network_brunel_brian2.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture))
        let b2 = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let spectrum = try #require(b2["spectrum"] as? [String: Any])
        let freqs = try #require(spectrum["frequencies_hz"] as? [Double])
        var o = NetworkSimulationOptions()
        o.time = 4000; o.burnIn = 300; o.spectrumFrequencies = freqs
        let r = try NetworkRun.simulate(try NetworkFile.load(path: Self.brunel), o)
        #expect(r.synapses == b2["synapses"] as? Int)
        for (k, key) in [(0, "rate_e_hz"), (1, "rate_i_hz")] {
            let ours = r.populations[k].rate, theirs = try #require(b2[key] as? Double)
            // Brian2's run has the same length, so the same SE.
            #expect(abs(ours.value - theirs) < 4 * 2.squareRoot() * ours.standardError, "\(key)")
        }
        // Brian2's CV pools the ISIs inside its window (biased low by ~1 % here); ours weights them (unbiased).
        #expect(abs(r.populations[0].cv.value / (b2["cv_e"] as? Double ?? 0) - 1) < 0.03)
        for (k, key) in [(0, "e"), (1, "i")] {
            let theirs = try #require(spectrum[key] as? [Double])
            for j in freqs.indices {
                let ours = r.populations[k].spectrum[j]
                #expect(abs(ours.value - theirs[j]) < 4 * 2.squareRoot() * ours.standardError, "\(key) \(freqs[j]) Hz")
            }
        }
    }

    @Test func badRunsAreNamedErrors() throws {
        let spec = smallNetwork()
        var short = spec
        short.delay = [[1.5, 0.04], [1.5, 0.04]]
        #expect(throws: NetworkSimulator.Failure.self) { try NetworkSimulator.run(short, options()) }
        let cases: [(NetworkSimulationSpec, (inout NetworkSimulationOptions) -> Void, String)] = [
            (short, { _ in }, "delay of I -> E = 0.04 ms: at least the time step"),
            (spec, { $0.dt = 0 }, "dt = 0.0 ms"),
            (spec, { $0.time = .nan }, "time = nan ms"),
            (spec, { $0.time = 1 }, "needs at least 40 steps"),
            (spec, { $0.segments = 1 }, "segments = 1"),
            (spec, { $0.time = 1e12 }, "at most 2e9"),
        ]
        for (s, edit, message) in cases {
            var o = options()
            edit(&o)
            do {
                _ = try NetworkSimulator.run(s, o)
                Issue.record("no error for \(message)")
            } catch let e as NetworkSimulator.Failure {
                #expect(e.description.contains(message), "\(e.description)")
            }
        }
        var loud = spec
        loud.populations[0].externalRate = 1e9
        do { _ = try NetworkSimulator.run(loud, options()); Issue.record("no error for a huge Poisson mean") } catch {
            #expect("\(error)".contains("populations.E.external"))
        }
        var huge = spec
        huge.populations[0].size = 90_000_000
        huge.indegree = [[1e6, 0], [0, 0]]
        do { _ = try NetworkSimulator.run(huge, options()); Issue.record("no error for 9e13 synapses") } catch {
            #expect("\(error)".contains("the network needs about"))
        }
    }

    /// Hostile files: 3000 seeded mutations of a small network file (digits, signs, exponents, inf/nan, brackets,
    /// deletions). Each either fails to parse with a bad-input error, or is simulated for 5 ms (if small) or
    /// refused with a named error: never a trap, which would end this test process.
    @Test func mutatedFilesNeverTrap() throws {
        let base = """
            neuron: {tau_m: 20 ms, theta: 20 mV, v_reset: 10 mV, tau_ref: 2 ms, tau_s: 0.5 ms}
            populations:
              E: {size: 160, external: {rate: 20 Hz, indegree: 100, J: 0.2 mV}, dc: 1 mV}
              I: {size: 40, external: {rate: 20 Hz, indegree: 100, J: 0.2 mV}}
            connections:
              - {from: E, to: [E, I], indegree: 40, J: 0.2 mV, delay: 1.5 ms}
              - {from: I, to: [E, I], probability: 0.25, J: -1 mV, delay: 0.5 ms}
            """
        let pieces = ["0", "1", "9", "-", ".", "e", "e308", "1e300", "-1e300", "inf", "nan", "1e-300", "{", "}", ",",
                      ":", " ", "2147483648", "0.0", "ms", "s"]
        var state: UInt64 = 12345
        var parsed = 0, simulated = 0, refused = 0
        var o = NetworkSimulationOptions()
        o.time = 5; o.burnIn = 0; o.threads = 2
        for _ in 0..<3000 {
            var text = Array(base)
            for _ in 0..<(1 + Int(splitMix64(&state) % 3)) {
                let at = Int(splitMix64(&state) % UInt64(text.count))
                switch splitMix64(&state) % 3 {
                case 0: text.remove(at: at)
                case 1: text.insert(contentsOf: pieces[Int(splitMix64(&state) % UInt64(pieces.count))], at: at)
                default: text[at] = Array("0123456789-.e")[Int(splitMix64(&state) % 13)]
                }
            }
            let model: NetworkModel
            do { model = try NetworkFile.parse(String(text)) } catch let e as WorkbenchError {
                #expect(e.code == .badInput)
                continue
            }
            parsed += 1
            guard model.neurons <= 20_000, model.synapses <= 5e6 else { continue }
            do {
                let r = try NetworkSimulator.run(model.simulationSpec, o)
                #expect(r.populations.count == model.count)
                simulated += 1
            } catch let e as NetworkSimulator.Failure {
                #expect(!e.description.isEmpty)
                refused += 1
            }
        }
        #expect(parsed > 100 && simulated > 50, "parsed \(parsed), simulated \(simulated), refused \(refused)")
    }

    // MARK: the command

    @Test func simulateNetworkCommand() throws {
        let table = try workbench(["simulate", "network", Self.brunel, "--time", "200ms", "--burn-in", "100ms",
                                   "--spectrum", "100,200"])
        #expect(table.code == 0, "\(table.stderr)")
        #expect(table.stdout.contains("network brunel-2000-A: 12500 neurons, 15625000 synapses"))
        #expect(table.stdout.contains("population-rate power spectra"))
        #expect(table.stderr.contains("synaptic events"))
        let csv = try workbench(["simulate", "network", Self.brunel, "--time", "200ms", "--burn-in", "100ms",
                                 "--threads", "1", "--format", "csv", "--set", "populations.E.size=2000"])
        let csv2 = try workbench(["simulate", "network", Self.brunel, "--time", "200ms", "--burn-in", "100ms",
                                  "--threads", "2", "--format", "csv", "--set", "populations.E.size=2000"])
        #expect(csv.code == 0 && csv.stdout == csv2.stdout)
        #expect(csv.stdout.hasPrefix("population,quantity,f_hz,value,se\nE,rate_hz,,"))
        let json = try workbench(["simulate", "network", Self.brunel, "--time", "100ms", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["synaptic_events_per_second"] is Double)
        // A sweep is one JSON array, each run with its grid values.
        let sweep = try workbench(["simulate", "network", Self.brunel, "--time", "100ms", "--burn-in", "50ms",
                                   "--grid", "connections.1.J=-0.5,-0.8", "--format", "json"])
        let runs = try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.count == 2)
        #expect((runs?[1]["set"] as? [String: String])?["connections.1.J"] == "-0.8")
        for (args, message) in [
            (["--time", "0s"], "time = 0.0 ms: must be > 0"),
            (["--neurons", "100"], "option 'neurons' does not apply to a network"),
            (["--spectrum", "6000"], "outside (0, 5000] Hz"),
            (["--set", "connections.0.delay=0.01ms"], "at least the time step"),
            (["--bogus"], "simulate network: "),
        ] {
            let r = try workbench(["simulate", "network", Self.brunel] + args)
            #expect(r.code == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        // A silent population has no spectral peak: empty cells, the same number of columns.
        let dir = try temporaryDirectory("silent")
        let silent = dir + "/silent.yaml"
        try """
            populations:
              E: {size: 100, dc: 5 mV}
              D: {size: 100, external: {rate: 10 Hz, indegree: 100, J: 0.1 mV}}
            connections:
              - {from: E, to: D, indegree: 10, J: 0.1 mV, delay: 1 ms}
            """.write(toFile: silent, atomically: true, encoding: .utf8)
        let quiet = try workbench(["simulate", "network", silent, "--time", "200ms", "--spectrum", "10,20",
                                   "--grid", "populations.E.dc=5,25"])
        #expect(quiet.code == 0, "\(quiet.stderr)")
        let lines = quiet.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 10 })
        #expect(lines[1].hasPrefix("5,E,0,0,,,5") && lines[1].hasSuffix(",,"))
        let missing = try workbench(["simulate", "network", "/nonexistent.yaml"])
        #expect(missing.code == 2 && missing.stderr.contains("nonexistent.yaml"))
    }

    /// Brunel's asynchronous irregular state at g = 8, eta = 2: every judged comparison agrees (exit 0).
    @Test func validateAsynchronousIrregular() throws {
        let r = try workbench(["validate", "network", Self.brunel, "--set", "connections.1.J=-0.8mV",
                               "--time", "1s", "--format", "json"], pluginPath: buildDirectory)
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["stable"] as? Bool == true && o["agree"] as? Bool == true)
        let rows = try #require(o["comparisons"] as? [[String: Any]])
        let judged = rows.filter { $0["judged"] as? Bool == true }
        #expect(judged.contains { $0["quantity"] as? String == "rate_hz" })
        #expect(judged.contains { $0["quantity"] as? String == "cv" })
        #expect(judged.contains { $0["quantity"] as? String == "spectrum_hz" })
    }

    /// Brunel's synchronous irregular state at g = 6, eta = 4: the theory's working point is unstable, and the
    /// simulated rate oscillates near the predicted frequency (the theory with the sigma^2 channel: ~190 Hz;
    /// Brunel 2000 reports ~180 Hz in simulation).
    @Test func validateSynchronousIrregular() throws {
        let args = ["validate", "network", Self.brunel, "--set", "connections.1.J=-0.6mV",
                    "--set", "populations.E.external.rate=40Hz", "--set", "populations.I.external.rate=40Hz",
                    "--time", "1s", "--format", "json"]
        let r = try workbench(args, pluginPath: buildDirectory)
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["stable"] as? Bool == false)
        let osc = try #require(o["oscillation"] as? [String: Any])
        let predicted = try #require(osc["predicted_hz"] as? Double)
        let simulated = try #require(osc["simulated_hz"] as? Double)
        #expect(abs(simulated - predicted) < 0.25 * predicted)
        #expect((osc["peak_over_asynchronous"] as? Double ?? 0) > 100)
        // Without the sigma^2 channel the mode is placed near 260 Hz: the check then fails (exit 4).
        let mu = try workbench(args + ["--no-sigma2-channel"], pluginPath: buildDirectory)
        #expect(mu.code == 4, "\(mu.stdout)")
    }
}
