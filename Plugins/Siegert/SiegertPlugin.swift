// The `siegert` plugin: the export layer only. Numerics: Sources/SiegertNumerics.
import EstimatorKit

let export = PluginExport([SiegertEstimator()])

@_cdecl("workbench_plugin_abi_version")
public func workbenchPluginABIVersion() -> UInt32 { PluginExport.abiVersion }

@_cdecl("workbench_plugin_estimators")
public func workbenchPluginEstimators(_ count: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<wb_estimator>?> {
    export.table(count)
}
