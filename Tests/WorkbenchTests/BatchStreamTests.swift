// The streaming batch path (issue 20) against what it replaces: the number parser against strtod, the number
// writer against formatNumber, the block-wise CSV reader against CSV.parse, and whole CLI runs whose chunks,
// errors and row numbers must come out as one in-memory pass would print them.
import Foundation
import Testing
import WorkbenchCore

struct BatchStreamTests {
    /// Texts a batch file holds: shortest round trips, %.17g, short decimals, long mantissas, extreme and
    /// subnormal exponents, exact halfway cases, signs, leading zeros, a bare point.
    static func numberTexts(_ count: Int) -> [String] {
        var g = SplitMix64(state: 42)
        var texts = ["0", "-0", "0.0", "1", "+1", "-1", ".5", "5.", "1e5", "1E-5", "1e+300", "1e308", "1.7976931348623157e308",
                     "2.2250738585072014e-308", "4.9e-324", "1e-320", "9007199254740993", "9007199254740992.5",
                     "0.30000000000000004", "123456789012345678", "1234567890123456789", "12345678901234567890",
                     "000000000000000000000001.5", "0.000000000000000000000000000000123", "1e400", "1e-400",
                     "7.2057594037927933e16", "8.98846567431158e307", "3.0517578125e-05"]
        while texts.count < count {
            let bits = g.next()
            switch bits % 5 {
            case 0:
                let v = Double(bitPattern: g.next())
                if v.isFinite { texts.append(v.description) }
            case 1:
                let v = Double.random(in: -100...100, using: &g)
                texts.append(String(format: "%.17g", v))
            case 2:
                texts.append(String(format: "%.\(Int(bits >> 8 % 16))f", Double.random(in: -1000...1000, using: &g)))
            case 3:
                let digits = (0..<Int(1 + (bits >> 8) % 25)).map { _ in String(g.next() % 10) }.joined()
                texts.append(digits + "e" + String(Int(g.next() % 700) - 350))
            default:
                // Halfway between two doubles: the midpoint of v and its successor, written out exactly.
                let v = Double.random(in: 1...1e6, using: &g)
                let mid = (Decimal(v) + Decimal(v.nextUp)) / 2
                texts.append("\(mid)")
            }
        }
        return texts
    }

