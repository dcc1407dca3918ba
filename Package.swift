// swift-tools-version:6.0
// Layout: DESIGN.md §2. Numerics live in ordinary library targets; each plugin target is a thin
// export layer built as its own `.dynamic` product and reached by the host only through dlopen.
import PackageDescription

let package = Package(
    name: "workbench",
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        // What an out-of-tree Swift plugin depends on (Examples/ExternalPlugin).
        .library(name: "EstimatorKit", targets: ["EstimatorKit"]),
        // Built-in estimators: one dynamic library per plugin, found next to the executable.
        .library(name: "SiegertPlugin", type: .dynamic, targets: ["SiegertPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        .target(name: "GSLSupport", dependencies: ["CGSL"]),
        .target(name: "CWorkbenchPlugin"),
        .target(name: "WorkbenchToolchain"),
        .target(name: "EstimatorKit", dependencies: ["CWorkbenchPlugin", "GSLSupport", "WorkbenchToolchain"]),
        .target(name: "SiegertNumerics", dependencies: ["GSLSupport"]),
        .target(name: "SiegertPlugin", dependencies: ["EstimatorKit", "SiegertNumerics"],
                path: "Plugins/Siegert"),
        .target(name: "WorkbenchCore", dependencies: ["CWorkbenchPlugin", "WorkbenchToolchain", "MonteCarlo"]),
        // -fno-math-errno lets sqrt become one instruction per lane (DESIGN.md §7).
        .target(name: "MonteCarlo", swiftSettings: [.unsafeFlags(["-Xcc", "-fno-math-errno", "-Xcc", "-march=x86-64-v3"])]),
        .executableTarget(name: "workbench", dependencies: [
            "WorkbenchCore", "MonteCarlo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "WorkbenchTests", dependencies: [
            "WorkbenchCore", "SiegertNumerics", "GSLSupport", "EstimatorKit", "CWorkbenchPlugin", "MonteCarlo",
        ]),
    ],
    // Language mode 5: the C interop here (GSL globals, dlopen'ed function tables) is guarded by
    // explicit design (one workspace per call, immutable descriptors), not by Sendable checking.
    swiftLanguageModes: [.v5]
)
