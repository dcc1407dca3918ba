// `workbench validate network FILE`: the mean-field theory of a network against its simulation.
//
// The theory's working point nearest the simulated rates is compared (with several, the report says which).
//
// A stable point: rate, CV and mean V per population, and the population-rate spectra at every frequency, by the
// rule of THEORY §9.0, |sim - theory| <= 4 SE + delta |theory|, where delta is the model error of the mean field
// at this point, estimated from the theory alone as the sum of three terms (per population a and quantity x):
//   shot noise      |gamma_a|, the skewness of the free membrane potential under the shot noise of the inputs,
//                   gamma = kappa_3 / kappa_2^{3/2}, kappa_n = tau sum_b K_ab J_ab^n nu_b / n (external drive
//                   included): the first cumulant the diffusion approximation drops (delta-synapse kernel; an
//                   exponential synapse smooths the input, so this overstates its error).
//   non-Poisson     |x(mu, sigma_np) - x| / |x|: recurrent spike trains are not Poisson; at low frequency, where the
//   input           membrane listens, a renewal train's spectrum is nu CV^2, so the recurrent part of sigma^2 is
//                   scaled by CV_b^2: sigma_np^2 = sigma^2 - tau sum_b K_ab J_ab^2 nu_b (1 - CV_b^2).
//   collective      |x(mu, sigma_c) - x| / |x|: finite size. The populations' rate fluctuations (the linear theory's
//   input           cross-spectra, LinearNetwork.spectra) move every neuron's mean input together; the mean field
//                   has none. Their variance through the membrane, V_c = 2 int_0^fmax S_mu(f) / (1 + (2 pi f tau)^2)
//                   df (trapezoid on the spectrum grid, flat below its first frequency), adds to the free variance:
//                   sigma_c^2 = sigma^2 + 2 V_c.
// A spectrum's delta at f is delta_rate (1 + 2 |Q(f) - 1|): a relative error e of the transfer function changes
// Q D Q^H by about 2 e |Q - 1|, large near a weakly damped mode. A comparison whose delta is 1 (100 %) or more is
// shown but not judged: the theory itself does not claim that number; so is a spectrum below 2/T_segment, where
// Welch's estimate averages over its window's main lobe.
//
// An unstable point (a growing oscillation): the stationary quantities describe a state the network leaves, so they
// are shown, not judged, and the verdict is "not checked" (exit 4) when the mode lies above the spectra's range or
// does not oscillate. The check is that the simulated population rate oscillates near the predicted frequency:
// the largest peak of a spectrum relative to its asynchronous level rate/N must exceed 10, at a frequency within
// 25 % (plus the grid step) of the linear theory's: the nonlinear oscillation's frequency is not the linear onset's.
import Foundation
import MonteCarlo
import WorkbenchCore

public struct NetworkValidation: Sendable {
    public struct Comparison: Sendable {
        public var population: String, quantity: String
        /// The spectrum's frequency [Hz]; nil for rate, CV and mean V.
        public var frequency: Double?
        public var acceptance: Acceptance
        /// Below 2 / T_segment, where the Welch estimate smooths over its window's main lobe.
        public var belowResolution = false
        /// A model error of 100 % or more (the theory disclaims this number) or a frequency below the spectral
        /// resolution: shown, not judged.
        public var judged: Bool { acceptance.delta < 1 && !belowResolution }
        public var failed: Bool { judged && !acceptance.accepted }
    }

    public struct ModelError: Sendable {
        public var skewness: Double
        /// Relative changes of (rate, cv, mean V) under the non-Poisson and the collective input.
        public var nonPoisson: [Double], collective: [Double]
        /// sigma_np and sigma_c [mV].
        public var sigmaNonPoisson: Double, sigmaCollective: Double
        public func delta(_ q: Int) -> Double { skewness + nonPoisson[q] + collective[q] }
    }

    public struct Oscillation: Sendable {
        public var predicted: Double, simulated: Double, population: String
        /// Peak power over rate / N.
        public var peakRatio: Double
        public var accepted: Bool
    }

