// Runnable text notebooks (DESIGN.md §6): prose; "$ workbench ..." commands; the lines after a command
// indented by two spaces are its expected output (a blank output line is written as two spaces);
// "~ rel 1e-9", "~ abs 1e-12" or "~ exact" set how numbers in the following outputs are compared;
// "~ exit N" expects exit code N from the next command.
import Foundation

public struct NotebookMismatch: CustomStringConvertible {
    public let file: String
    public let line: Int
    public let command: String
    public let detail: String
    public var description: String { "\(file):\(line): $ \(command)\n\(detail)" }
}

public enum Notebook {
    enum Tolerance { case exact, relative(Double), absolute(Double) }

    struct Cell {
        let commandLine: Int          // 0-based index of the "$ " line
        let command: String
        var expectedRange: Range<Int> // lines of expected output
        let tolerance: Tolerance
        let expectedExit: Int32
    }

    static func parse(_ lines: [String]) throws -> [Cell] {
        var cells: [Cell] = []
        var tolerance = Tolerance.exact, nextExit: Int32 = 0
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("~ ") {
                let parts = line.dropFirst(2).split(separator: " ").map(String.init)
                switch (parts.first, parts.count) {
                case ("exact", 1): tolerance = .exact
                // A NaN or negative tolerance would pass or fail everything silently (`~ rel nan` passed anything).
                case ("rel", 2), ("abs", 2):
                    guard let t = Double(parts[1]), t.isFinite, t >= 0 else {
                        throw WorkbenchError.badInput("line \(i + 1): bad tolerance '\(line)' (valid: a finite number >= 0)")
                    }
                    tolerance = parts[0] == "rel" ? .relative(t) : .absolute(t)
                case ("exit", 2): guard let c = Int32(parts[1]) else { throw WorkbenchError.badInput("line \(i + 1): bad exit code '\(line)'") }; nextExit = c
                default: throw WorkbenchError.badInput("line \(i + 1): unknown directive '\(line)' (expected ~ rel X, ~ abs X, ~ exact or ~ exit N)")
                }
                i += 1
            } else if line.hasPrefix("$ ") {
                var j = i + 1
                while j < lines.count && lines[j].hasPrefix("  ") { j += 1 }
                cells.append(Cell(commandLine: i, command: String(line.dropFirst(2)), expectedRange: (i + 1)..<j,
                                  tolerance: tolerance, expectedExit: nextExit))
                nextExit = 0
                i = j
            } else {
                i += 1
            }
        }
        return cells
    }

    /// Shell-like word splitting: whitespace, single and double quotes.
    static func words(_ s: String) -> [String] {
        var out: [String] = [], cur = "", quote: Character? = nil, has = false
        for c in s {
            if let q = quote { if c == q { quote = nil } else { cur.append(c) }; continue }
            if c == "'" || c == "\"" { quote = c; has = true; continue }
            if c == " " || c == "\t" { if has || !cur.isEmpty { out.append(cur); cur = ""; has = false }; continue }
            cur.append(c)
        }
        if has || !cur.isEmpty { out.append(cur) }
        return out
    }

    static let numberPattern = try! NSRegularExpression(pattern: "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?")

    /// Splits a line into text and numbers so numbers can be compared at a tolerance.
    static func tokens(_ line: String) -> [(text: String, number: Double?)] {
        let ns = line as NSString
        var out: [(String, Double?)] = [], last = 0
        for m in numberPattern.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
            if m.range.location > last { out.append((ns.substring(with: NSRange(location: last, length: m.range.location - last)), nil)) }
            let t = ns.substring(with: m.range)
            out.append((t, Double(t)))
            last = m.range.location + m.range.length
        }
        if last < ns.length { out.append((ns.substring(from: last), nil)) }
        return out
    }

    static func linesMatch(_ expected: String, _ actual: String, _ tol: Tolerance) -> Bool {
        if case .exact = tol { return expected == actual }
        let a = tokens(expected), b = tokens(actual)
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            switch (x.number, y.number) {
            case let (p?, q?):
                switch tol {
                case .relative(let t): if abs(p - q) > t * max(abs(p), abs(q)) { return false }
                case .absolute(let t): if abs(p - q) > t { return false }
                case .exact: if x.text != y.text { return false }
                }
            default: if x.text != y.text { return false }
            }
        }
        return true
    }

    /// Runs every command of a notebook; returns mismatches (or rewrites expected outputs with `update`).
    public static func run(file: String, workbenchPath: String, update: Bool) throws -> [NotebookMismatch] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw WorkbenchError.badInput("cannot read notebook '\(file)'") }
        var lines = text.components(separatedBy: "\n")
        let cells = try parse(lines)
        var mismatches: [NotebookMismatch] = []
        var replacements: [(Range<Int>, [String])] = []
        let directory = (file as NSString).deletingLastPathComponent
        for cell in cells {
            var args = words(cell.command)
            guard args.first == "workbench" else {
                mismatches.append(NotebookMismatch(file: file, line: cell.commandLine + 1, command: cell.command, detail: "  only workbench commands can run in a notebook"))
                continue
            }
            args.removeFirst()
            let (out, code, signal) = try execute(workbenchPath, args, directory: directory.isEmpty ? "." : directory)
            var actual = out.components(separatedBy: "\n")
            if actual.last == "" { actual.removeLast() }
            let expected = lines[cell.expectedRange].map { String($0.dropFirst(2)) }
            if update { replacements.append((cell.expectedRange, actual.map { "  " + $0 })); continue }
            var problems: [String] = []
            let exitOK = signal == nil && (cell.expectedExit == 0 ? code == 0 : code == cell.expectedExit)
            if let signal {
                problems.append("  the command crashed (killed by signal \(signal)\(signal == 4 ? ", SIGILL: a Swift runtime trap" : ""))")
            } else if !exitOK {
                problems.append("  exit code \(code), expected \(cell.expectedExit)")
            }
            if expected.count != actual.count || zip(expected, actual).contains(where: { !linesMatch($0, $1, cell.tolerance) }) {
                for k in 0..<max(expected.count, actual.count) {
                    let e = k < expected.count ? expected[k] : "<missing>", a = k < actual.count ? actual[k] : "<missing>"
                    if k >= expected.count || k >= actual.count || !linesMatch(e, a, cell.tolerance) {
                        problems.append("  line \(k + 1): expected: \(e)\n           actual:   \(a)")
                    }
                }
            }
            if !problems.isEmpty {
                mismatches.append(NotebookMismatch(file: file, line: cell.commandLine + 1, command: cell.command, detail: problems.joined(separator: "\n")))
            }
        }
        if update {
            for (range, new) in replacements.reversed() { lines.replaceSubrange(range, with: new) }
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        return mismatches
    }

    /// Output, exit status and, for a command killed by a signal, the signal (terminationStatus then holds
    /// the signal number: a crash by SIGILL was reported as "exit code 4").
    static func execute(_ path: String, _ args: [String], directory: String) throws -> (String, Int32, Int32?) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let signal = p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil
        return (String(decoding: data, as: UTF8.self), p.terminationStatus, signal)
    }
}