    @Test func decimalParserAgreesWithStrtod() {
        var decided = 0, wrong: [String] = []
        let texts = Self.numberTexts(400_000)
        for t in texts {
            let bytes = Array(t.utf8)
            guard let v = bytes.withUnsafeBufferPointer({ DecimalParser.parse($0.baseAddress!, count: $0.count) }) else { continue }
            decided += 1
            var end: UnsafeMutablePointer<CChar>?
            let ref = t.withCString { strtod($0, &end) }
            if v.bitPattern != ref.bitPattern { wrong.append("\(t): \(v) vs strtod \(ref)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) texts differ: \(wrong.prefix(5))")
        #expect(Double(decided) > 0.8 * Double(texts.count), "decided only \(decided) of \(texts.count)")
        // Not numbers, or not plain decimals: left to the general path.
        for t in ["", "+", "-", ".", "e5", "1e", "1e+", "0x10", "inf", "nan", "1.2.3", "1e5e5", "--1", "1 ", "15mV"] {
            let bytes = Array(t.utf8)
            let v = bytes.withUnsafeBufferPointer { $0.baseAddress.flatMap { DecimalParser.parse($0, count: bytes.count) } }
            #expect(v == nil, "'\(t)' parsed as \(String(describing: v))")
        }
    }

    /// The batch number writer (Ryu digits in Swift's layout, CRyu) against `formatNumber` (Swift's own
    /// `description`): every layout branch and its edges, every power of two and of ten with neighbours,
    /// integers above 2^53 (where interval bounds are short decimals), short decimals, subnormals, random bits.
    /// WORKBENCH_LONG_CHECKS=1 takes 50 times as many random values (6·10^7).
    @Test func numberWriterIsFormatNumber() {
        let randomRounds = ProcessInfo.processInfo.environment["WORKBENCH_LONG_CHECKS"] == nil ? 200_000 : 10_000_000
        var g = SplitMix64(state: 7)
        var values: [Double] = [0, -0.0, 1, -1, 1e15, 1e15 - 1, -1e15 + 1, 999_999_999_999_999.9, 0.1, .nan, .infinity,
                                -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 123456789, 0x1.2p-1030,
                                1e-4, 0x1p54, 0x1p53, 0x1p53 + 2, 1e16, 1e17, 1e23, 0x1p-1074, 2.2250738585072014e-308]
        for v in values where v.isFinite {
            values += [v.nextUp, v.nextDown, -v.nextUp, -v.nextDown]
        }
        for e in -1074...1023 {
            let p = Double(sign: .plus, exponent: e, significand: 1)
            values += [p, p.nextUp, p.nextDown, -p, 3 * p]
        }
        for e in -323...308 {
            guard let p = Double("1e\(e)") else { continue }
            values += [p, p.nextUp, p.nextDown, Double("4.5e\(e)") ?? 0, Double("1.25e\(e)") ?? 0]
        }
        for _ in 0..<randomRounds {
            values.append(Double(bitPattern: g.next()))
            values.append(Double(Int64(bitPattern: g.next()) >> Int64(g.next() % 64)))
            values.append(Double.random(in: -1e3...1e3, using: &g))
            values.append(Double(sign: .plus, exponent: 53 + Int(g.next() % 20), significand: 1 + Double(g.next() % 4096) / 4096))
            let digits = 1 + g.next() % 17, exponent = Int(g.next() % 620) - 325
            values.append(Double("\(g.next() % (digits == 17 ? 99_999_999_999_999_999 : UInt64(pow(10.0, Double(digits)))))e\(exponent)") ?? 0)
            values.append(Double(bitPattern: g.next() % (1 << 52)))  // subnormal
        }
        var out = OutputBytes()
        var wrong: [String] = []
        for v in values {
            let start = out.count
            out.number(v)
            let written = out.withBytes { String(decoding: $0[start...], as: UTF8.self) }
            if written != formatNumber(v) { wrong.append("\(formatNumber(v)) written as \(written)") }
        }
        #expect(wrong.count == 0, "\(wrong.count) of \(values.count) differ: \(wrong.prefix(5))")
        #expect(values.count > 1_200_000)
    }

    /// Random texts of quotes, commas, CR, LF, spaces, digits and non-ASCII, read in tiny blocks and chunks:
    /// the same records as CSV.parse reads from the whole text.
    @Test func recordReaderAgreesWithTheWholeTextParser() throws {
        var g = SplitMix64(state: 3)
        let alphabet: [String] = ["\"", ",", "\r", "\n", "\r\n", " ", "1", "2.5", "a", "é", "µV", "\"\"", ",,"]
        let dir = try temporaryDirectory("csvreader")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for k in 0..<400 {
            let text = (0..<Int(g.next() % 80)).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] }.joined()
            let path = dir + "/t\(k).csv"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let reader = try CSVRecordReader(path: path, blockSize: 1 + Int(g.next() % 9))
            var records: [[String]] = []
            var more = true
            while more {
                var chunk = RecordChunk()
                more = try reader.read(into: &chunk, maxRecords: 1 + Int(g.next() % 4))
                for r in 0..<chunk.count { records.append((0..<chunk.fieldCount(r)).map { chunk.text(r, $0) }) }
            }
            #expect(records == CSV.parse(text), "text \(k): \(text.debugDescription)")
        }
    }

