// Recurrent networks: the description file, the self-consistent working points (against NNMT 1.3.0 on the same
// files, Tests/Fixtures/networks_nnmt.json from Benchmarks/nnmt_network.py), stability and spectra, the command.
import Foundation
import NetworkTheory
import Testing
import WorkbenchCore

@Suite("Networks") struct NetworkTests {
    static let brunel = packageRoot + "/examples/networks/brunel-A.yaml"
    static let microcircuit = packageRoot + "/examples/networks/microcircuit.yaml"

    func options(spectrum: [Double] = []) -> NetworkAnalysis.Options {
        var o = NetworkAnalysis.Options()
        o.pluginPaths = [buildDirectory]
        o.spectrumFrequencies = spectrum
        return o
    }

    @Test func fileErrorsNameTheKey() throws {
        let base = """
            neuron: {tau_m: 20 ms, theta: 20 mV, v_reset: 10 mV}
            populations:
              E: {size: 100, external: {rate: 10 Hz, indegree: 100, J: 0.2 mV}}
            connections:
              - {from: E, to: E, indegree: 50, J: 0.1 mV, delay: 1 ms}

            """
        #expect(try NetworkFile.parse(base).indegree == [[50]])
        let cases: [(String, [String], String)] = [
            (base + "extra: 1\n", [], "'extra' is not a known key"),
            (base, ["populations.E.size=0"], "'populations.E.size' = 0 is out of range"),
            (base, ["populations.E.size=1.5"], "an integer"),
            (base, ["populations.E.v_reset=25mV"], "'populations.E.v_reset' = 25 mV is out of range (valid: < theta"),
            (base, ["populations.E.tau_m=-1"], "'populations.E.tau_m' = -1 is out of range (valid: > 0 ms)"),
            (base, ["connections.0.from=X"], "names population 'X'"),
            (base, ["connections.0.probability=0.5"], "exactly one of indegree and probability"),
            (base, ["connections.0.delay=2kg"], "connections.0.delay"),
            (base, ["connections.5.J=1"], "not an index"),
            (base, ["populations.E.bogus.x=1"], "no key 'bogus'"),
            (base, ["nothing"], "expected path=value"),
            ("populations: {}\n", [], "'populations' is missing or empty"),
            ("a: [1\n", [], "not valid YAML"),
        ]
        for (text, sets, needle) in cases {
            #expect(throws: WorkbenchError.self) { try NetworkFile.parse(text, overrides: sets) }
            do { _ = try NetworkFile.parse(text, overrides: sets) } catch let e as WorkbenchError {
                #expect(e.message.contains(needle), "\(sets): \(e.message)")
            }
        }
        // --set replaces and adds; a probability becomes K = p N_from.
        let net = try NetworkFile.parse(base, overrides: ["populations.E.dc=2mV", "connections.0.J=-0.3mV"])
        #expect(net.populations[0].dc == 2 && net.weight[0][0] == -0.3)
        let p = try NetworkFile.parse(base.replacingOccurrences(of: "indegree: 50", with: "probability: 0.25"))
        #expect(p.indegree[0][0] == 25)
    }

    struct Fixture: Decodable { let rates_hz: [Double]; let mu_mv: [Double]; let sigma_mv: [Double] }

