// Runs independent neuron blocks on explicit threads. Block b always gets the same RNG stream and its
// result lands in slot b, and results are reduced in block order by the caller: a run is bit-identical
// on 1, 2 or N threads. (Dispatch's concurrentPerform ignores a requested thread count, DESIGN.md §5.)
import Foundation

public enum BlockRunner {
    public static func run<R>(blocks: Int, threads: Int, progress: ((Int, Int) -> Void)? = nil,
                              _ body: @escaping (Int) -> R) -> [R] {
        let slots = UnsafeMutableBufferPointer<R?>.allocate(capacity: blocks)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize(); slots.deallocate() }
        let nThreads = max(1, min(threads, blocks))
        let lock = NSLock()
        var done = 0
        let group = DispatchGroup()
        for j in 0..<nThreads {
            group.enter()
            let thread = Thread {
                var b = j
                while b < blocks {
                    slots[b] = body(b)             // distinct slots: no data race
                    lock.lock(); done += 1; let d = done; lock.unlock()
                    progress?(d, blocks)
                    b += nThreads
                }
                group.leave()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }
        group.wait()
        return slots.map { $0! }
    }
}
