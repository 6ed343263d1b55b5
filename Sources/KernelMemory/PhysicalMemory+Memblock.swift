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
    private let used: Locked<[Bool]>

    /// Reserves the top `frames` frames of `memory` (rounded down to a power-of-two multiple of 4).
    public init(memory: PhysicalMemory, frames: Int = BootMemoryAllocator.defaultFrames) {
        let count = max(4, min(frames, memory.frameCount / 4)) & ~3
        frameCount = count
        firstFrame = PageFrameNumber(memory.frameCount - count)
        used = Locked([Bool](repeating: false, count: count))
    }

    /// Allocates a naturally aligned block of `1 << order` frames; nil when the pool is exhausted.
    public func allocate(order: Int) -> PageFrameNumber? {
        guard order >= 0, order <= 10 else { return nil }
        let n = 1 << order
        return used.withLock { used -> PageFrameNumber? in
            var i = (n - firstFrame.index % n) % n
            while i + n <= used.count {
                if !used[i..<(i + n)].contains(true) {
                    for j in i..<(i + n) { used[j] = true }
                    return firstFrame.advanced(by: i)
                }
                i += n
            }
            return nil
        }
    }

    /// Returns a block; false if it was not allocated from this pool with this order.
    @discardableResult
    public func free(_ pfn: PageFrameNumber, order: Int) -> Bool {
        let n = 1 << max(0, min(order, 10))
        let start = pfn.index - firstFrame.index
        return used.withLock { used in
            guard start >= 0, start + n <= used.count, !used[start..<(start + n)].contains(false) else { return false }
            for j in start..<(start + n) { used[j] = false }
            return true
        }
    }

    /// Frames currently allocated from the pool.
    public var allocatedFrames: Int { used.withLock { $0.lazy.filter { $0 }.count } }
}
