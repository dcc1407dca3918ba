// Swift 6 checks that what crosses threads is Sendable. Two places hand work to other threads in ways the
// compiler cannot prove safe, and say why they are at each use: a batch's chunks write disjoint rows of one
// buffer (LoadedEstimator.evaluate), and a streamed chunk's input is handed over and never touched again by
// the reader (BatchStream). Nothing else uses this box.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The text of a NUL-terminated C buffer (a message an ABI call wrote), up to its first NUL.
func string(fromCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