    public var analysis: NetworkAnalysis
    public var pointIndex: Int
    public var simulation: NetworkSimulationResult
    public var frequencies: [Double]
    public var modelErrors: [ModelError]
    public var comparisons: [Comparison]
    public var oscillation: Oscillation?
    public var stable: Bool
    public var allAgree: Bool {
        stable ? comparisons.contains(where: \.judged) && !comparisons.contains(where: \.failed)
            : (oscillation?.accepted ?? false)
    }

    static let quantities = ["rate_hz", "cv", "mean_v_mv"]

    public static func run(_ model: NetworkModel, theory options: NetworkAnalysis.Options,
                           simulation simOptions: NetworkSimulationOptions) throws -> NetworkValidation {
        var options = options
        var sim = simOptions
        // Ascending and distinct: the collective-input integral and the mode's range check read the grid in order.
        options.spectrumFrequencies = Array(Set(options.spectrumFrequencies)).sorted()
        if options.spectrumFrequencies.isEmpty {
            let top = min(500, 500 / sim.dt)
            options.spectrumFrequencies = stride(from: 5.0, through: top, by: 5).map { $0 }
        }
        sim.spectrumFrequencies = options.spectrumFrequencies
        options.stability = true
        let analysis = try NetworkAnalysis.run(model, options)
        let simulation = try NetworkRun.simulate(model, sim)
        let simulated = simulation.populations.map(\.rate.value)
        // The working point nearest the simulation (relative distance of the rates).
        let distance = { (p: NetworkAnalysis.Point) in
            zip(p.workingPoint.rates, simulated).reduce(0.0) { s, r in
                s + pow((r.0 - r.1) / max(abs(r.1), 1e-3), 2)
            }
        }
        let nearest = analysis.points.indices.min { distance(analysis.points[$0]) < distance(analysis.points[$1]) }
        guard let index = nearest else { throw WorkbenchError.badInput("the theory found no working point to compare") }
        let point = analysis.points[index]
        let stable = point.stability?.stable ?? false
        let freqs = options.spectrumFrequencies
        let errors = try modelErrors(model, point, options)

        var comparisons: [Comparison] = []
        let (_, rateTheory) = try NetworkAnalysis.rateTheory(model, options)
        let stationary = try rateTheory.evaluate(
            model.populations.indices.map { ($0, point.workingPoint.mu[$0], point.workingPoint.sigma[$0], 0) },
            want: quantities, names: model.populations.map(\.name))
        for (a, pop) in simulation.populations.enumerated() {
            let measured = [pop.rate, pop.cv, pop.meanV]
            for (q, name) in quantities.enumerated() {
                guard let out = rateTheory.output(name) else { continue }
                let th = stationary.value(a, out)
                guard th.isFinite, measured[q].value.isFinite else { continue }
                comparisons.append(Comparison(
                    population: pop.name, quantity: name, frequency: nil,
                    acceptance: Acceptance(theory: th, monteCarlo: measured[q].value,
                                           standardError: measured[q].standardError, delta: errors[a].delta(q))))
            }
            if let spectra = point.spectra {
                let resolution = 2000 * Double(sim.segments) / sim.time     // 2 / T_segment [Hz]
                for (k, f) in freqs.enumerated() where spectra.power[a][k].isFinite {
                    let delta = errors[a].delta(0) * (1 + 2 * spectra.amplification[k])
                    comparisons.append(Comparison(
                        population: pop.name, quantity: "spectrum_hz", frequency: f,
                        acceptance: Acceptance(theory: spectra.power[a][k], monteCarlo: pop.spectrum[k].value,
                                               standardError: pop.spectrum[k].standardError, delta: delta),
                        belowResolution: f < resolution))
                }
            }
        }
        var oscillation: Oscillation?
        if !stable, let st = point.stability, st.modeFrequency > 0, st.modeFrequency <= freqs.last ?? 0 {
            // The clearest peak over all populations, relative to each one's asynchronous level.
            var best = (ratio: 0.0, f: Double.nan, population: "")
            for pop in simulation.populations {
                let level = pop.rate.value / Double(pop.size)
                for (k, f) in freqs.enumerated() where pop.spectrum[k].value / level > best.ratio {
                    best = (pop.spectrum[k].value / level, f, pop.name)
                }
            }
            let step = freqs.count > 1 ? freqs[1] - freqs[0] : 0
            let near = abs(best.f - st.modeFrequency) <= 0.25 * st.modeFrequency + step
            oscillation = Oscillation(predicted: st.modeFrequency, simulated: best.f, population: best.population,
                                      peakRatio: best.ratio, accepted: best.ratio >= 10 && near)
        }
        return NetworkValidation(
            analysis: analysis, pointIndex: index, simulation: simulation, frequencies: freqs, modelErrors: errors,
            comparisons: comparisons, oscillation: oscillation, stable: stable)
    }