    /// 20 000 rows (five chunks of 4096 and a part) with bad rows spread over them: every row comes out in
    /// order, the bad ones as errors naming their own row, in CSV and in JSON.
    @Test func chunksKeepOrderRowsAndRowNumbers() throws {
        let dir = try temporaryDirectory("stream")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = "mu,sigma\n"
        for i in 0..<20_000 {
            if i % 997 == 5 { text += "\(i)\n" }                       // one field: a row error naming row i + 1
            else if i % 1009 == 7 { text += "abc,5\n" }              // a cell error
            else { text += "\(Double(i % 60) - 20),\(1 + Double(i % 7))\n" }
        }
        try text.write(toFile: dir + "/in.csv", atomically: true, encoding: .utf8)
        let csv = try workbench(["eval", "siegert", "--input", dir + "/in.csv", "--outputs", "rate_hz"])
        #expect(csv.code == 2)
        let lines = csv.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 20_001)
        for i in 0..<20_000 {
            let line = lines[i + 1]
            if i % 997 == 5 { #expect(line.hasSuffix("error,\"row \(i + 1): 1 fields, header has 2\""), "\(line)") }
            else if i % 1009 == 7 { #expect(line.hasPrefix("abc,5,") && line.contains(",error,"), "\(line)") }
            else { #expect(line.hasPrefix("\(formatNumber(Double(i % 60) - 20)),") && !line.contains(",error,"), "\(line)") }
        }
        let bad = (0..<20_000).filter { $0 % 997 == 5 || $0 % 1009 == 7 }.count
        #expect(csv.stderr.contains("error: \(bad) of 20000 rows failed"), "\(csv.stderr)")
        // Pinned to one core the chunks run in turn: the same bytes.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") {
            let pinned = try runProcess("/usr/bin/taskset", ["-c", "0", buildDirectory + "/workbench", "eval", "siegert",
                                                             "--input", dir + "/in.csv", "--outputs", "rate_hz"])
            #expect(pinned.stdout == csv.stdout && pinned.code == csv.code)
        }
        let json = try workbench(["eval", "siegert", "--input", dir + "/in.csv", "--outputs", "rate_hz", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["rows"] as? [[String: Any]])
        #expect(rows.count == 20_000)
        #expect(rows.filter { $0["status"] as? String == "error" }.count == bad)
    }

    @Test func gridLimitIsCheckedBeforeAnythingIsBuilt() throws {
        let r = try workbench(["eval", "siegert", "--grid", "mu=0:3000:1", "--grid", "sigma=1:3000:1", "--grid", "tau_m=1:3000:1"])
        #expect(r.code == 2)
        #expect(r.stderr.contains("grid has 27009000000 points (limit 10^7)"), "\(r.stderr)")
    }

    @Test func emptyHeaderOnlyAndBadEncodingFiles() throws {
        let dir = try temporaryDirectory("encoding")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data().write(to: URL(fileURLWithPath: dir + "/empty.csv"))
        try Data("mu,sigma\n".utf8).write(to: URL(fileURLWithPath: dir + "/header.csv"))
        try Data([0xFF, 0xFE, 0x6D, 0x00]).write(to: URL(fileURLWithPath: dir + "/utf16.csv"))
        try Data([0xEF, 0xBB, 0xBF] + Array("mu,sigma\n15,5\n".utf8)).write(to: URL(fileURLWithPath: dir + "/bom.csv"))
        try Data(Array("mu,sigma\n15,5\n".utf8) + [0x31, 0xE9, 0x2C, 0x35, 0x0A] + Array("16,5\n".utf8))
            .write(to: URL(fileURLWithPath: dir + "/latin1.csv"))
        let empty = try workbench(["eval", "siegert", "--input", dir + "/empty.csv"])
        #expect(empty.code == 2 && empty.stderr.contains("is empty"))
        let header = try workbench(["eval", "siegert", "--input", dir + "/header.csv", "--format", "json"])
        #expect(header.code == 0 && header.stdout.contains("\"rows\": []"))
        let utf16 = try workbench(["eval", "siegert", "--input", dir + "/utf16.csv"])
        #expect(utf16.code == 2 && utf16.stderr.contains("UTF-16"))
        let bom = try workbench(["eval", "siegert", "--input", dir + "/bom.csv", "--outputs", "rate_hz"])
        #expect(bom.code == 0 && bom.stdout.hasPrefix("mu,sigma,"))
        let latin1 = try workbench(["eval", "siegert", "--input", dir + "/latin1.csv", "--outputs", "rate_hz"])
        #expect(latin1.code == 2)
        let lines = latin1.stdout.split(separator: "\n")
        #expect(lines.count == 4 && lines[2].contains("row 2 is not UTF-8 text") && lines[3].hasSuffix(",ok,"))
    }
}
