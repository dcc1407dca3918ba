// Runs independent neuron blocks on explicit threads. Block b always gets the same RNG stream and its
// result lands in slot b, and results are reduced in block order by the caller: a run is bit-identical
// on 1, 2 or N threads. (Dispatch's concurrentPerform ignores a requested thread count, DESIGN.md §5.)
import Foundation

public enum BlockRunner {
    /// What the worker threads share: each writes only its own blocks' slots; the count of finished blocks
    /// is read and written under the lock. (Hence @unchecked: the compiler cannot see that the slots are
    /// disjoint.)
    final class Shared<R>: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<R?>
        let lock = NSLock()
        var done = 0
        init(_ blocks: Int) {
            slots = .allocate(capacity: blocks)
            slots.initialize(repeating: nil)
        }
        deinit { slots.deinitialize(); slots.deallocate() }
        func finished() -> Int { lock.lock(); defer { lock.unlock() }; done += 1; return done }
    }

    public static func run<R>(blocks: Int, threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
                              _ body: @escaping @Sendable (Int) -> R) -> [R] {
        let shared = Shared<R>(blocks)
        let nThreads = max(1, min(threads, blocks))
        let group = DispatchGroup()
        for j in 0..<nThreads {
            group.enter()
            let thread = Thread {
                var b = j
                while b < blocks {
                    shared.slots[b] = body(b)      // distinct slots: no data race
                    progress?(shared.finished(), blocks)
                    b += nThreads
                }
                group.leave()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }
        group.wait()
        return shared.slots.map { $0! }
    }
}