    /// The three model-error terms of the file comment, per population.
    static func modelErrors(_ model: NetworkModel, _ point: NetworkAnalysis.Point, _ options: NetworkAnalysis.Options)
        throws -> [ModelError]
    {
        let wp = point.workingPoint, n = model.count
        let (_, theory) = try NetworkAnalysis.rateTheory(model, options)
        var sigmaNP = [Double](repeating: 0, count: n), sigmaC = sigmaNP, skew = sigmaNP
        for a in 0..<n {
            let p = model.populations[a], tau = p.tauM * 1e-3
            var k2 = p.externalIndegree * pow(p.externalWeight, 2) * p.externalRate
            var k3 = p.externalIndegree * pow(p.externalWeight, 3) * p.externalRate
            var recurrentReduction = 0.0
            for b in 0..<n where model.indegree[a][b] > 0 {
                let kj2 = model.indegree[a][b] * pow(model.weight[a][b], 2) * wp.rates[b]
                k2 += kj2
                k3 += model.indegree[a][b] * pow(model.weight[a][b], 3) * wp.rates[b]
                let cv = wp.cv[b].isFinite ? wp.cv[b] : 1
                recurrentReduction += tau * kj2 * (1 - cv * cv)
            }
            skew[a] = k2 > 0 ? abs(tau * k3 / 3) / pow(tau * k2 / 2, 1.5) : 0     // no shot noise, no skew
            let s2 = wp.sigma[a] * wp.sigma[a]
            sigmaNP[a] = max(s2 - recurrentReduction, 0.01 * s2).squareRoot()
            var variance = 0.0
            if let sp = point.spectra {
                let f = sp.frequencies
                let g = { (k: Int) in sp.collectiveInput[a][k] / (1 + pow(2 * Double.pi * f[k] * tau, 2)) }
                if let first = f.first, g(0).isFinite { variance += first * g(0) }
                for k in 1..<max(f.count, 1) where g(k).isFinite && g(k - 1).isFinite {
                    variance += 0.5 * (g(k) + g(k - 1)) * (f[k] - f[k - 1])
                }
                variance *= 2
            }
            // V_c < 0 is real: negative correlations cancel part of the shared input (Renart et al. 2010).
            sigmaC[a] = max(s2 + 2 * variance, 0.01 * s2).squareRoot()
        }
        var rows: [(population: Int, mu: Double, sigma: Double, f: Double)] = []
        for a in 0..<n {
            rows += [(a, wp.mu[a], wp.sigma[a], 0), (a, wp.mu[a], sigmaNP[a], 0), (a, wp.mu[a], sigmaC[a], 0)]
        }
        let batch = try theory.evaluate(rows, want: quantities, names: model.populations.map(\.name))
        return (0..<n).map { a in
            let change = { (row: Int) -> [Double] in
                quantities.map { name -> Double in
                    guard let out = theory.output(name) else { return 0 }
                    let x = batch.value(3 * a, out), y = batch.value(3 * a + row, out)
                    guard x.isFinite, y.isFinite, x != 0 else { return 0 }
                    return abs(y - x) / abs(x)
                }
            }
            return ModelError(skewness: skew[a], nonPoisson: change(1), collective: change(2),
                              sigmaNonPoisson: sigmaNP[a], sigmaCollective: sigmaC[a])
        }
    }
}

