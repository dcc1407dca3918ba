// swift-tools-version:6.0
// An out-of-tree Swift plugin: depends only on the workbench package's EstimatorKit product.
//   swift build -c release --package-path Examples/ExternalPlugin
//   WORKBENCH_PLUGIN_PATH=Examples/ExternalPlugin/.build/release workbench eval lif-linear-noise 25 0.5
import PackageDescription

let package = Package(
    name: "ExternalPlugin",
    products: [.library(name: "LinearNoisePlugin", type: .dynamic, targets: ["LinearNoisePlugin"])],
    dependencies: [.package(name: "workbench", path: "../..")],
    targets: [.target(name: "LinearNoisePlugin", dependencies: [.product(name: "EstimatorKit", package: "workbench")])],
    swiftLanguageModes: [.v6]
)
