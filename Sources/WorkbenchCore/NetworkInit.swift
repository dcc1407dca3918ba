// `workbench init`: weight statistics per layer for a network of given widths, composed from the
// estimators through the plugin ABI (DESIGN.md §3) — fluctuation-init + siegert-colored (THEORY §6.6),
// variance-flow-init (§7) or rate-collapse (§8) — with the same network under Kaiming and Glorot beside it.
import Foundation

public struct NetworkInit {
    public enum Scheme: String, CaseIterable, Sendable { case fluctuation, varianceFlow = "variance-flow", rateCollapse = "rate-collapse" }

    /// One layer of the planned network (layer l has widths[l] neurons and fan-in widths[l − 1]).
    public struct Layer {
        public var index, neurons, fanIn: Int
        public var muW = 0.0, sigmaW = 0.0
        public var meanU = Double.nan, stdU = Double.nan
        /// Rate [Hz] (fluctuation, rate-collapse) or spike probability per step (variance-flow), with its log.
        public var activity = Double.nan, lnActivity = Double.nan
        public var extra: [(String, Double)] = []
    }

    public let scheme: Scheme
    public let widths: [Int]
    var options: [String: String]
    let registry: PluginRegistry

    /// The options of the schemes (each takes the ones `rejected` does not list for it).
    public static let known: Set<String> = ["nu", "tau_m", "tau_syn", "theta", "v_reset", "tau_ref", "time_step", "mu_u", "xi",
                                            "sigma_u", "inh_fraction", "tau_syn_inh", "sigma_target", "sigma0", "nu_target",
                                            "init", "n_var_w", "jumps"]

    /// Options of `known` that a scheme does not take (an error when given); the REPL's session defaults
    /// skip them too.
    public static let rejected: [Scheme: [String]] = [
        .fluctuation: ["sigma_target", "sigma0", "nu_target", "init", "n_var_w", "jumps"],
        .varianceFlow: ["nu", "tau_m", "tau_syn", "v_reset", "tau_ref", "time_step", "mu_u", "xi", "sigma_u", "inh_fraction", "tau_syn_inh", "nu_target", "init", "n_var_w", "jumps"],
        .rateCollapse: ["tau_syn", "time_step", "mu_u", "xi", "sigma_u", "inh_fraction", "tau_syn_inh", "sigma_target", "sigma0"],
    ]

    /// The options a scheme takes, besides layers, scheme, format and plugin_path.
    public static func parameterOptions(_ scheme: Scheme) -> Set<String> {
        known.subtracting(rejected[scheme] ?? [])
    }