extension NetworkValidation {
    var verdict: String {
        if stable {
            let judged = comparisons.filter(\.judged).count, bad = comparisons.filter(\.failed).count
            let skipped = comparisons.count - judged
            if judged == 0 { return "NOT CHECKED: no comparison has a model error below 100 %" }
            let note = skipped > 0 ? " (\(skipped) not judged: model error >= 100 % or below 2/T_segment)" : ""
            return (bad == 0 ? "AGREE: all \(judged) judged comparisons within 4 SE + model error"
                : "DISAGREE: \(bad) of \(judged) judged comparisons outside 4 SE + model error") + note
        }
        guard let o = oscillation else {
            let f = analysis.points[pointIndex].stability?.modeFrequency ?? 0
            if f > 0 {
                return String(format: "NOT CHECKED: the growing mode at %.4g Hz is above the spectra's %.4g Hz "
                              + "(--spectrum; at most the simulation's Nyquist frequency)", f, frequencies.last ?? 0)
            }
            return "NOT CHECKED: the working point has a non-oscillating growing mode (the network leaves it)"
        }
        return (o.accepted ? "AGREE" : "DISAGREE")
            + String(format: ": the theory predicts an oscillation near %.4g Hz; the simulated rate of %@ peaks at "
                     + "%.4g Hz, %.3g times its asynchronous level (needs >= 10, within 25 %%)",
                     o.predicted, o.population, o.simulated, o.peakRatio)
    }

    public var verdictLine: String { verdict }

    public func table(file: String) -> String {
        let s = simulation, o = s.options, a = analysis
        var out = "validate network \(a.network.name) (\(file)): theory \(a.rateEstimator)"
            + (a.responseEstimator.map { " + \($0)" } ?? "")
            + ((analysis.points[pointIndex].stability?.sigma2Channel ?? false) ? " (mu and sigma^2 channels)" : "")
            + "\nsimulation: \(a.network.neurons) neurons, \(s.synapses) synapses, \(formatNumber(o.time)) ms after "
            + "\(formatNumber(o.burnIn)) ms, dt = \(formatNumber(o.dt)) ms, seed \(o.seed)\n"
        let point = a.points[pointIndex]
        out += "working point \(pointIndex + 1) of \(a.points.count) (nearest the simulated rates): "
        if let st = point.stability {
            let peak = point.spectra.flatMap { sp in sp.power[0].indices.max { sp.power[0][$0] < sp.power[0][$1] } }
            if st.stable, let sp = point.spectra, let k = peak {
                out += String(format: "stable; the theory's spectrum of %@ peaks at %.4g Hz\n",
                              a.network.populations[0].name, sp.frequencies[k])
            } else {
                out += String(format: "UNSTABLE, %d growing modes near %.4g Hz\n", st.unstableModes, st.modeFrequency)
            }
        }
        out += "\nmodel error of the mean field (relative, for rate / CV / mean V):\n"
        var rows = [["population", "shot-noise skew", "non-Poisson input", "collective input", "delta"]]
        for (k, e) in modelErrors.enumerated() {
            let triple = { (v: [Double]) in v.map { String(format: "%.3f", $0) }.joined(separator: " / ") }
            rows.append([a.network.populations[k].name, String(format: "%.3f", e.skewness), triple(e.nonPoisson),
                         triple(e.collective), triple((0..<3).map(e.delta))])
        }
        out += renderTextTable(rows)
        out += "\n"
        rows = [["population", "quantity", "theory", "simulation", "delta", "z", stable ? "verdict" : "(not judged)"]]
        for c in comparisons where c.frequency == nil {
            let x = c.acceptance
            rows.append([c.population, c.quantity, formatSignificant(x.theory, 6),
                         Estimate(value: x.monteCarlo, standardError: x.standardError, batches: 2).text,
                         String(format: "%.3f", x.delta), String(format: "%+.1f", x.z),
                         !stable ? "" : !c.judged ? "not judged" : x.accepted ? "agree" : "DISAGREE"])
        }
        out += renderTextTable(rows)
        if stable {
            out += "\npopulation-rate spectra at \(frequencies.count) frequencies "
                + "(\(formatNumber(frequencies.first ?? 0))-\(formatNumber(frequencies.last ?? 0)) Hz):\n"
            for pop in s.populations {
                let all = comparisons.filter { $0.population == pop.name && $0.frequency != nil }
                let own = all.filter(\.judged), bad = own.filter(\.failed)
                var line = "  \(pop.name): \(own.count - bad.count) of \(own.count) judged agree"
                if all.count > own.count { line += " (\(all.count - own.count) not judged)" }
                if let worst = own.max(by: { abs($0.acceptance.z) < abs($1.acceptance.z) }) {
                    line += String(format: "; largest |z| at %.4g Hz: theory %.4g, simulation %.4g ± %.2g Hz",
                                   worst.frequency ?? 0, worst.acceptance.theory, worst.acceptance.monteCarlo,
                                   worst.acceptance.standardError)
                }
                out += line + "\n"
            }
        }
        return out + "\n" + verdict + "\n"
    }

