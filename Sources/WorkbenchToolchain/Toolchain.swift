// The Swift toolchain that built this code, as written into `wb_estimator.toolchain` by the kit and
// compared by the host: Swift's runtime ABI is not stable on Linux, so a Swift plugin from another
// toolchain is refused rather than risked.
public let swiftToolchainIdentifier: String = {
    #if compiler(>=6.4)
    return "swift-6.4-or-later"
    #elseif compiler(>=6.3.1)
    return "swift-6.3.1"
    #elseif compiler(>=6.3)
    return "swift-6.3"
    #elseif compiler(>=6.2)
    return "swift-6.2"
    #elseif compiler(>=6.1)
    return "swift-6.1"
    #else
    return "swift-6.0"
    #endif
}()
