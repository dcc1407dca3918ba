// The `siegert` plugin: the export layer only. Numerics: Sources/SiegertNumerics.
import EstimatorKit

let export = PluginExport([SiegertEstimator()])

@_cdecl("workbench_plugin_abi_version")
public func workbenchPluginABIVersion() -> UInt32 { PluginExport.abiVersion }

@_cdecl("workbench_plugin_estimators")
public func workbenchPluginEstimators(_ count: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<wb_estimator>?> {
    export.table(count)
}

/// Optional entry: estimators left out because their enums disagree with their specs (NULL: none).
@_cdecl("workbench_plugin_problems")
public func workbenchPluginProblems() -> UnsafePointer<CChar>? { export.problemText }
