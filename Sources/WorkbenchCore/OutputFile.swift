// Writing a result file the user named (-o, --spikes). A regular file is written atomically (temporary
// file + rename); anything else that exists — a device such as /dev/stdout or /dev/full, a FIFO — is
// written in place, because a rename would replace it (as root: the device node itself). Every failure
// is an error naming the path and the reason.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum OutputFile {
    public static func write(_ text: String, to path: String, what: String = "file") throws {
        var info = stat()
        let exists = stat(path, &info) == 0
        if exists && (info.st_mode & S_IFMT) == S_IFDIR {
            throw WorkbenchError.badInput("cannot write \(what) '\(path)': it is a directory")
        }
        if exists && (info.st_mode & S_IFMT) != S_IFREG {
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw WorkbenchError.badInput("cannot write \(what) '\(path)': \(String(cString: strerror(errno)))")
            }
            defer { try? h.close() }
            do { try h.write(contentsOf: Data(text.utf8)) } catch {
                throw WorkbenchError(.internalError, "cannot write \(what) '\(path)': \(reason(error))")
            }
            return
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw WorkbenchError.badInput("cannot write \(what) '\(path)': \(reason(error))")
        }
    }

    /// The POSIX reason under a Foundation error ("No space left on device"), not "NSCocoaErrorDomain 512".
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? NSError, under.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(under.code)))
        }
        return ns.localizedDescription
    }
}

/// Standard output as a file descriptor: a streaming batch writes its chunks as they are ready.
public enum StandardOutput {
    /// Writes all of `bytes` (partial writes and EINTR resumed); a failure (a full disk, a closed pipe) is an
    /// internal error naming the reason, so the command exits non-zero.
    public static func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = errno == ENOSPC ? "no space left on the device" : String(cString: strerror(errno))
                throw WorkbenchError(.internalError, "cannot write the output to standard output: \(reason)")
            }
            offset += n
        }
    }
}
