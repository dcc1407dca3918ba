// The declared command line: help that fits 80 columns without re-wrapped paragraphs, and shell completion
// that asks the plugins (estimator names, an estimator's --parameter options, its outputs, grid axes).
import Foundation
import Testing

@Suite("Help and completion") struct HelpAndCompletionTests {
    static let commands = [[], ["eval"], ["simulate"], ["validate"], ["plot"], ["init"], ["atlas"], ["list"],
                           ["describe"], ["repl"], ["notebook"], ["notebook", "run"]]

    func help(_ command: [String], columns: Int) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = String(columns)
        let r = try runProcess(buildDirectory + "/workbench", command + ["--help"], environment: env)
        #expect(r.code == 0, "\(command): exit \(r.code) \(r.stderr)")
        return r.stdout
    }

    /// The discussion: from the first blank line after OVERVIEW to the line before USAGE.
    func discussion(_ text: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let blank = lines.firstIndex(where: \.isEmpty),
              let usage = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }), blank < usage else { return [] }
        return Array(lines[blank..<usage])
    }

    @Test("every help fits 80 columns, and no paragraph is re-wrapped", arguments: commands)
    func helpFitsEightyColumns(_ command: [String]) throws {
        let narrow = try help(command, columns: 80), wide = try help(command, columns: 200)
        for line in narrow.split(separator: "\n") {
            #expect(line.count <= 80, "\(command): \(line.count) columns: \(line)")
        }
        // Written line by line within 80 columns, the discussion reads the same on any wider terminal.
        #expect(discussion(narrow) == discussion(wide), "\(command): the discussion is re-wrapped at 80 columns")
    }

    @Test func declaredOptionsHaveTheirOwnHelp() throws {
        let eval = try help(["eval"], columns: 80)
        for option in ["--format <format>", "--outputs <a,b,...>", "--grid <name=values>", "--v-rest <mV>", "--timing"] {
            #expect(eval.contains(option), "eval --help lacks \(option)")
        }
        let simulate = try help(["simulate"], columns: 80)
        for option in ["--neurons <N>", "--time <ms>", "--seed <S>", "--modulate <mu:EPS:F>", "--spikes <file.csv>"] {
            #expect(simulate.contains(option), "simulate --help lacks \(option)")
        }
        let initHelp = try help(["init"], columns: 80)
        #expect(initHelp.contains("--scheme <scheme>") && initHelp.contains("--n-var-w <x>"))
        #expect(!simulate.contains("--kernel"), "the benchmark-only --kernel is hidden")
    }

    /// ArgumentParser's custom-completion call, as the generated scripts make it.
    func complete(_ command: String, _ argument: String, _ words: [String], prefix: String) throws -> [String] {
        var env = ProcessInfo.processInfo.environment
        env["SAP_SHELL"] = "bash"
        let all = ["workbench"] + words
        let r = try runProcess(buildDirectory + "/workbench",
                               ["---completion", command, "--", argument, String(all.count - 1), String(prefix.count)] + all,
                               environment: env)
        #expect(r.code == 0, "\(words): exit \(r.code) \(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test func completionAsksThePlugins() throws {
        let names = try complete("eval", "positional@0", ["eval", "sieg"], prefix: "sieg")
        #expect(names == ["siegert", "siegert-colored"])
        let parameters = try complete("eval", "positional@1", ["eval", "siegert", "15", "--t"], prefix: "--t")
        #expect(Set(parameters) == ["--theta", "--tau-m", "--tau-ref"])
        let outputs = try complete("eval", "--outputs", ["eval", "siegert", "--outputs", "rate_hz,c"], prefix: "rate_hz,c")
        #expect(outputs == ["rate_hz,cv"])
        let axes = try complete("eval", "--grid", ["eval", "wiener", "--grid", ""], prefix: "")
        #expect(axes.contains("m=") && axes.contains("tau_ref="))
        let plotted = try complete("plot", "positional@1", ["plot", "linear-response", "spec"], prefix: "spec")
        #expect(plotted == ["spectrum_hz", "spectrum_relative"])
        let models = try complete("simulate", "positional@0", ["simulate", "lif-c"], prefix: "lif-c")
        #expect(models == ["lif-colored", "lif-current"])
        let modelParameters = try complete("simulate", "positional@1", ["simulate", "lif-colored", "15", "--tau"],
                                           prefix: "--tau")
        #expect(Set(modelParameters) == ["--tau-m", "--tau-ref", "--tau-s"])
        #expect(try complete("eval", "positional@1", ["eval", "no-such", "--"], prefix: "--").isEmpty)
    }

    @Test("completion scripts for bash, zsh and fish call back for estimators, parameters and outputs",
          arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) throws {
        let r = try workbench(["--generate-completion-script", shell])
        #expect(r.code == 0)
        for callback in ["---completion eval -- positional@0", "---completion eval -- positional@1",
                         "---completion eval -- --outputs", "---completion plot -- positional@1",
                         "---completion simulate -- positional@0"] {
            #expect(r.stdout.contains(callback), "\(shell): no \(callback)")
        }
    }

    /// The bash script end to end, in a real bash: what a user's TAB gives.
    @Test func bashCompletesEstimatorsAndParameters() throws {
        let script = try workbench(["--generate-completion-script", "bash"]).stdout
        let dir = try temporaryDirectory("completion")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try script.write(toFile: dir + "/workbench.bash", atomically: true, encoding: .utf8)
        let driver = """
            source "$1"
            c() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"
                  [[ "$1" == *" " ]] && COMP_WORDS+=("")
                  COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
                  _workbench workbench "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                  echo "${COMPREPLY[*]}"; }
            c "workbench eval si"
            c "workbench eval siegert 15 5 --tau"
            c "workbench init --scheme "
            """
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = buildDirectory + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let r = try runProcess("/bin/bash", ["-c", driver, "bash", dir + "/workbench.bash"], environment: env)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["siegert siegert-colored", "--tau-m --tau-ref", "fluctuation variance-flow rate-collapse"],
                "\(r.stdout) \(r.stderr)")
    }
}
