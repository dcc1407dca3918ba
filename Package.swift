// swift-tools-version:6.0
// Layout: DESIGN.md §2. Numerics live in ordinary library targets; each plugin target is a thin
// export layer built as its own `.dynamic` product and reached by the host only through dlopen.
import PackageDescription
import Foundation

/// Flags of the Monte-Carlo targets (measured in Benchmarks/README.md). -fno-math-errno lets sqrt be one
/// instruction per lane. The widest x86-64 level this machine has (v4 = AVX-512, v3 = AVX2 + FMA) is
/// used, so a build never emits instructions its CPU lacks. WORKBENCH_MC_ISA=v3|baseline forces a level
/// (WORKBENCH_MC_BASELINE=1 = baseline); WORKBENCH_MC_MATH_ERRNO=1 builds without -fno-math-errno.
let monteCarloISA: [String] = {
    let env = ProcessInfo.processInfo.environment
    #if arch(x86_64)
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let has = { (features: [String]) in features.allSatisfy { cpu.contains(" \($0)") } }
    let v3 = has(["avx2", "fma", "bmi2"]), v4 = v3 && has(["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"])
    switch env["WORKBENCH_MC_ISA"] ?? (env["WORKBENCH_MC_BASELINE"] != nil ? "baseline" : "native") {
    case "baseline": return []
    case "v3" where v3: return ["-march=x86-64-v3"]
    default: return v4 ? ["-march=x86-64-v4"] : v3 ? ["-march=x86-64-v3"] : []
    }
    #else
    return []
    #endif
}()
let monteCarloMathFlags = ProcessInfo.processInfo.environment["WORKBENCH_MC_MATH_ERRNO"] == nil ? ["-fno-math-errno"] : []
let monteCarloFlags = (monteCarloMathFlags + monteCarloISA).flatMap { ["-Xcc", $0] }
/// The C kernels round exactly as written (no FMA contraction), so every ISA gives the same bits.
let monteCarloKernelFlags = ["-O3", "-ffp-contract=off"] + monteCarloMathFlags + monteCarloISA

let package = Package(
    name: "workbench",
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        // Fuzz targets of the input parsers (Tests/fuzz): replays a corpus, or runs libFuzzer in the fuzz build.
        .executable(name: "workbench-fuzz", targets: ["workbench-fuzz"]),
        // What an out-of-tree Swift plugin depends on (Examples/ExternalPlugin).
        .library(name: "EstimatorKit", targets: ["EstimatorKit"]),
        // Built-in estimators: one dynamic library per plugin, found next to the executable.
        .library(name: "SiegertPlugin", type: .dynamic, targets: ["SiegertPlugin"]),
        .library(name: "SiegertColoredPlugin", type: .dynamic, targets: ["SiegertColoredPlugin"]),
        .library(name: "ShotNoisePlugin", type: .dynamic, targets: ["ShotNoisePlugin"]),
        .library(name: "InitPlugin", type: .dynamic, targets: ["InitPlugin"]),
        .library(name: "WienerPlugin", type: .dynamic, targets: ["WienerPlugin"]),
        .library(name: "RandomWalkPlugin", type: .dynamic, targets: ["RandomWalkPlugin"]),
        .library(name: "LinearResponsePlugin", type: .dynamic, targets: ["LinearResponsePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        .target(name: "GSLSupport", dependencies: ["CGSL"]),
        .target(name: "CWorkbenchPlugin"),
        .target(name: "WorkbenchToolchain"),
        // No GSL here: a plugin author who needs none installs none (GSLSupport turns GSL's abort handler off
        // on every call path, and the host does too when it loads a plugin that links GSL).
        .target(name: "EstimatorKit", dependencies: ["CWorkbenchPlugin", "WorkbenchToolchain"]),
        // Hidden: each plugin (and the test bundle) links its own copy; exported, they collide (ASan: ODR violation).
        .target(name: "CSiegertTables", cSettings: [.unsafeFlags(["-fvisibility=hidden"])]),
        .target(name: "SiegertNumerics", dependencies: ["GSLSupport", "CSiegertTables"]),
        .target(name: "SiegertPlugin", dependencies: ["EstimatorKit", "SiegertNumerics"],
                path: "Plugins/Siegert"),
        .target(name: "SiegertColoredPlugin", dependencies: ["EstimatorKit", "SiegertNumerics"],
                path: "Plugins/SiegertColored"),
        .target(name: "ShotNoiseNumerics", dependencies: ["CGSL", "GSLSupport", "SiegertNumerics"]),
        .target(name: "ShotNoisePlugin", dependencies: ["EstimatorKit", "ShotNoiseNumerics", "SiegertNumerics"],
                path: "Plugins/ShotNoise"),
        .target(name: "InitNumerics", dependencies: ["GSLSupport", "SiegertNumerics"]),
        .target(name: "InitPlugin", dependencies: ["EstimatorKit", "InitNumerics"], path: "Plugins/Init"),
        .target(name: "WienerNumerics", dependencies: ["GSLSupport"]),
        .target(name: "WienerPlugin", dependencies: ["EstimatorKit", "WienerNumerics"], path: "Plugins/Wiener"),
        .target(name: "RandomWalkNumerics", dependencies: ["GSLSupport", "CGSL"]),
        .target(name: "RandomWalkPlugin", dependencies: ["EstimatorKit", "RandomWalkNumerics"],
                path: "Plugins/RandomWalk"),
        .target(name: "LinearResponseNumerics", dependencies: [
            "GSLSupport", "SiegertNumerics", .product(name: "ComplexModule", package: "swift-numerics"),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "LinearResponsePlugin", dependencies: ["EstimatorKit", "LinearResponseNumerics", "SiegertNumerics"],
                path: "Plugins/LinearResponse"),
        .target(name: "CHostSupport"),
        // Ryu (vendored) under Swift's Double.description layout: batch output's number writer.
        .target(name: "CRyu", exclude: ["ryu/d2s.c", "ryu/LICENSE-Boost", "ryu/README.md"],
                cSettings: [.headerSearchPath("."), .unsafeFlags(["-O3"])]),
        .target(name: "WorkbenchCore", dependencies: ["CWorkbenchPlugin", "CHostSupport", "CRyu", "WorkbenchToolchain", "MonteCarlo"]),
        .target(name: "CMonteCarloKernels", exclude: ["ziggurat_tables.py"],
                cSettings: [.unsafeFlags(monteCarloKernelFlags)]),
        .target(name: "MonteCarlo", dependencies: ["CMonteCarloKernels"], swiftSettings: [.unsafeFlags(monteCarloFlags)]),
        // Recurrent networks: the file, the self-consistent working points, stability and spectra, composed from
        // the single-neuron estimators through the plugin ABI.
        .target(name: "NetworkTheory", dependencies: [
            "WorkbenchCore", "MonteCarlo", "GSLSupport", "CGSL", .product(name: "Yams", package: "Yams"),
            .product(name: "ComplexModule", package: "swift-numerics"),
        ]),
        .executableTarget(name: "workbench-fuzz", dependencies: ["WorkbenchCore"]),
        .executableTarget(name: "workbench", dependencies: [
            "WorkbenchCore", "MonteCarlo", "NetworkTheory",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "WorkbenchTests", dependencies: [
            "WorkbenchCore", "SiegertNumerics", "InitNumerics", "WienerNumerics", "GSLSupport", "EstimatorKit", "CWorkbenchPlugin", "MonteCarlo", "CMonteCarloKernels", "RandomWalkNumerics", "ShotNoiseNumerics",
            "LinearResponseNumerics", "NetworkTheory",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