    func fixture(_ name: String) throws -> Fixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Tests/Fixtures/networks_nnmt.json"))
        let all = try JSONDecoder().decode([String: Fixture].self, from: data)
        return try #require(all[name])
    }

    /// NNMT integrates to an increment of 1e-12 Hz; its Siegert quadrature and ours agree to ~1e-9 relative.
    @Test("working points agree with NNMT 1.3.0 on Brunel's model A and the microcircuit",
          arguments: [("brunel-A", brunel, 1e-8), ("microcircuit", microcircuit, 1e-6)])
    func workingPointAgreesWithNNMT(_ name: String, _ file: String, _ tolerance: Double) throws {
        let result = try NetworkAnalysis.run(try NetworkFile.load(path: file), options())
        #expect(result.points.count == 1, "\(name): \(result.points.count) working points")
        let wp = try #require(result.points.first).workingPoint
        let ref = try fixture(name)
        for a in ref.rates_hz.indices {
            expectRelative(wp.rates[a], ref.rates_hz[a], tolerance, "\(name) rate \(a)")
            expectRelative(wp.mu[a], ref.mu_mv[a], tolerance, "\(name) mu \(a)")
            expectRelative(wp.sigma[a], ref.sigma_mv[a], tolerance, "\(name) sigma \(a)")
        }
        #expect(wp.residual < 1e-11)
        let st = try #require(result.points.first?.stability)
        if name == "brunel-A" {
            #expect(st.stable && st.warningsAtMode.isEmpty, "Brunel's asynchronous irregular state is stable")
        } else {
            // NNMT's own transfer function and connectivity wind det(1 - M) 6 times too (Benchmarks/nnmt_nyquist.py):
            // eigenvalues cross 1 near 350 Hz, where the shift theory no longer holds, and the report says so.
            #expect(st.unstableModes == 6 && abs(st.modeFrequency - 350) < 30, "\(st.unstableModes) \(st.modeFrequency)")
            #expect(st.warningsAtMode.contains { $0.contains("outside the validity") })
        }
    }

    /// One excitatory population with strong recurrence and weak noise: a silent state, a middle state and a
    /// high-rate one. The silent one is stable; the middle one is a saddle: one growing mode, which does not
    /// oscillate (det(1 - M(0)) < 0).
    @Test func bistableNetworkHasThreeWorkingPoints() throws {
        let text = """
            neuron: {tau_m: 20 ms, theta: 20 mV, v_reset: 10 mV, tau_ref: 2 ms}
            populations:
              E: {size: 1000, external: {rate: 5 Hz, indegree: 1000, J: 0.1 mV}}
            connections:
              - {from: E, to: E, indegree: 200, J: 0.3 mV, delay: 1 ms}

            """
        let result = try NetworkAnalysis.run(try NetworkFile.parse(text), options())
        let rates = result.points.map { $0.workingPoint.rates[0] }
        #expect(rates.count == 3 && rates[0] < 1e-6 && rates[1] > 1 && rates[1] < 20 && rates[2] > 300, "\(rates)")
        guard result.points.count == 3 else { return }
        #expect(result.points.allSatisfy { $0.workingPoint.residual < 1e-11 })
        #expect(result.points[0].stability!.stable)
        let saddle = result.points[1].stability!
        #expect(saddle.unstableModes == 1 && saddle.modeFrequency == 0, "\(saddle)")
    }

    /// Brunel (2000) fig. 8: the asynchronous irregular state (g = 5, eta = 2) is stable; with g = 6, eta = 4 the
    /// fast oscillation (synchronous irregular, Brunel's ~180 Hz at D = 1.5 ms) grows.
    @Test func brunelFastOscillationIsUnstable() throws {
        let sets = ["connections.1.J=-0.6mV", "populations.E.external.rate=40Hz", "populations.I.external.rate=40Hz"]
        let result = try NetworkAnalysis.run(try NetworkFile.load(path: Self.brunel, overrides: sets), options())
        let st = try #require(result.points.first?.stability)
        #expect(!st.stable && st.unstableModes >= 1)
        #expect(st.modeFrequency > 100 && st.modeFrequency < 300, "\(st.modeFrequency) Hz")
    }

    /// Weak coupling (J / 10^4, the mean input kept by a DC shift): M ~ 0, so each population rate's spectrum is its
    /// neurons' spike-train spectrum / N (linear-response's spectrum_hz) at every frequency.
    @Test func weaklyCoupledSpectraAreTheIndependentLimit() throws {
        let freqs = [1.0, 10, 100, 1000]
        let strong = try NetworkAnalysis.run(try NetworkFile.load(path: Self.brunel), options())
        let mu = strong.points[0].workingPoint.mu[0]
        let weak = ["connections.0.J=0.00001mV", "connections.1.J=-0.00005mV", "populations.E.external.J=0.3mV",
                    "populations.I.external.J=0.3mV", "populations.E.external.rate=20Hz"]
        var net = try NetworkFile.load(path: Self.brunel, overrides: weak)
        let wp0 = try NetworkAnalysis.run(net, options()).points[0].workingPoint
        for a in net.populations.indices { net.populations[a].dc = mu - (wp0.mu[a] - net.populations[a].dc) }
        let result = try NetworkAnalysis.run(net, options(spectrum: freqs))
        let p = try #require(result.points.first), sp = try #require(p.spectra)
        let lr = try #require(PluginRegistry(searchPath: [buildDirectory]).estimator(named: "linear-response"))
        for (a, pop) in result.network.populations.enumerated() {
            for (k, f) in freqs.enumerated() {
                var row = lr.parameters.map(\.defaultValue)
                row[lr.parameter(named: "mu")!.index] = p.workingPoint.mu[a]
                row[lr.parameter(named: "sigma")!.index] = p.workingPoint.sigma[a]
                row[lr.parameter(named: "f")!.index] = f
                let single = lr.evaluate(row).value(0, lr.output(named: "spectrum_hz")!.index)
                expectRelative(sp.power[a][k], single / Double(pop.size), 0.02, "\(pop.name) at \(f) Hz")
            }
        }
        // With the published coupling the network shapes the spectrum: not the independent limit at low f.
        let shaped = try NetworkAnalysis.run(try NetworkFile.load(path: Self.brunel), options(spectrum: [1])).points[0]
        #expect(shaped.spectra!.power[0][0].isFinite && shaped.spectra!.power[0][0] > 0)
    }

    /// Populations with and without exponential synapses in one network: the coloured-noise estimators serve both
    /// (tau_s = 0 is their white-noise limit). Slow synapses raise I's effective threshold (the shift), so I fires
    /// less than E and E, less inhibited, more than in the all-delta network.
    @Test func mixedSynapsesUseTheColouredEstimatorsForAll() throws {
        let white = try NetworkAnalysis.run(try NetworkFile.load(path: Self.brunel), options())
        let mixed = try NetworkAnalysis.run(
            try NetworkFile.load(path: Self.brunel, overrides: ["populations.I.tau_s=0.5ms"]), options())
        #expect(mixed.rateEstimator == "siegert-colored" && mixed.points.count == 1)
        let w = white.points[0].workingPoint.rates, m = mixed.points[0].workingPoint.rates
        #expect(m[1] < m[0] && m[0] > w[0] && w[0] == w[1], "\(m) vs \(w)")
        #expect(mixed.points[0].workingPoint.residual < 1e-11)
        #expect(mixed.points[0].stability != nil)
    }

    @Test func commandPrintsTableJSONAndSweeps() throws {
        let table = try workbench(["network", Self.brunel])
        #expect(table.code == 0, "\(table.stderr)")
        #expect(table.stdout.contains("working point 1 of 1: stable") && table.stdout.contains("rate [Hz]"))
        let json = try workbench(["network", Self.brunel, "--format", "json", "--spectrum", "10,100"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let points = try #require(object["working_points"] as? [[String: Any]])
        #expect(points.count == 1 && (points[0]["spectra"] as? [String: Any]) != nil)
        let sweep = try workbench(["network", Self.brunel, "--grid", "populations.E.external.rate=15,20,25", "--no-stability"])
        #expect(sweep.code == 0 && sweep.stdout.split(separator: "\n").count == 1 + 3 * 2, "\(sweep.stdout)")
        let bad = try workbench(["network", Self.brunel, "--set", "populations.E.size=-3"])
        #expect(bad.code == 2 && bad.stderr.contains("populations.E.size"), "\(bad.stderr)")
        let missing = try workbench(["network", "/no/such.yaml"])
        #expect(missing.code == 2 && missing.stderr.contains("cannot read the network file"))
    }
}
