// A plugin file is loaded by a child process first (`workbench __probe-plugins FILE...`): the ELF
// pre-check cannot see everything that kills a process in dlopen, in a constructor or in an entry point
// (a corrupted DT_STRTAB, an entry symbol that is data, a count past the table, an evaluate that
// crashes), and a process that ran such code cannot recover. The child reports one line per file; a
// file during which it died or hung is failed with that reason. Results are cached per file (path,
// size, modification time, inode) in $XDG_CACHE_HOME/workbench; crashes and hangs are not cached (they
// may come from this process's limits), so such a file is probed again next time.
import Foundation
import CWorkbenchPlugin
#if canImport(Glibc)
import Glibc
#endif

public enum PluginProbe {
    public static let command = "__probe-plugins"
    /// Seconds a probe child may take per file ($WORKBENCH_PROBE_TIMEOUT; default 30).
    static var secondsPerFile: Double {
        ProcessInfo.processInfo.environment["WORKBENCH_PROBE_TIMEOUT"].flatMap(Double.init).map { max(0.5, $0) } ?? 30
    }

    struct Outcome: Codable { var ok: Bool; var reason: String?; var transient: Bool? }

    /// The file's identity for the cache (a changed file has another size, mtime or inode).
    static func key(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(path)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ino)"
    }

    static var cachePath: String? {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["XDG_CACHE_HOME"] ?? env["HOME"].map({ $0 + "/.cache" }) else { return nil }
        return base + "/workbench/host-probe-v1.json"
    }

    /// Outcomes for `paths` (real paths of regular files), from the cache or a probe child.
    static func outcomes(_ paths: [String]) -> [String: Outcome] {
        guard !paths.isEmpty else { return [:] }
        let env = ProcessInfo.processInfo.environment
        // The child itself, an explicit opt-out, and a process that is not the workbench executable (a test
        // runner or another host linking WorkbenchCore: it has no probe command) load directly.
        guard env["WORKBENCH_PROBE"] != "0", probeExecutable != nil else {
            return Dictionary(uniqueKeysWithValues: paths.map { ($0, Outcome(ok: true)) })
        }
        var cache: [String: Outcome] = [:]
        if let c = cachePath, let data = FileManager.default.contents(atPath: c) {
            cache = (try? JSONDecoder().decode([String: Outcome].self, from: data)) ?? [:]
        }
        var out: [String: Outcome] = [:], unknown: [String] = []
        for p in paths {
            if let k = key(p), let o = cache[k] { out[p] = o } else { unknown.append(p) }
        }
        guard !unknown.isEmpty else { return out }
        let probed = probe(unknown)
        for (p, o) in probed {
            out[p] = o
            if o.transient != true, let k = key(p) { cache[k] = o }
        }
        if let c = cachePath, let data = try? JSONEncoder().encode(cache) {
            try? FileManager.default.createDirectory(atPath: (c as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let tmp = c + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            if FileManager.default.createFile(atPath: tmp, contents: data) { if rename(tmp, c) != 0 { unlink(tmp) } }
        }
        return out
    }

    /// The executable that answers `__probe-plugins`: $WORKBENCH_PROBE_EXECUTABLE, or this process when it is
    /// the workbench executable.
    static let probeExecutable: String? = {
        if let e = ProcessInfo.processInfo.environment["WORKBENCH_PROBE_EXECUTABLE"], !e.isEmpty { return e }
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (exe as NSString).lastPathComponent == "workbench" ? exe : nil
    }()

    /// Runs probe children until every file has an outcome.
    static func probe(_ files: [String]) -> [String: Outcome] {
        guard let exe = probeExecutable else { return [:] }
        var results: [String: Outcome] = [:], pending = files
        while !pending.isEmpty {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = [command] + pending
            var env = ProcessInfo.processInfo.environment
            env["WORKBENCH_PROBE"] = "0"
            env["SWIFT_BACKTRACE"] = "enable=no"       // a crash is expected here: no 10-second crash report
            p.environment = env
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            // The child prints a line per file: each file gets secondsPerFile from the previous line.
            final class Sink: @unchecked Sendable {
                let lock = NSLock(); var data = Data(); var last = Date(); var eof = false
            }
            let sink = Sink()
            do { try p.run() } catch {
                for f in pending { results[f] = Outcome(ok: false, reason: "cannot start a probe process: \(error)", transient: true) }
                break
            }
            let reader = out.fileHandleForReading
            DispatchQueue.global().async {
                while true {
                    let chunk = reader.availableData
                    sink.lock.lock()
                    if chunk.isEmpty { sink.eof = true; sink.lock.unlock(); return }
                    sink.data.append(chunk); sink.last = Date()
                    sink.lock.unlock()
                }
            }
            var hung = false
            while true {
                sink.lock.lock(); let eof = sink.eof, idle = Date().timeIntervalSince(sink.last); sink.lock.unlock()
                if eof { break }
                if idle > secondsPerFile { hung = true; kill(p.processIdentifier, SIGKILL) }
                usleep(10_000)
            }
            p.waitUntilExit()
            for line in String(decoding: sink.data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
                guard parts.count >= 2, pending.contains(parts[1]) else { continue }
                results[parts[1]] = parts[0] == "OK" ? Outcome(ok: true) : Outcome(ok: false, reason: parts.count > 2 ? parts[2] : "failed")
            }
            var rest = pending.filter { results[$0] == nil }
            if let culprit = rest.first {
                let how = hung ? "did not finish within \(formatNumber(secondsPerFile)) s: the file hangs"
                    : (p.terminationReason == .uncaughtSignal ? "crashed the probe process (signal \(p.terminationStatus))"
                       : "ended the probe process (exit \(p.terminationStatus))")
                results[culprit] = Outcome(ok: false, reason: "loading it (dlopen, entry points, one evaluation at the defaults) \(how)", transient: true)
                rest.removeFirst()
            }
            pending = rest
        }
        return results
    }

    /// The child: loads each file as the registry would, reads every descriptor and evaluates each
    /// estimator once at a row it accepts; prints "OK\tpath" or "FAIL\tpath\treason" per file, flushed.
    public static func runChild(_ files: [String]) -> Int32 {
        for f in files {
            let registry = PluginRegistry(files: [f])
            var line: String
            // Problems the plugin declares itself leave the file loadable: the parent loads it and reports them.
            if let failure = registry.failures.first(where: { $0.path == f && !$0.declaredByPlugin }) {
                line = "FAIL\t\(f)\t\(failure.reason.replacingOccurrences(of: "\n", with: " "))"
            } else {
                for e in registry.estimators {
                    let row = e.parameters.map { $0.isOptional ? Double.nan : ($0.defaultValue.isNaN ? 1 : $0.defaultValue) }
                    _ = e.evaluate(row, parallel: false)
                }
                line = "OK\t\(f)"
            }
            line += "\n"
            print(line, terminator: "")
            fflush(nil)         // every stream: the parent reads this line before the next probe step
        }
        return 0
    }
}
