// `workbench repl`: word splitting, session defaults, a piped session against the one-shot CLI, and a
// session on a pseudo-terminal (prompt, line editing, history).
import Foundation
import Testing
import WorkbenchCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReplTests {
    @Test func shellWordsSplitLikeAShell() throws {
        #expect(try ShellWords.split(#"eval "a b" 'c d' e\ f  g"h i"j # a comment"#) == ["eval", "a b", "c d", "e f", "gh ij"])
        #expect(try ShellWords.split(#"set title "say \"hi\" \\ $x" ''"#) == ["set", "title", #"say "hi" \ $x"#, ""])
        #expect(try ShellWords.split("   ") == [])
        #expect(try ShellWords.split("# only a comment") == [])
        #expect(throws: WorkbenchError.self) { try ShellWords.split("eval 'siegert") }
        #expect(throws: WorkbenchError.self) { try ShellWords.split("eval \"siegert") }
    }

    @Test func defaultsReachOnlyCommandsWhoseEstimatorOrModelHasTheParameterAndNeverOverrideTheLine() {
        let registry = PluginRegistry(searchPath: [buildDirectory])
        var d = SessionDefaults()
        d.set("tau-m", "10ms")
        d.set("sigma", "5")
        d.set("seed", "7")
        let apply = { (w: [String]) in d.apply(to: w) { registry } }
        #expect(apply(["eval", "siegert", "15", "5"]) == ["eval", "siegert", "15", "5", "--tau-m", "10ms"])
        // sigma is required: a positional value fills it, else the default does.
        #expect(apply(["eval", "siegert", "15"]) == ["eval", "siegert", "15", "--sigma", "5", "--tau-m", "10ms"])
        #expect(apply(["eval", "siegert", "15", "4", "--tau_m=20"]) == ["eval", "siegert", "15", "4", "--tau_m=20"])
        #expect(apply(["eval", "siegert", "15", "--sigma-free", "3"]) == ["eval", "siegert", "15", "--sigma-free", "3", "--tau-m", "10ms"])
        #expect(apply(["eval", "siegert", "--grid", "mu=0:10:5", "--grid", "tau_m=5,10", "--grid", "sigma=1,2"]) ==
                ["eval", "siegert", "--grid", "mu=0:10:5", "--grid", "tau_m=5,10", "--grid", "sigma=1,2"])
        // seed reaches simulate/validate/plot --mc, not eval; an unknown estimator is left to the command.
        #expect(apply(["validate", "siegert", "15", "5"]) == ["validate", "siegert", "15", "5", "--seed", "7", "--tau-m", "10ms"])
        #expect(apply(["simulate", "lif-white", "15"]) == ["simulate", "lif-white", "15", "--seed", "7", "--sigma", "5", "--tau-m", "10ms"])
        #expect(apply(["eval", "no-such-estimator", "1"]) == ["eval", "no-such-estimator", "1"])
        #expect(apply(["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1"]) == ["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--sigma", "5", "--tau-m", "10ms"])
        #expect(apply(["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--mc"]).suffix(2) == ["--tau-m", "10ms"])
        #expect(apply(["plot", "siegert", "rate_hz", "--grid", "mu=0:10:1", "--mc"]).contains("--seed"))
        // init: only schemes that take tau_m get it.
        #expect(apply(["init", "--layers", "10,10", "--scheme", "rate-collapse", "--nu", "10Hz"]).suffix(2) == ["--tau-m", "10ms"])
        #expect(apply(["init", "--layers", "10,10", "--scheme", "variance-flow"]) == ["init", "--layers", "10,10", "--scheme", "variance-flow"])
        #expect(apply(["list"]) == ["list"])
        #expect(d.unset("tau_m") && !d.unset("tau_m"))
        #expect(d.render() == "seed = 7\nsigma = 5\n")
    }

    @Test func pipedSessionPrintsExactlyWhatTheOneShotCommandsPrintAndSurvivesErrors() throws {
        let script = """
        set tau_m 10ms
        show
        eval siegert 15 5
        eval siegert 15 5 --tau-m 30ms --outputs rate_hz,cv
        unset tau_m
        show
        eval siegert 15 5 --outputs rate_hz
        eval siegert 15 5 --theta 5
        set tau-m 1s
        eval siegert 15 5 --format csv   # the default reaches it
        unset tau_m
        frobnicate
        eval "siegert" '15' 5 --outputs "rate_hz,cv"
        set no_such_parameter 3
        describe siegert
        exit
        eval siegert 1 1
        """
        let r = try workbench(["repl"], stdin: script)
        #expect(r.code == 0, "REPL exit status at the end: \(r.stderr)")
        var expected = "tau_m = 10ms\n"
        expected += try workbench(["eval", "siegert", "15", "5", "--tau-m", "10ms"]).stdout
        expected += try workbench(["eval", "siegert", "15", "5", "--tau-m", "30ms", "--outputs", "rate_hz,cv"]).stdout
        expected += "(no session defaults; set one with: set <parameter> <value>)\n"
        expected += try workbench(["eval", "siegert", "15", "5", "--outputs", "rate_hz"]).stdout
        let bad = try workbench(["eval", "siegert", "15", "5", "--theta", "5"])
        #expect(bad.code == 2)
        expected += try workbench(["eval", "siegert", "15", "5", "--format", "csv", "--tau-m", "1s"]).stdout
        let unknown = try workbench(["frobnicate"])
        #expect(unknown.code == 2)
        expected += try workbench(["eval", "siegert", "15", "5", "--outputs", "rate_hz,cv"]).stdout
        expected += try workbench(["describe", "siegert"]).stdout
        #expect(r.stdout == expected, "REPL stdout:\n\(r.stdout)\n--- expected:\n\(expected)")
        #expect(!r.stdout.contains("workbench>"), "no prompt on a pipe")
        // The errors are the CLI's, and the lines after them ran.
        #expect(r.stderr.contains(bad.stderr), "\(r.stderr) lacks \(bad.stderr)")
        #expect(r.stderr.contains(unknown.stderr.components(separatedBy: "\n")[0]), "\(r.stderr)")
        #expect(r.stderr.contains("unknown parameter 'no_such_parameter'"))
        let wrong = try workbench(["repl"], stdin: "set tau_m -3\neval siegert 15 5\n")
        #expect(wrong.code == 0 && wrong.stdout.isEmpty)
        #expect(wrong.stderr.contains("parameter 'tau_m' = -3") && wrong.stderr.contains("note: session defaults added to this command: --tau-m -3"), "\(wrong.stderr)")
    }

    /// `set` checks the value when it is given, as the parameter reads it (issue 19: `set tau_m abc` was kept
    /// and only failed later, in some other command).
    @Test func setChecksTheValueAtOnce() throws {
        let r = try workbench(["repl"], stdin: "set tau_m abc\nset method banana\nset format xml\nset seed -1\nset tau_m 10ms\nshow\n")
        #expect(r.code == 0)
        #expect(r.stderr.contains("parameter 'tau_m': 'abc' is not a number"), "\(r.stderr)")
        #expect(r.stderr.contains("'method' = 'banana' is not one of: shift, taylor"), "\(r.stderr)")
        #expect(r.stderr.contains("'format' = 'xml'") && r.stderr.contains("'seed' = '-1'"), "\(r.stderr)")
        #expect(r.stdout.contains("tau_m = 10ms") && !r.stdout.contains("abc") && !r.stdout.contains("banana"), "\(r.stdout)")
    }

    @Test func validationDisagreementExitCodeDoesNotEndTheSession() throws {
        // 4 (disagreement) from validate: nothing extra is printed, the next line runs.
        let line = "validate random-walk 1 1 1 5 --seed 3 --assume-exact --format csv"
        let cli = try workbench(["validate", "random-walk", "1", "1", "1", "5", "--seed", "3", "--assume-exact", "--format", "csv"])
        #expect(cli.code == 4, "the notebook's rejected approximations: \(cli.stdout)")
        let r = try workbench(["repl"], stdin: line + "\nlist\n")
        #expect(r.code == 0)
        let list = try workbench(["list"])
        #expect(r.stdout.hasSuffix(list.stdout))
        #expect(r.stdout == cli.stdout + list.stdout)
        #expect(r.stderr == cli.stderr + list.stderr, "nothing extra for the exit status")
    }

    /// A session on a pseudo-terminal: the prompt, a command, then up-arrow + Enter runs it again from the
    /// history; editing in place; the history file holds the lines afterwards.
    @Test func terminalSessionHasAPromptLineEditingAndHistory() throws {
        let dir = try temporaryDirectory("repl-pty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (rate, cv) = (try siegertValue("rate_hz"), try siegertValue("cv"))
        let t = try TerminalSession(history: dir + "/history")
        #expect(t.waitFor("workbench> "), "prompt: \(t.seen)")
        t.send("eval siegert 15 5 --outputs rate_hz\r")
        #expect(t.waitFor(rate, count: 1), "first result: \(t.seen)")
        #expect(t.waitFor("workbench> ", count: 2))
        t.send("\u{1B}[A\r")                       // up-arrow recalls the line; Enter runs it again
        #expect(t.waitFor(rate, count: 2), "recalled result: \(t.seen)")
        #expect(t.waitFor("workbench> ", count: 3))
        // Editing in place: 15 left-arrows put the cursor after "1"; typing "5" makes it "15 5".
        t.send("eval siegert 1 5 --outputs cv" + String(repeating: "\u{1B}[D", count: 15) + "5\r")
        #expect(t.waitFor(cv), "edited line: \(t.seen)")
        #expect(t.waitFor("workbench> ", count: 4))
        t.send("quit\r")
        #expect(t.finish() == 0)
        let history = (try? String(contentsOfFile: dir + "/history", encoding: .utf8)) ?? ""
        #expect(history.contains("siegert") && history.contains("cv"), "history file: \(history)")

        // A second session starts with that history: two up-arrows bring back the line before "quit".
        let again = try TerminalSession(history: dir + "/history")
        #expect(again.waitFor("workbench> "))
        again.send("\u{1B}[A\u{1B}[A\r")
        #expect(again.waitFor(cv), "history of the previous session: \(again.seen)")
        #expect(again.waitFor("workbench> ", count: 2))
        // Ctrl-D at the prompt: end of input. A ^D that arrives while the terminal is still in canonical
        // mode (libedit switches it to raw mode just after printing the prompt) is consumed by the line
        // discipline and lost; a person never types that fast, so the test waits a little, and retries once.
        usleep(300_000)
        again.send("\u{4}")
        var status = again.finish(timeout: 5)
        if status == -1 { again.send("\u{4}"); status = again.finish() }
        #expect(status == 0)
    }

    /// Without line editing (WORKBENCH_REPL_PLAIN, as when libedit is missing) a terminal still gets the
    /// prompt and plain lines; a pipe gets neither a prompt nor a history file.
    @Test func plainTerminalAndPipeFallbacks() throws {
        let dir = try temporaryDirectory("repl-plain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rate = try siegertValue("rate_hz")
        let t = try TerminalSession(history: dir + "/history", plain: true)
        #expect(t.waitFor("workbench> "))
        t.send("eval siegert 15 5 --outputs rate_hz\n")
        #expect(t.waitFor(rate), "\(t.seen)")
        #expect(t.waitFor("workbench> ", count: 2))
        t.send("exit\n")
        #expect(t.finish() == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/history"), "no line editor, no history file")

        var env = ProcessInfo.processInfo.environment
        env["WORKBENCH_PLUGIN_PATH"] = nil
        env["WORKBENCH_HISTORY"] = dir + "/piped-history"
        let piped = try runProcess(buildDirectory + "/workbench", ["repl"], environment: env, stdin: "eval siegert 15 5 --outputs rate_hz\n")
        let oneShot = try workbench(["eval", "siegert", "15", "5", "--outputs", "rate_hz"])
        #expect(piped.code == 0 && piped.stdout == oneShot.stdout)
        #expect(!FileManager.default.fileExists(atPath: dir + "/piped-history"), "no history written when piped")
    }
}

/// An output of `eval siegert 15 5` as the one-shot CLI's table prints it ("  rate_hz  9.46... Hz").
private func siegertValue(_ output: String) throws -> String {
    let out = try workbench(["eval", "siegert", "15", "5", "--outputs", output]).stdout
    let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("  \(output) ") })
    return String(line.split(separator: " ")[1])
}

