import ArgumentParser
import Foundation
import WorkbenchCore
#if canImport(Glibc)
import Glibc
#endif

/// Line input for the REPL.
///
/// Line editing and history come from libedit (BSD licence; GNU readline is GPL), loaded with dlopen
/// when stdin is a terminal, instead of linked through a `.systemLibrary` target. Reasons: the build
/// needs no extra -dev package (the README's install line and .ci/run stay as they are), the binary
/// starts on a machine without libedit, and a piped REPL, which is what scripts and tests use, never
/// touches the terminal library at all. libedit2 is present wherever the Swift toolchain runs (its lldb
/// and REPL link it; so does openssh-client); without it the REPL reads plain lines, with a prompt.
final class LineReader {
    typealias ReadlineFn = @convention(c) (UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?
    typealias StringFn = @convention(c) (UnsafePointer<CChar>?) -> Int32
    typealias IntFn = @convention(c) (Int32) -> Void
    typealias VoidFn = @convention(c) () -> Void

    let interactive: Bool
    let prompt = "workbench> "
    private var readlineFn: ReadlineFn?
    private var addHistory: StringFn?
    private var writeHistory: StringFn?
    let historyPath: String?
    private var lastHistory: String?

    init(historyPath: String?) {
        interactive = isatty(STDIN_FILENO) == 1
        self.historyPath = interactive ? historyPath : nil
        guard interactive, ProcessInfo.processInfo.environment["WORKBENCH_REPL_PLAIN"] == nil,
              let lib = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL) else { return }
        func sym<T>(_ name: String, _: T.Type) -> T? { dlsym(lib, name).map { unsafeBitCast($0, to: T.self) } }
        guard let rl = sym("readline", ReadlineFn.self), let add = sym("add_history", StringFn.self) else { return }
        readlineFn = rl; addHistory = add
        writeHistory = sym("write_history", StringFn.self)
        sym("using_history", VoidFn.self)?()
        sym("stifle_history", IntFn.self)?(1000)
        if let path = self.historyPath, FileManager.default.fileExists(atPath: path) { _ = sym("read_history", StringFn.self)?(path) }
    }

    var editing: Bool { readlineFn != nil }

    /// The next line, or nil at end of input.
    func next() -> String? {
        if let rl = readlineFn {
            guard let p = rl(prompt) else { return nil }
            defer { free(p) }
            return String(cString: p)
        }
        if interactive { printOut(prompt) }
        return readLine(strippingNewline: true)
    }

    /// Adds a line to the history (not twice in a row) and saves the file.
    func remember(_ line: String) {
        guard let add = addHistory, line != lastHistory, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        lastHistory = line
        _ = add(line)
        if let path = historyPath, let write = writeHistory { _ = write(path) }
    }
}

