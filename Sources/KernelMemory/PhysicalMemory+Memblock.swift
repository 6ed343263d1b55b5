import Synchronization

/// The boot-time allocator for frames the core itself needs (task stacks, per-CPU areas),
/// the harness's counterpart of memblock reservations.
///
/// It owns a fixed pool of frames at the top of physical memory; a page allocator plugin
/// manages the frames below `firstFrame`. Blocks are `1 << order` frames, naturally aligned.
public final class BootMemoryAllocator: Sendable {
    /// Default size of the reserved pool: 256 frames (1 MiB).
    public static let defaultFrames = 256

    /// First frame of the pool.
    public let firstFrame: PageFrameNumber
    /// Frames in the pool.
    public let frameCount: Int
    /// Per frame of the pool: -1 if free, else the order of the block it belongs to; the
    /// block's first frame is marked by `heads`.
    private struct Pool {
        var order: [Int8]
        var heads: [Bool]
    }
    private let pool: Locked<Pool>

    /// Reserves the top `frames` frames of `memory`: at least 4, at most a quarter of memory,
    /// rounded down to a multiple of 4.
    public init(memory: PhysicalMemory, frames: Int = BootMemoryAllocator.defaultFrames) {
        let count = max(4, min(frames, memory.frameCount / 4)) & ~3
        frameCount = count
        firstFrame = PageFrameNumber(memory.frameCount - count)
        pool = Locked(Pool(order: [Int8](repeating: -1, count: count), heads: [Bool](repeating: false, count: count)))
    }

    /// The pool's blocks, for `restoreState(_:)`.
    public func saveState() -> SavedState { pool.saveState() }

    /// Puts back what `saveState()` returned.
    public func restoreState(_ saved: SavedState) { pool.restoreState(saved) }

    /// Allocates a naturally aligned block of `1 << order` frames; nil when the pool is exhausted.
    public func allocate(order: Int) -> PageFrameNumber? {
        guard order >= 0, order <= 10 else { return nil }
        let n = 1 << order
        return pool.withLock { pool -> PageFrameNumber? in
            var i = (n - firstFrame.index % n) % n
            while i + n <= pool.order.count {
                if pool.order[i..<(i + n)].allSatisfy({ $0 < 0 }) {
                    for j in i..<(i + n) { pool.order[j] = Int8(order) }
                    pool.heads[i] = true
                    return firstFrame.advanced(by: i)
                }
                i += n
            }
            return nil
        }
    }

    /// Returns a block; false (and nothing freed) unless `pfn` starts a block allocated from
    /// this pool with exactly this order.
    @discardableResult
    public func free(_ pfn: PageFrameNumber, order: Int) -> Bool {
        guard order >= 0, order <= 10 else { return false }
        let start = pfn.index - firstFrame.index
        return pool.withLock { pool in
            guard start >= 0, start < pool.order.count, pool.heads[start], pool.order[start] == Int8(order) else { return false }
            for j in start..<(start + (1 << order)) { pool.order[j] = -1 }
            pool.heads[start] = false
            return true
        }
    }

    /// Frames currently allocated from the pool.
    public var allocatedFrames: Int { pool.withLock { $0.order.lazy.filter { $0 >= 0 }.count } }
}
