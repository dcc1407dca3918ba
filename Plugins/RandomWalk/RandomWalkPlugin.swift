// The `random-walk` plugin (estimators `random-walk` and `leaky-discrete`): the export layer only.
// Both estimators live in one plugin because they share the Nyström machinery of
// Sources/RandomWalkNumerics (Gauss–Legendre panels, Gaussian-kernel band operators, profile LU).
import EstimatorKit

let export = PluginExport([RandomWalkEstimator(), LeakyDiscreteEstimator()])

@_cdecl("workbench_plugin_abi_version")
public func workbenchPluginABIVersion() -> UInt32 { PluginExport.abiVersion }

@_cdecl("workbench_plugin_estimators")
public func workbenchPluginEstimators(_ count: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<wb_estimator>?> {
    export.table(count)
}

/// Optional entry: estimators left out because their enums disagree with their specs (NULL: none).
@_cdecl("workbench_plugin_problems")
public func workbenchPluginProblems() -> UnsafePointer<CChar>? { export.problemText }
