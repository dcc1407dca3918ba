// Small host pieces and the GSL layer: SHA-256 (FIPS 180-4 vectors), units, CSV, and the evaluation argument grammar.
import Foundation
import GSLSupport
import Testing
import WorkbenchCore

struct HostUnitTests {
    @Test("SHA-256 FIPS 180-4 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(_ message: String, _ digest: String) {
        #expect(SHA256.hex(Data(message.utf8)) == digest)
    }

    @Test func sha256OfAMillionAs() {
        #expect(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func quantitiesConvertToTheParameterUnit() throws {
        #expect(try Quantity.parse("15", unit: "mV", name: "mu") == 15)
        #expect(try Quantity.parse("-5", unit: "mV", name: "mu") == -5)
        #expect(try Quantity.parse("0.015V", unit: "mV", name: "mu") == 15)
        #expect(try Quantity.parse("15 mV", unit: "mV", name: "mu") == 15)
        #expect(try Quantity.parse("0.01s", unit: "ms", name: "tau_m") == 10)
        #expect(try Quantity.parse("1e4us", unit: "ms", name: "tau_m") == 10)
        #expect(try Quantity.parse("10Hz", unit: "Hz", name: "r") == 10)
        #expect(try Quantity.parse("0.01kHz", unit: "Hz", name: "r") == 10)
        #expect(try Quantity.parse("2.5e-3", unit: "1", name: "x") == 0.0025)
        for bad in ["abc", "nan", "inf", "-inf", "10kg", "1.2.3", "", "ms"] {
            #expect(throws: WorkbenchError.self, "'\(bad)' accepted") { try Quantity.parse(bad, unit: "ms", name: "tau_m") }
        }
        #expect(throws: WorkbenchError.self) { try Quantity.parse("10mV", unit: "ms", name: "tau_m") }
    }

    @Test func csvParsesQuotesAndLineEnds() {
        let rows = CSV.parse("a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\n,,\n")
        #expect(rows == [["a", "b", "c"], ["1", "x, y", "he said \"hi\""], ["", "", ""]])
        #expect(CSV.escape("plain") == "plain" && CSV.escape("a,b") == "\"a,b\"" && CSV.escape("q\"") == "\"q\"\"\"")
    }

    @Test func evalArgumentsSeparateValuesOptionsAndParameters() throws {
        let a = try EvalArguments(["siegert", "15", "-5", "--tau-m", "10ms", "--format=json", "--grid", "mu=1,2", "--outputs", "rate_hz, cv"])
        #expect(a.estimator == "siegert" && a.positionals == ["15", "-5"] && a.format == .json)
        #expect(a.named.map(\.name) == ["tau_m"] && a.named.first?.value == "10ms")
        #expect(a.grids == ["mu=1,2"] && a.outputs == ["rate_hz", "cv"])
        #expect(throws: WorkbenchError.self) { try EvalArguments(["siegert", "15", "-x"]) }
        #expect(throws: WorkbenchError.self) { try EvalArguments(["siegert", "--tau-m"]) }
        #expect(throws: WorkbenchError.self) { try EvalArguments([]) }
        // --assume-exact is a flag of validate only; eval would read it as a parameter needing a value.
        let v = try EvalArguments(["siegert", "15", "--assume-exact", "5", "--seed", "3"], commandOptions: Validation.commandOptions)
        #expect(v.assumeExact && v.positionals == ["15", "5"] && v.extra["seed"] == "3")
        #expect(throws: WorkbenchError.self) { try EvalArguments(["siegert", "15", "--assume-exact"]) }
    }
}

/// The GSL layer's root finder and log-domain helpers (THEORY §0.3), against 30-digit mpmath values.
struct GSLLayerTests {
    @Test func brentFindsTheMedianOfErf() throws {
        let x = try RootFinding.brent(0, 2) { GSL.erf($0) - 0.5 }
        expectRelative(x, 0.47693627620446987338, 1e-14, "erf⁻¹(1/2)")
        #expect(throws: GSLError.self) { try RootFinding.brent(1, 2) { GSL.erf($0) - 0.5 } }   // no sign change
    }

    @Test func logDomainHelpers() {
        expectRelative(Special.logNormalTail(40), -804.60844201375378817, 1e-14, "ln Q(40)")
        expectRelative(Special.normalTail(1), 0.15865525393145705, 1e-14, "Q(1)")
        #expect(Special.logAddExp(-.infinity, 2) == 2 && abs(Special.logAddExp(1000, 1000) - (1000 + log(2.0))) < 1e-12)
        // GSL's abort handler is off: an out-of-domain call returns a status, the process lives on.
        #expect(throws: GSLError.self) { try IntegrationWorkspace().qag(0, 1, epsrel: 1e-20) { $0 } }
    }
}
