// Checks a plugin file *before* dlopen (DESIGN.md §3): dlopen of a truncated library can SIGBUS the
// host, and dlopen runs the library's constructors, so "is this a workbench plugin?" must be decided
// on the file. Reads ELF64 little-endian (the only kind this host can load).
import Foundation

public enum ELFPrecheck {
    public struct Failure: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The first four bytes of every ELF file.
    static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
    static let badMagic = "not an ELF file (bad magic)"
    static let requiredSymbols = ["workbench_plugin_abi_version", "workbench_plugin_estimators"]

    #if arch(x86_64)
    static let hostMachine: UInt16 = 62
    #elseif arch(arm64)
    static let hostMachine: UInt16 = 183
    #else
    static let hostMachine: UInt16 = 0
    #endif

    /// Throws a Failure naming the first problem; returns when the file may be dlopen'ed.
    public static func check(_ bytes: Data) throws {
        func fail(_ s: String) -> Failure { Failure(reason: s) }
        let size = bytes.count
        if size == 0 { throw fail("empty file") }
        guard size >= 64 else { throw fail("too short for an ELF header (\(size) bytes)") }
        return try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            func u8(_ o: Int) -> UInt8 { raw[o] }
            func u16(_ o: Int) -> UInt16 { UInt16(raw[o]) | UInt16(raw[o + 1]) << 8 }
            func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
            func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }
            /// [offset, offset+length) inside the file, without overflow.
            func inside(_ offset: UInt64, _ length: UInt64) -> Bool {
                offset <= UInt64(size) && length <= UInt64(size) - offset
            }
            guard raw.starts(with: magic) else { throw fail(badMagic) }
            guard u8(4) == 2 else { throw fail("not a 64-bit ELF file") }
            guard u8(5) == 1 else { throw fail("not a little-endian ELF file") }
            guard u16(16) == 3 else { throw fail("not a shared library (ELF type \(u16(16)))") }
            guard u16(18) == hostMachine else { throw fail("built for another machine (ELF machine \(u16(18)))") }

            // Program headers: every PT_LOAD and PT_DYNAMIC segment must lie inside the file.
            let phoff = u64(32), phentsize = UInt64(u16(54)), phnum = UInt64(u16(56))
            guard phnum > 0, phentsize >= 56, inside(phoff, phentsize * phnum) else {
                throw fail("truncated: program headers lie outside the file")
            }
            var sawLoad = false, sawDynamic = false
            for i in 0..<phnum {
                let h = Int(phoff + i * phentsize)
                let type = u32(h), offset = u64(h + 8), filesz = u64(h + 32)
                if type == 1 || type == 2 {
                    guard inside(offset, filesz) else {
                        throw fail("truncated: segment \(i) (\(type == 1 ? "PT_LOAD" : "PT_DYNAMIC")) extends past the end of the file")
                    }
                    if type == 1 { sawLoad = true } else { sawDynamic = true }
                }
            }
            guard sawLoad, sawDynamic else { throw fail("no loadable dynamic segments") }

            // Section headers: find .dynsym and its string table, look for the two entry symbols.
            let shoff = u64(40), shentsize = UInt64(u16(58)), shnum = UInt64(u16(60))
            guard shnum > 0 else { throw fail("no section headers (the entry symbols cannot be checked before loading)") }
            guard shentsize >= 64, inside(shoff, shentsize * shnum) else {
                throw fail("truncated: section headers lie outside the file")
            }
            var found = Set<String>()
            var sawDynsym = false
            for i in 0..<shnum {
                let s = Int(shoff + i * shentsize)
                guard u32(s + 4) == 11 else { continue }              // SHT_DYNSYM
                sawDynsym = true
                let symOff = u64(s + 24), symSize = u64(s + 32), link = UInt64(u32(s + 40)), entsize = u64(s + 56)
                guard entsize >= 24, inside(symOff, symSize), link < shnum else { throw fail("corrupt .dynsym section") }
                let str = Int(shoff + link * shentsize)
                let strOff = u64(str + 24), strSize = u64(str + 32)
                guard inside(strOff, strSize) else { throw fail("corrupt .dynstr section") }
                for k in 0..<(symSize / entsize) {
                    let e = Int(symOff + k * entsize)
                    let nameOff = UInt64(u32(e)), shndx = u16(e + 6)
                    guard shndx != 0, nameOff < strSize else { continue }   // undefined symbols do not count
                    var end = Int(strOff + nameOff)
                    let start = end, limit = Int(strOff + strSize)
                    while end < limit && raw[end] != 0 { end += 1 }
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<end]), as: UTF8.self)
                    if requiredSymbols.contains(name) { found.insert(name) }
                }
            }
            guard sawDynsym else { throw fail("no dynamic symbol table") }
            let missing = requiredSymbols.filter { !found.contains($0) }
            guard missing.isEmpty else {
                throw fail("not a workbench plugin: missing entry symbol\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
            }
        }
    }
}
