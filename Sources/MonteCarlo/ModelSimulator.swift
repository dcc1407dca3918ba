// Simulators of every model (the LIF pair, first passage, random walks, shot noise, layered networks).
// Each one takes the model's canonical parameters by name — the names the estimators of that model use —
// and returns its observables, under the names of the estimator outputs that predict them, with
// batch-means standard errors. `simulate` and `validate` reach every model through this
// protocol, so a new model is one conforming type added to `ModelSimulators.all`.
import Foundation

public struct ObservableSpec: Sendable {
    public let name, unit, summary: String
    public init(_ name: String, unit: String, summary: String) { self.name = name; self.unit = unit; self.summary = summary }
}

/// Run options shared by every simulator; each one reads the fields it declares in `options`.
public struct RunOptions: Sendable {
    /// Independent neurons, walks or paths (SIMD blocks of 8 are the batch-means units).
    public var samples: Int
    public var seed: UInt64 = 1
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var dt: Double? = nil          // simulator step [ms] (or steps for discrete models)
    public var time: Double? = nil        // statistics window or horizon [ms]
    public var burnIn: Double? = nil      // [ms]
    public var scheme: String? = nil      // e.g. bridge | naive
    public var density: DensityGrid? = nil
    /// Capabilities a simulator declares in `options`: "modulate", "spectrum", "spikes".
    public var modulation: Modulation? = nil
    public var spectrumFrequencies: [Double] = []
    public var recordSpikes = false
    public init(samples: Int) { self.samples = samples }
}

/// What `validate` knows when it plans a run for an estimator's prediction.
public struct ValidationRequest: Sendable {
    /// The estimator's values by observable name (the first output naming it), and by output name.
    public var predictions: [String: Double] = [:]
    public var outputs: [String: Double] = [:]
    /// The estimator's row by parameter name (values not given are absent), e.g. a frequency f.
    public var estimatorValues: [String: Double] = [:]
    /// Run options the user set (neurons, samples, time, dt, burn_in, ...): the plan keeps them.
    public var userOptions: Set<String> = []
    /// validate's `--modulate`: "none", or a target with an optional amplitude (mV or mV²).
    public var modulate: (target: String, amplitude: Double?)? = nil
    /// Relative SE the run is sized for.
    public var precision = 0.003
    /// The estimator has a density output over a potential parameter `v`.
    public var wantsDensity = false
    public init() {}
}

/// validate's run: options, the observables this run cannot compare, and what to tell the user.
public struct ValidationPlan: Sendable {
    public var options: RunOptions
    public var excluded: Set<String> = []
    public var notes: [String] = []
    public init(options: RunOptions) { self.options = options }
}

/// A bad option or parameter relation found by a simulator (the CLI reports it and exits 2).
public struct SimulatorInputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A number in a simulator's message: an integer without a decimal point below 10^15, else Swift's shortest text.
func plainNumber(_ v: Double) -> String { v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }

public struct ModelRun: Sendable {
    /// Observables in a fixed order; an observable that does not apply to this run is left out.
    public var observables: [(name: String, estimate: Estimate)]
    /// Per-bin densities on `options.density` (non-refractory time in the bin / all time / bin width).
    public var density: [Estimate]?
    public var notes: [String] = []
    /// Work done and its unit ("path-steps", "input events", ...), for the speed line.
    public var work: Double
    public var workUnit: String
    public var seconds: Double
    /// What the run actually used (scheme, dt, ...) for provenance, as (name, value) text.
    public var details: [(String, String)] = []
    /// Run totals (spikes, ISIs, ...): JSON top-level keys and the table's closing line.
    public var counts: [(String, Double)] = []
    /// Caveats of this run's numbers (censored ISIs): on stderr, and in JSON "warnings".
    public var warnings: [String] = []
    /// Per sample, its spike times [ms from the window start], when `recordSpikes` was set.
    public var spikeTrains: [[Double]]? = nil
    /// Set when the run stopped at a resource limit that its parameters could not predict (activity that
    /// explodes from layer to layer): why, naming the limit. The host reports it as bad input (exit 2).
    public var stopped: String? = nil

