import Foundation
import Testing

/// |x - ref| ≤ tol·|ref| (or ≤ tol when ref = 0).
func expectRelative(_ x: Double, _ ref: Double, _ tol: Double, _ what: @autoclosure () -> String = "",
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let err = ref == 0 ? abs(x) : abs(x - ref) / abs(ref)
    #expect(err <= tol, "\(what()): got \(x), expected \(ref), relative error \(err) > \(tol)", sourceLocation: sourceLocation)
}

/// THEORY §1.7 log-domain rule: |Δ ln ν| ≤ max(1e-13, 4e-16·|ln ν|).
func expectLogRate(_ x: Double, _ ref: Double, _ what: @autoclosure () -> String = "",
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let tol = max(1e-13, 4e-16 * abs(ref))
    #expect(abs(x - ref) <= tol, "\(what()): ln rate \(x) vs \(ref), |Δ| = \(abs(x - ref)) > \(tol)", sourceLocation: sourceLocation)
}

/// Where `swift build`/`swift test` put the products of this configuration: next to the test binary.
let buildDirectory: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = (exe as NSString).deletingLastPathComponent
    while !FileManager.default.fileExists(atPath: dir + "/workbench") && dir != "/" {
        dir = (dir as NSString).deletingLastPathComponent
    }
    return dir
}()

let packageRoot: String = {
    var dir = (#filePath as NSString).deletingLastPathComponent
    while !FileManager.default.fileExists(atPath: dir + "/Package.swift") { dir = (dir as NSString).deletingLastPathComponent }
    return dir
}()

struct ProcessResult { let stdout: String; let stderr: String; let code: Int32 }

/// Runs a program to completion, reading both pipes concurrently (no deadlock on large output).
@discardableResult
func runProcess(_ path: String, _ args: [String], environment: [String: String]? = nil, stdin: String? = nil,
                directory: String? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    let inPipe = Pipe()
    p.standardInput = inPipe
    try p.run()
    if let stdin { inPipe.fileHandleForWriting.write(stdin.data(using: .utf8)!) }
    try? inPipe.fileHandleForWriting.close()
    final class Sink: @unchecked Sendable { var data = Data() }
    let outSink = Sink(), errSink = Sink()
    let group = DispatchGroup()
    group.enter(); DispatchQueue.global().async { outSink.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter(); DispatchQueue.global().async { errSink.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.wait()
    p.waitUntilExit()
    return ProcessResult(stdout: String(decoding: outSink.data, as: UTF8.self), stderr: String(decoding: errSink.data, as: UTF8.self),
                         code: p.terminationStatus)
}

/// The built `workbench`, with WORKBENCH_PLUGIN_PATH cleared unless given.
func workbench(_ args: [String], pluginPath: String? = nil, stdin: String? = nil) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["WORKBENCH_PLUGIN_PATH"] = pluginPath
    return try runProcess(buildDirectory + "/workbench", args, environment: env, stdin: stdin)
}

func temporaryDirectory(_ tag: String) throws -> String {
    let dir = NSTemporaryDirectory() + "workbench-test-\(tag)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