extension Workbench {
    struct Repl: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Interactive session: the commands of the CLI, one per line, with session defaults.",
            discussion: """
            workbench repl

            Each line is a workbench command without 'workbench' (eval, simulate,
            validate, describe, list, init, plot, notebook), split like a shell
            line: "a b" and 'a b' are one word, # starts a comment.

            REPL commands:
              set <parameter> <value>  a session default, added as --<parameter>
                                       <value> to every command whose estimator,
                                       model or init scheme has that parameter,
                                       unless the line gives it (as an option, a
                                       --grid or a positional value); also seed
                                       and threads (simulate, validate, plot --mc)
                                       and format (eval, simulate, validate, init)
              unset <parameter>...     remove defaults ('unset all': every one)
              show                     list the defaults
              help [command]           the REPL's commands, or a command's help
              quit, exit, end of input leave (exit status 0)

            An error prints the CLI's message and the session goes on.
            On a terminal: a prompt, line editing and history (libedit, loaded
            at run time; history in $WORKBENCH_HISTORY or ~/.workbench_history).
            From a pipe: plain lines, no prompt, no history file, so stdout
            carries exactly what the commands print (as the one-shot CLI would).
            Ctrl-C ends the session, as it ends a one-shot command.
            WORKBENCH_REPL_PLAIN=1 turns line editing off on a terminal (the
            prompt stays; no history file).

            """)

        static let help = """
        Commands (as on the command line, without 'workbench'):
          eval, simulate, validate, describe, list, init, plot, notebook run
          e.g.  eval siegert 15 5 --tau-m 10ms
                plot siegert rate_hz --grid mu=-10:40:0.5 --grid sigma=2,5,10 -o rate.svg
        Session:
          set <parameter> <value>   default for every later command whose estimator/model has it
          unset <parameter>...      remove defaults ('unset all' removes every one)
          show                      list the defaults
          help [command]            this text, or a command's help ('help eval')
          quit | exit | Ctrl-D      leave
        Quoting as in a shell: "a b", 'a b'; # starts a comment.

        """

        func run() throws {
            let env = ProcessInfo.processInfo.environment
            let history = env["WORKBENCH_HISTORY"] ?? (NSHomeDirectory() as NSString).appendingPathComponent(".workbench_history")
            let reader = LineReader(historyPath: history)
            var session = Session()
            if reader.interactive {
                printOut("workbench \(workbenchVersion) REPL: 'help' lists the commands, 'quit' leaves.\n")
            }
            while let line = reader.next() {
                reader.remember(line)
                if !session.handle(line) { break }
            }
            if reader.interactive && !session.quit { printOut("\n") }   // end of input: leave the prompt line
        }
    }

    /// One REPL session: defaults and the dispatch of a line.
    struct Session {
        var defaults = SessionDefaults()
        var quit = false
        var registryCache: PluginRegistry?

        mutating func registry() -> PluginRegistry {
            if let r = registryCache { return r }
            let r = PluginRegistry(searchPath: PluginRegistry.defaultSearchPath())
            registryCache = r
            return r
        }

        /// Runs one line; false when the session ends.
        mutating func handle(_ line: String) -> Bool {
            let words: [String]
            do { words = try ShellWords.split(line) } catch {
                printError("error: \(error)"); return true
            }
            guard var first = words.first else { return true }
            if first == "workbench" && words.count > 1 { return handle(Array(words.dropFirst())) }
            first = first.lowercased()
            switch first {
            case "quit", "exit":
                quit = true
                return false
            case "help", "?":
                if words.count == 1 { printOut(Workbench.Repl.help) } else { _ = execute(["help"] + words.dropFirst()) }
            case "show":
                printOut(defaults.render())
            case "set":
                var rest = Array(words.dropFirst())
                if rest.count == 1, let eq = rest[0].firstIndex(of: "=") {
                    rest = [String(rest[0][..<eq]), String(rest[0][rest[0].index(after: eq)...])]
                }
                guard rest.count == 2 else {
                    if rest.isEmpty { printOut(defaults.render()) } else { printError("error: usage: set <parameter> <value> (e.g. set tau_m 10ms)") }
                    return true
                }
                let name = SessionDefaults.canonical(rest[0])
                let known = SessionDefaults.knownNames(registry())
                guard known.contains(name) else {
                    printError("error: unknown parameter '\(name)': no estimator, model or init scheme has it (see 'describe <estimator>')")
                    return true
                }
                // The value is checked now, not at the first command that uses it: `set tau_m abc` is an error here.
                if let problem = SessionDefaults.problem(name: name, value: rest[1], registry: registry()) {
                    printError("error: \(problem)")
                    return true
                }
                defaults.set(name, rest[1])
            case "unset":
                let names = words.dropFirst()
                if names.isEmpty { printError("error: usage: unset <parameter>... (or 'unset all')"); return true }
                if names.count == 1 && names.first == "all" { defaults.clear(); return true }
                for n in names where !defaults.unset(n) { printError("error: '\(SessionDefaults.canonical(n))' has no session default (see 'show')") }
            case "repl":
                printError("error: already in the REPL")
            default:
                let full = defaults.apply(to: words) { registry() }
                let status = execute(full)
                // A failing command whose line got session defaults says which, since the user did not type them.
                if status != 0 && status != WorkbenchError.Code.disagreement.rawValue && full.count > words.count {
                    printError("note: session defaults added to this command: \(full.dropFirst(words.count).joined(separator: " ")) (see 'show')")
                }
            }
            return true
        }

        mutating func handle(_ words: [String]) -> Bool {
            handle(words.map { $0.contains(where: { " \t'\"\\#".contains($0) }) ? "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" : $0 }.joined(separator: " "))
        }
    }
}