    public init(observables: [(name: String, estimate: Estimate)], density: [Estimate]? = nil, work: Double,
                workUnit: String, seconds: Double) {
        self.observables = observables; self.density = density; self.work = work; self.workUnit = workUnit
        self.seconds = seconds
    }
    public func observable(_ name: String) -> Estimate? { observables.first { $0.name == name }?.estimate }
}

public protocol ModelSimulator: Sendable {
    var name: String { get }
    var summary: String { get }
    /// Canonical parameters (names and units as the model's estimators declare them).
    var parameters: [SimulatorParameter] { get }
    var observables: [ObservableSpec] { get }
    /// Which of "dt", "time", "burn_in", "scheme", "density", "modulate", "spectrum", "spikes" this
    /// simulator reads.
    var options: Set<String> { get }
    var defaultSamples: Int { get }
    /// What a sample is called in options and reports ("samples", "neurons"), and the most a run may have.
    var sampleName: String { get }
    var maxSamples: Int { get }
    /// Input conventions of the host that apply: "v_rest" (potentials given absolute), "sigma_free".
    var conventions: Set<String> { get }
    /// The unit of an observable, including ones named per run (spectrum_hz@10).
    func unit(ofObservable name: String) -> String
    /// Fills in defaults of the options it reads and checks them and the parameter relations
    /// (v_reset < theta, -b < x0 < a, ...); throws SimulatorInputError naming the value and its range.
    func resolve(_ options: RunOptions, _ values: [String: Double]) throws -> RunOptions
    /// A pure function of (values, options minus threads): bit-identical on any thread count.
    func run(_ values: [String: Double], _ options: RunOptions, progress: (@Sendable (Int, Int) -> Void)?) -> ModelRun
    /// The simulator's own systematic relative error for an observable (THEORY §9), which `validate`
    /// adds to the estimator's model error.
    func simulatorError(observable: String, values: [String: Double], options: RunOptions) -> Double
    /// For `validate` without an explicit --neurons/--time: a run sized so that the predicted
    /// observables (estimator values by observable name) get a relative SE of about `precision`.
    func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                           precision: Double) -> RunOptions
    /// validate's whole plan: by default `validationOptions` unless the user sized the run. A simulator
    /// whose run depends on the estimator's own parameters (a modulation at its f) overrides this.
    func validationPlan(_ options: RunOptions, values: [String: Double], request: ValidationRequest) throws -> ValidationPlan
    /// Below this value an estimator's prediction means "collapsed" (THEORY §9.7/§9.8: a mean-field map no
    /// longer describes a finite network there); `validate` then checks that the simulation collapsed too
    /// (its value below the same threshold) instead of comparing numbers. nil: always compare.
    func collapseThreshold(observable: String, values: [String: Double]) -> Double?
}

public extension ModelSimulator {
    var sampleName: String { "samples" }
    var maxSamples: Int { 1_000_000_000 }
    var conventions: Set<String> { [] }
    func unit(ofObservable name: String) -> String { observables.first { $0.name == name }?.unit ?? "" }
    func validationPlan(_ options: RunOptions, values: [String: Double], request: ValidationRequest) throws -> ValidationPlan {
        let sized = !request.userOptions.isDisjoint(with: ["neurons", "samples", "time"])
        return ValidationPlan(options: sized ? options : validationOptions(options, values: values, predictions: request.predictions,
                                                                               precision: request.precision))
    }
    func simulatorError(observable: String, values: [String: Double], options: RunOptions) -> Double { 0 }
    func validationOptions(_ options: RunOptions, values: [String: Double], predictions: [String: Double],
                           precision: Double) -> RunOptions { options }
    func collapseThreshold(observable: String, values: [String: Double]) -> Double? { nil }
}

public enum ModelSimulators {
    /// Every simulator: a new model is one conforming type added here.
    public static let all: [any ModelSimulator] = [
        LIFPairSimulator.white, LIFPairSimulator.colored,
        CurrentLIFSimulator(), LayeredThresholdSimulator(), LayeredLIFSimulator(),
        WienerSimulator(),
        GaussianWalkSimulator(), LeakyDiscreteSimulator(),
        ShotNoiseSimulator(),
    ]

    public static func named(_ n: String) -> (any ModelSimulator)? { all.first { $0.name == n } }
    /// Every simulated model name (for messages).
    public static var allNames: [String] { all.map(\.name) }
}