    /// The planner of one network: `widthsText` as given to --layers ("700,256,256,20"), the scheme, and
    /// the scheme's options by snake_case name as the user wrote them (units parsed here, with named errors).
    public init(layers widthsText: String, scheme: Scheme, options: [String: String],
                pluginPaths: [String] = []) throws {
        for name in options.keys where !Self.known.contains(name) {
            throw WorkbenchError.badInput("unknown option '--\(name.replacingOccurrences(of: "_", with: "-"))' for init "
                + "(options: \(Self.known.sorted().joined(separator: ", ")))")
        }
        let widths = widthsText.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard widths.count >= 2, widths.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw WorkbenchError.badInput("option 'layers' = '\(widthsText)' is out of range (valid: two or more positive integer widths, input first)")
        }
        self.widths = widths.map { $0! }
        self.scheme = scheme
        self.options = options
        registry = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath(explicit: pluginPaths))
    }

    // MARK: evaluation through the ABI

    func estimator(_ name: String) throws -> LoadedEstimator {
        guard let e = registry.estimator(named: name) else {
            throw WorkbenchError.badInput("init needs the estimator '\(name)', which no loaded plugin provides" +
                                          (registry.failures.isEmpty ? "" : " (failed plugin files: \(registry.failures.map(\.description).joined(separator: "; ")))"))
        }
        return e
    }

    /// One row, parameters by name (choices by label); a failed row is a bad-input error naming the layer.
    func evaluate(_ name: String, _ values: [String: Any], layer: Int, warnings: inout [String]) throws -> [String: Double] {
        let e = try estimator(name)
        var row = e.parameters.map(\.defaultValue)
        for (k, v) in values {
            guard let p = e.parameter(named: k) else { throw WorkbenchError(.internalError, "\(name) has no parameter \(k)") }
            if let label = v as? String {
                guard let i = p.choices.firstIndex(of: label) else { throw WorkbenchError.badInput("\(k) = '\(label)' is not one of: \(p.choices.joined(separator: ", "))") }
                row[p.index] = Double(i)
            } else { row[p.index] = v as! Double }
            if let m = e.check(p, row[p.index]) { throw WorkbenchError.badInput("layer \(layer): \(m)") }
        }
        let b = e.evaluate(row)
        if b.status[0] < 0 { throw WorkbenchError.badInput("layer \(layer) (\(name)): \(b.messages[0] ?? "failed")") }
        if b.status[0] > 0 {
            for (i, w) in e.warnings.enumerated() where b.status[0] & (1 << i) != 0 { warnings.append("layer \(layer) (\(name)): \(w)") }
        }
        var out = [String: Double]()
        for o in e.outputs { out[o.name] = b.value(0, o.index) }
        return out
    }

    func number(_ name: String, unit: String, default d: Double?) throws -> Double? {
        guard let t = options[name] else { return d }
        return try Quantity.parse(t, unit: unit, name: name)
    }

    func required(_ name: String, unit: String, why: String) throws -> Double {
        guard let v = try number(name, unit: unit, default: nil) else { throw WorkbenchError.badInput("scheme \(scheme.rawValue) needs --\(name.replacingOccurrences(of: "_", with: "-")) (\(why))") }
        return v
    }

    /// The input layer's Poisson rate: finite and > 0 (a silent input leaves every layer at 0 Hz whatever the
    /// weights, and the per-layer statistics would be 0/0).
    func inputRate() throws -> Double {
        let nu = try required("nu", unit: "Hz", why: "Poisson rate of the input layer")
        guard nu > 0 && nu.isFinite else {
            throw WorkbenchError.badInput("option '--nu' = \(formatNumber(nu)) Hz is out of range (valid: a finite rate > 0 Hz; "
                                          + "a silent input layer leaves every layer at 0 Hz whatever the weights)")
        }
        return nu
    }

    func reject(_ names: [String]) throws {
        for n in names where options[n] != nil {
            throw WorkbenchError.badInput("option '--\(n.replacingOccurrences(of: "_", with: "-"))' does not apply to scheme \(scheme.rawValue)")
        }
    }

    // MARK: the schemes

    public struct Plan {
        public var layers: [Layer] = []
        /// Per layer 1...L-1: the scheme's activity and the same network's under Kaiming and Glorot.
        public var comparison: [(layer: Int, scheme: Double, kaiming: Double, glorot: Double, lnScheme: Double, lnKaiming: Double, lnGlorot: Double)] = []
        public var activityName = "rate_hz", activityUnit = "Hz"
        public var setting: [String] = []
        public var verdict: [String] = []
        public var warnings: [String] = []
        public var scheme = Scheme.fluctuation
        public var widths: [Int] = []
    }

    public func plan() throws -> Plan {
        var p: Plan
        switch scheme {
        case .fluctuation: p = try fluctuation()
        case .varianceFlow: p = try varianceFlow()
        case .rateCollapse: p = try rateCollapse()
        }
        p.warnings = Self.grouped(p.warnings)
        (p.scheme, p.widths) = (scheme, widths)
        return p
    }

    /// "layer 1 (x): w", "layer 2 (x): w" → "layers 1, 2 (x): w".
    static func grouped(_ warnings: [String]) -> [String] {
        var order: [String] = [], layers: [String: [String]] = [:]
        for w in warnings {
            guard w.hasPrefix("layer "), let space = w.dropFirst(6).firstIndex(of: " ") else { order.append(w); continue }
            let layer = String(w[w.index(w.startIndex, offsetBy: 6)..<space]), rest = String(w[space...])
            if layers[rest] == nil { order.append(rest) }
            layers[rest, default: []].append(layer)
        }
        return order.map { key in
            guard let l = layers[key] else { return key }
            return (l.count == 1 ? "layer " : "layers ") + l.joined(separator: ", ") + key
        }
    }

    enum Baseline { case kaiming, glorot }
    func baselineSigmaW(_ b: Baseline, _ l: Int) -> Double {
        let nIn = Double(widths[l - 1]), nOut = Double(widths[l])
        return b == .kaiming ? (2 / nIn).squareRoot() : (2 / (nIn + nOut)).squareRoot()
    }

    func fluctuation() throws -> Plan {
        try reject(Self.rejected[.fluctuation]!)
        let inhFraction = try number("inh_fraction", unit: "1", default: nil)
        if let f = inhFraction, !(f > 0 && f < 1) { throw WorkbenchError.badInput("option 'inh_fraction' = \(formatNumber(f)) is out of range (valid: 0 < f < 1)") }
        if inhFraction != nil, let m = options["mu_u"], (try Quantity.parse(m, unit: "1", name: "mu_u")) != 0 {
            throw WorkbenchError.badInput("the Dale variant (--inh-fraction) is balanced: mean_u = 0, so --mu-u does not apply")
        }
        if inhFraction == nil && options["tau_syn_inh"] != nil { throw WorkbenchError.badInput("option '--tau-syn-inh' applies with --inh-fraction (Dale's law) only") }
        var plan = Plan()
        let nu = try inputRate()
        let tauM = try number("tau_m", unit: "ms", default: 20)!, tauSyn = try number("tau_syn", unit: "ms", default: 5)!
        let theta = try number("theta", unit: "1", default: 1)!, vReset = try number("v_reset", unit: "1", default: 0)!
        let tauRef = try number("tau_ref", unit: "ms", default: 0)!, timeStep = try number("time_step", unit: "ms", default: nil)
        let muU = try number("mu_u", unit: "1", default: 0)!
        let xi = try number("xi", unit: "1", default: nil), sigmaU = try number("sigma_u", unit: "1", default: nil)
        guard (xi == nil) != (sigmaU == nil) else { throw WorkbenchError.badInput("scheme fluctuation needs one fluctuation target: --xi (distance of the mean from threshold in std) or --sigma-u") }
        var common: [String: Any] = ["tau_m": tauM, "tau_syn": tauSyn, "theta": theta]
        if let timeStep { common["time_step"] = timeStep }
        var targets = common
        if inhFraction == nil { targets["target_mu_u"] = muU }
        if let t = try number("tau_syn_inh", unit: "ms", default: nil) { targets["tau_syn_inh"] = t }
        if let xi { targets["xi"] = xi } else { targets["target_sigma_u"] = sigmaU! }
        plan.setting = ["neuron: tau_m = \(formatNumber(tauM)) ms, tau_syn = \(formatNumber(tauSyn)) ms, theta = \(formatNumber(theta)), v_reset = \(formatNumber(vReset)), tau_ref = \(formatNumber(tauRef)) ms" + (timeStep.map { ", time_step = \(formatNumber($0)) ms (discrete kernel)" } ?? ""),
                        (inhFraction.map { "Dale's law: a fraction \(formatNumber($0)) of each layer's inputs inhibitory, exponential weights (w = ±Exp(lambda)), balanced; " } ?? "") +
                        "targets: mean_u = \(formatNumber(muU)), " + (xi.map { "xi = \(formatNumber($0))" } ?? "sigma_u = \(formatNumber(sigmaU!))") + "; input rate \(formatNumber(nu)) Hz",
                        "rates: coloured-noise LIF (siegert-colored, shift) on the Gaussian free-membrane statistics, sigma = std_u sqrt(2 (tau_m + tau_syn)/tau_m) — the catalogue's composition (THEORY §6.6), not the paper's measured rates"]
        // Emitted rate of a layer from its free-membrane statistics (THEORY §6.6), in logs.
        func rate(_ mean: Double, _ std: Double, layer: Int, _ w: inout [String]) throws -> (Double, Double) {
            let sigma = std * (2 * (tauM + tauSyn) / tauM).squareRoot()
            guard sigma > 0 else { return (0, -.infinity) }
            let r = try evaluate("siegert-colored", ["mu": mean, "sigma": sigma, "theta": theta, "v_reset": vReset, "tau_m": tauM,
                                                     "tau_ref": tauRef, "tau_s": tauSyn], layer: layer, warnings: &w)
            return (r["rate_hz"]!, r["ln_rate_hz"]!)
        }
        var inputRate = nu
        var base: [Baseline: (Double, Double)] = [.kaiming: (nu, log(nu)), .glorot: (nu, log(nu))]
        var ignored: [String] = []
        for l in 1..<widths.count {
            var layer = Layer(index: l, neurons: widths[l], fanIn: widths[l - 1])
            guard inputRate > 0 else { throw WorkbenchError.badInput("layer \(l): the input rate has collapsed to 0 Hz, so no finite weights reach the targets") }
            var values = targets
            values["n"] = Double(widths[l - 1]); values["nu"] = inputRate
            if let f = inhFraction {
                let nI = max(1, min(widths[l - 1] - 1, Int((f * Double(widths[l - 1])).rounded())))
                guard widths[l - 1] >= 2 else { throw WorkbenchError.badInput("layer \(l): Dale's law needs a fan-in of at least 2") }
                values["n"] = Double(widths[l - 1] - nI); values["n_inh"] = Double(nI)
            }
            let r = try evaluate("fluctuation-init", values, layer: l, warnings: &plan.warnings)
            layer.meanU = r["mean_u"]!; layer.stdU = r["std_u"]!
            if inhFraction != nil {
                // Mean and std of the signed weight mixture: E = n_E/λ_E − n_I/λ_I over n, E[w²] = 2(n_E/λ_E² + n_I/λ_I²)/n.
                let nE = values["n"] as! Double, nI = values["n_inh"] as! Double, lE = r["lambda_e"]!, lI = r["lambda_i"]!
                let total = nE + nI, mean = (nE / lE - nI / lI) / total, second = 2 * (nE / (lE * lE) + nI / (lI * lI)) / total
                layer.muW = mean; layer.sigmaW = (second - mean * mean).squareRoot()
                layer.extra = [("n_exc", nE), ("n_inh", nI), ("lambda_e", lE), ("lambda_i", lI)]
            } else {
                layer.muW = r["mu_w"]!; layer.sigmaW = r["sigma_w"]!
            }
            (layer.activity, layer.lnActivity) = try rate(layer.meanU, layer.stdU, layer: l, &plan.warnings)
            inputRate = layer.activity
            var row = (layer: l, scheme: layer.activity, kaiming: 0.0, glorot: 0.0, lnScheme: layer.lnActivity, lnKaiming: -Double.infinity, lnGlorot: -Double.infinity)
            for b in [Baseline.kaiming, .glorot] {
                let prev = base[b]!.0
                var next = (0.0, -Double.infinity)         // a collapsed input stays collapsed
                if prev > 0 {
                    var v = common
                    v["n"] = Double(widths[l - 1]); v["nu"] = prev; v["mu_w"] = 0.0; v["sigma_w"] = baselineSigmaW(b, l)
                    let s = try evaluate("fluctuation-init", v, layer: l, warnings: &ignored)
                    next = try rate(s["mean_u"]!, s["std_u"]!, layer: l, &ignored)
                }
                base[b] = next
                if b == .kaiming { (row.kaiming, row.lnKaiming) = next } else { (row.glorot, row.lnGlorot) = next }
            }
            plan.comparison.append(row)
            plan.layers.append(layer)
        }
        return plan
    }

    func varianceFlow() throws -> Plan {
        try reject(Self.rejected[.varianceFlow]!)
        var plan = Plan()
        plan.activityName = "p_spike"; plan.activityUnit = "per step"
        let theta = try number("theta", unit: "1", default: 1)!, sigmaTarget = try number("sigma_target", unit: "1", default: 1)!
        let sigma0 = try number("sigma0", unit: "1", default: 1)!
        plan.setting = ["u_l = W_l s_(l-1), s = H(u - theta), zero-mean Gaussian weights (Micheli et al. 2024); theta = \(formatNumber(theta)), sigma_target = \(formatNumber(sigmaTarget)), layer-0 std sigma0 = \(formatNumber(sigma0))"]
        // One hop of the map: layer l from the previous layer's std.
        func hop(_ scheme: String, _ l: Int, _ sigmaPrev: Double, _ w: inout [String]) throws -> [String: Double]? {
            guard sigmaPrev > 0 else { return nil }
            return try evaluate("variance-flow-init", ["scheme": scheme, "theta": theta, "sigma_target": sigmaTarget, "sigma0": sigmaPrev,
                                                       "layer": 1.0, "n": Double(widths[l - 1]), "n_out": Double(widths[l])], layer: l, warnings: &w)
        }
        var sigma: [String: Double] = ["micheli": sigma0, "kaiming": sigma0, "glorot": sigma0]
        for l in 1..<widths.count {
            var layer = Layer(index: l, neurons: widths[l], fanIn: widths[l - 1])
            var results: [String: (Double, Double)] = [:]
            for s in ["micheli", "kaiming", "glorot"] {
                var w: [String] = []
                let result = try hop(s, l, sigma[s]!, &w)
                if s == "micheli" { plan.warnings += w }
                if let r = result {
                    results[s] = (r["p_spike"]!, r["ln_p_spike"]!)
                    sigma[s] = exp(r["ln_var_u"]! / 2)
                    if s == "micheli" {
                        layer.sigmaW = r["var_w"]!.squareRoot(); layer.meanU = 0; layer.stdU = sigma[s]!
                        (layer.activity, layer.lnActivity) = results[s]!
                        if l == 1, let st = Optional(r["sigma_stable"]!), st.isFinite {
                            plan.verdict.append("the Micheli init holds sigma = \(formatNumber(sigmaTarget)): the stable fixed point is sigma = \(formatSignificant(st, 6)) (slope \(formatSignificant(r["slope_stable"]!, 3)) < 1); c_min = \(formatSignificant(r["c_min"]!, 6)) theta^2")
                        }
                    }
                } else {
                    results[s] = (0, -.infinity)
                    if s == "micheli" {
                        // A silent input (std 0, e.g. sigma0 = 5e-324 underflowed): u = 0 whatever the weights.
                        layer.meanU = 0; layer.stdU = 0; layer.sigmaW = .nan
                        (layer.activity, layer.lnActivity) = (0, -.infinity)
                        plan.warnings.append("layer \(l) input is silent (std 0): u = 0 whatever the weights, so sigma_w is not applicable")
                    }
                }
            }
            plan.comparison.append((l, results["micheli"]!.0, results["kaiming"]!.0, results["glorot"]!.0,
                                    results["micheli"]!.1, results["kaiming"]!.1, results["glorot"]!.1))
            plan.layers.append(layer)
        }
        plan.verdict.append("Kaiming (n Var[w] = 2) and Glorot (2n/(n + n_out)) lie below c_min = 6.03 theta^2: no non-zero fixed point, activity dies with depth")
        return plan
    }

    func rateCollapse() throws -> Plan {
        try reject(Self.rejected[.rateCollapse]!)
        var plan = Plan()
        let nu = try inputRate()
        let target = try number("nu_target", unit: "Hz", default: nu)!
        let initChoice = options["init"] ?? "zero-mean"
        guard ["zero-mean", "fixed-spread"].contains(initChoice) else { throw WorkbenchError.badInput("option 'init' = '\(initChoice)' is not one of: zero-mean, fixed-spread") }
        let nVarW = try number("n_var_w", unit: "mV^2", default: nil)
        if nVarW != nil && initChoice != "fixed-spread" { throw WorkbenchError.badInput("option '--n-var-w' applies to --init fixed-spread only") }
        // siegmund: the map with the finite jumps' threshold overshoot, what event-driven layers do (README).
        let jumps = options["jumps"] ?? "diffusion"
        guard ["diffusion", "siegmund"].contains(jumps) else { throw WorkbenchError.badInput("option 'jumps' = '\(jumps)' is not one of: diffusion, siegmund") }
        var neuron: [String: Any] = ["jumps": jumps]
        for (name, unit, d) in [("theta", "mV", 1.0), ("v_reset", "mV", 0), ("tau_m", "ms", 20), ("tau_ref", "ms", 0)] {
            neuron[name] = try number(name, unit: unit, default: d)!
        }
        plan.setting = ["LIF layers with delta synapses, Siegert layer map (Perez-Nieves & Goodman 2023)" + (jumps == "siegmund" ? " with Siegmund's jump correction" : "") + ": theta = \(formatNumber(neuron["theta"] as! Double)), v_reset = \(formatNumber(neuron["v_reset"] as! Double)), tau_m = \(formatNumber(neuron["tau_m"] as! Double)) ms, tau_ref = \(formatNumber(neuron["tau_ref"] as! Double)) ms; input rate \(formatNumber(nu)) Hz",
                        "init: \(initChoice) fixed point at nu_target = \(formatNumber(target)) Hz" + (nVarW.map { " with n var_w = \(formatNumber($0))" } ?? "")]
        func hop(_ extra: [String: Any], _ l: Int, _ rateIn: Double, _ w: inout [String]) throws -> [String: Double]? {
            guard rateIn > 0 else { return nil }
            var v = neuron.merging(extra) { a, _ in a }
            v["n"] = Double(widths[l - 1]); v["nu_in"] = rateIn; v["layer"] = 1.0
            return try evaluate("rate-collapse", v, layer: l, warnings: &w)
        }
        var initValues: [String: Any] = ["init": initChoice, "nu_target": target]
        if let nVarW { initValues["n_var_w"] = nVarW }
        var rates = ["scheme": nu, "kaiming": nu, "glorot": nu]
        for l in 1..<widths.count {
            var layer = Layer(index: l, neurons: widths[l], fanIn: widths[l - 1])
            var results: [String: (Double, Double)] = [:]
            for s in ["scheme", "kaiming", "glorot"] {
                let extra: [String: Any] = s == "scheme" ? initValues : ["mu_w": 0.0, "sigma_w": baselineSigmaW(s == "kaiming" ? .kaiming : .glorot, l)]
                var w: [String] = []
                let result = try hop(extra, l, rates[s]!, &w)
                if s == "scheme" { plan.warnings += w }
                if let r = result {
                    results[s] = (r["rate_hz"]!, r["ln_rate_hz"]!)
                    rates[s] = r["rate_hz"]!
                    if s == "scheme" {
                        layer.muW = r["mu_w"]!; layer.sigmaW = r["sigma_w"]!
                        layer.meanU = r["mu_mv"]!; layer.stdU = r["sigma_mv"]! / 2.0.squareRoot()
                        (layer.activity, layer.lnActivity) = results[s]!
                        if l == 1 {
                            let slope = r["stability_slope"]!
                            plan.verdict.append(r["stable"]! == 1
                                ? "stable: the fixed point at \(formatNumber(target)) Hz has slope d nu_(l+1)/d nu_l = \(formatSignificant(slope, 6)); perturbations decay with depth"
                                : "knife edge: the fixed point at \(formatNumber(target)) Hz has slope \(formatSignificant(slope, 6)) (|slope| >= 1); a rate slightly below it collapses with depth, slightly above it explodes")
                        }
                    }
                } else { results[s] = (0, -.infinity); rates[s] = 0 }
            }
            plan.comparison.append((l, results["scheme"]!.0, results["kaiming"]!.0, results["glorot"]!.0,
                                    results["scheme"]!.1, results["kaiming"]!.1, results["glorot"]!.1))
            plan.layers.append(layer)
        }
        return plan
    }
}