/// `workbench repl` on a pseudo-terminal (stdin, stdout and stderr), driven through the master side.
private final class TerminalSession {
    let master: Int32
    let process = Process()
    var seen = ""

    init(history: String, plain: Bool = false) throws {
        // posix_openpt & co. are not in Swift's Glibc module (they need _XOPEN_SOURCE): from libc by name.
        typealias IntFn = @convention(c) (Int32) -> Int32
        typealias NameFn = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
        func libc<T>(_ name: String, _: T.Type) throws -> T {
            unsafeBitCast(try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), "dlsym \(name)"), to: T.self)
        }
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0, "open /dev/ptmx")
        try #require(try libc("grantpt", IntFn.self)(master) == 0 && libc("unlockpt", IntFn.self)(master) == 0)
        var name = [CChar](repeating: 0, count: 128)
        try #require(try libc("ptsname_r", NameFn.self)(master, &name, name.count) == 0)
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(path, O_RDWR | O_NOCTTY)
        try #require(slave >= 0, "open \(path)")
        process.executableURL = URL(fileURLWithPath: buildDirectory + "/workbench")
        process.arguments = ["repl"]
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm"
        env["WORKBENCH_HISTORY"] = history
        env["WORKBENCH_PLUGIN_PATH"] = nil
        env["WORKBENCH_REPL_PLAIN"] = plain ? "1" : nil
        process.environment = env
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle; process.standardOutput = handle; process.standardError = handle
        try process.run()
        close(slave)
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Reads until `text` has occurred `count` times in the transcript (false after 20 s or at its end).
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while seen.components(separatedBy: text).count - 1 < count {
            if Date() > deadline { return false }
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 200) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { return false }
                seen += String(decoding: buffer[0..<n], as: UTF8.self)
            }
        }
        return true
    }

    func send(_ s: String) { _ = s.withCString { write(master, $0, strlen($0)) } }

    /// Waits for the REPL to end (draining its output); its exit status, or -1 if it did not end in time.
    func finish(timeout: Double = 20) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { _ = waitFor("\u{0}", count: 1, timeout: 0.2) }
        guard !process.isRunning else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
