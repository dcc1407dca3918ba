// Fuzz targets for the parsers every user input passes through (issue 19): numbers with units, the
// block-wise CSV reader, and the ELF check that runs on every plugin file before dlopen. Each target states
// properties; a violation stops the process (fatalError), which libFuzzer records as a crash with its input.
//
//   workbench-fuzz replay TARGET FILE|DIR...   every input once (the default build; the test suite replays
//                                              Tests/fuzz/corpus/TARGET)
//   WORKBENCH_FUZZ_TARGET=TARGET workbench-fuzz [libFuzzer flags] [CORPUS_DIR]   coverage-guided: the fuzz
//                                              build (Tests/fuzz/run.sh: --sanitize=fuzzer,address), where
//                                              libFuzzer's own main calls LLVMFuzzerTestOneInput below
import Foundation
import WorkbenchCore

enum Target: String, CaseIterable {
    case number, csv, elf

    func check(_ data: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .number: checkNumber(data)
        case .csv: checkCSV(data)
        case .elf: _ = try? ELFPrecheck.check(Data(buffer: data))
        }
    }
}

func violated(_ what: String, _ data: UnsafeBufferPointer<UInt8>) -> Never {
    fatalError("\(what); input \(Array(data))")
}

/// DecimalParser decides only what strtod reads whole, to the same bits; Quantity.parse gives a finite value
/// or a bad-input error that names the parameter — for every unit family.
func checkNumber(_ data: UnsafeBufferPointer<UInt8>) {
    if let base = data.baseAddress, let v = DecimalParser.parse(base, count: data.count) {
        let text = Array(data) + [0]
        var end: UnsafeMutablePointer<CChar>?
        let (reference, consumed) = text.withUnsafeBufferPointer { b -> (Double, Int) in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                let r = strtod(p, &end)
                return (r, UnsafePointer(end!) - p)
            }
        }
        guard consumed == data.count, v.bitPattern == reference.bitPattern else {
            violated("DecimalParser gave \(v), strtod \(reference) over \(consumed) of \(data.count) bytes", data)
        }
    }
    let text = String(decoding: data, as: UTF8.self)
    for unit in ["mV", "ms", "Hz", "1", "mV^2"] {
        do {
            let v = try Quantity.parse(text, unit: unit, name: "fuzzed")
            guard v.isFinite else { violated("Quantity.parse returned \(v) for unit \(unit)", data) }
        } catch let e as WorkbenchError {
            guard e.code == .badInput, e.message.contains("fuzzed") else { violated("unclear error: \(e.message)", data) }
        } catch {
            violated("unexpected error \(error)", data)
        }
    }
}

/// The block-wise reader (block size and records per call from the first two bytes) never crashes, keeps
/// every field inside its chunk, and reads a UTF-8 text into the records the whole-text parser reads.
func checkCSV(_ data: UnsafeBufferPointer<UInt8>) {
    guard data.count >= 2 else { return }
    let blockSize = 1 + Int(data[0] % 64), perCall = 1 + Int(data[1] % 8)
    let bytes = Array(data[2...])
    let reader = CSVRecordReader(bytes: bytes, blockSize: blockSize)
    var records: [[String]] = []
    var more = true
    while more {
        var chunk = RecordChunk()
        do { more = try reader.read(into: &chunk, maxRecords: perCall) } catch { violated("read threw \(error)", data) }
        guard chunk.count <= perCall else { violated("\(chunk.count) records for a call of \(perCall)", data) }
        for r in 0..<chunk.count {
            records.append((0..<chunk.fieldCount(r)).map { c in
                let range = chunk.field(r, c)
                guard range.lowerBound >= 0, range.upperBound <= chunk.byteCount else { violated("field \(range) outside the chunk", data) }
                return chunk.text(r, c)
            })
        }
    }
    if let text = String(validating: bytes, as: UTF8.self), !text.hasPrefix("\u{FEFF}") {
        let whole = CSV.parse(text)
        guard records == whole else { violated("block-wise \(records) vs whole-text \(whole)", data) }
    }
    try? CSVRecordReader(bytes: bytes, blockSize: blockSize).checkEncoding()
}

func inputs(_ paths: [String]) -> [String] {
    paths.flatMap { path -> [String] in
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("error: no such file or directory '\(path)'\n".utf8)); exit(2)
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }
    }
}

func usage() -> Never {
    let targets = Target.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("usage: workbench-fuzz replay \(targets) FILE|DIR...\n".utf8))
    exit(2)
}

#if WORKBENCH_LIBFUZZER
/// The fuzz build: libFuzzer's main drives this entry with the target named by WORKBENCH_FUZZ_TARGET.
let fuzzTarget: Target = {
    guard let name = ProcessInfo.processInfo.environment["WORKBENCH_FUZZ_TARGET"], let t = Target(rawValue: name) else {
        FileHandle.standardError.write(Data("error: set WORKBENCH_FUZZ_TARGET to one of \(Target.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzTarget.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#else
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3, arguments[1] == "replay", let target = Target(rawValue: arguments[2]) else { usage() }
        let files = inputs(Array(arguments.dropFirst(3)))
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            [UInt8](data).withUnsafeBufferPointer { target.check($0) }
        }
        print("\(target.rawValue): \(files.count) inputs replayed, every property held")
    }
}
#endif