    public func json(file: String) -> String {
        func num(_ v: Double) -> JSON { JSON.num(v) }
        let rows: [JSON] = comparisons.map { c in
            var f: [(String, JSON)] = [("population", .string(c.population)), ("quantity", .string(c.quantity))]
            if let fr = c.frequency { f.append(("f_hz", num(fr))) }
            let x = c.acceptance
            f += [("theory", num(x.theory)), ("simulation", num(x.monteCarlo)), ("se", num(x.standardError)),
                  ("delta", num(x.delta)), ("z", num(x.z)), ("judged", .bool(c.judged)),
                  ("accepted", .bool(x.accepted))]
            return .object(f)
        }
        let errors: [JSON] = modelErrors.enumerated().map { k, e in
            .object([("population", .string(analysis.network.populations[k].name)), ("skewness", num(e.skewness)),
                     ("non_poisson", .array(e.nonPoisson.map(num))), ("collective", .array(e.collective.map(num))),
                     ("sigma_non_poisson_mv", num(e.sigmaNonPoisson)),
                     ("sigma_collective_mv", num(e.sigmaCollective))])
        }
        var top: [(String, JSON)] = [
            ("workbench_version", .string(workbenchVersion)), ("file", .string(file)),
            ("network", .string(analysis.network.name)), ("working_point", .number(Double(pointIndex + 1))),
            ("stable", .bool(stable)), ("model_errors", .array(errors)), ("comparisons", .array(rows)),
        ]
        if let o = oscillation {
            top.append(("oscillation", .object([
                ("predicted_hz", num(o.predicted)), ("simulated_hz", num(o.simulated)),
                ("population", .string(o.population)), ("peak_over_asynchronous", num(o.peakRatio)),
                ("accepted", .bool(o.accepted)),
            ])))
        }
        top += [("agree", .bool(allAgree)), ("verdict", .string(verdict)),
                ("simulation_seconds", num(simulation.runSeconds)), ("theory_seconds", num(analysis.seconds))]
        return JSON.object(top).render() + "\n"
    }

    public func csv() -> String {
        var s = "population,quantity,f_hz,theory,simulation,se,delta,z,judged,accepted\n"
        for c in comparisons {
            let x = c.acceptance
            s += [c.population, c.quantity, c.frequency.map(csvNumber) ?? "", csvNumber(x.theory),
                  csvNumber(x.monteCarlo), csvNumber(x.standardError), csvNumber(x.delta), csvNumber(x.z),
                  String(c.judged), String(x.accepted)].joined(separator: ",") + "\n"
        }
        return s
    }
}
