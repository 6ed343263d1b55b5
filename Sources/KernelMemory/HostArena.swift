#if KMSAN_HOST_ALLOCATOR_SYSTEM
import Glibc
import Synchronization
#else
import CJemalloc
import Synchronization
#endif

/// A dedicated jemalloc arena that holds the host memory of one simulated machine.
///
/// Linking jemalloc replaces `malloc` for the whole process, so the harness cannot
/// measure its own use through process-wide counters. Every page frame, shadow page
/// and origin page of a machine comes from this arena instead, whose
/// `stats.arenas.N.*` counters are exact even while other machines run beside it.
/// Destroying the arena returns everything it held to the system.
///
/// Built with `KMSAN_HARNESS_HOST_ALLOCATOR=system` (for ThreadSanitizer, which cannot run
/// beside jemalloc), the arena takes blocks from the system allocator and counts them itself.
public final class HostArena: @unchecked Sendable {
    // Sendable: `index` is immutable; jemalloc's arena calls are thread-safe, and the
    // system-allocator variant guards its counters with a mutex.

    /// The arena's index (jemalloc's `arena.<index>.*`).
    public let index: UInt32

#if KMSAN_HOST_ALLOCATOR_SYSTEM
    private let counters = Locked(HostArenaStatistics(allocatedBytes: 0, activeBytes: 0, allocations: 0, deallocations: 0))
    private let sizes = Locked<[UInt: Int]>([:])
    private static let nextIndex = Atomic<UInt32>(0)

    /// Creates a fresh arena.
    public init() throws(MemoryConfigurationError) {
        index = Self.nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Allocates `size` zeroed bytes aligned to `alignment` (at most a page); nil when the host
    /// is out of memory. Anonymous `mmap`: the kernel hands out zero pages lazily, so a machine
    /// costs the host only what it touches (a `memset` of every section made each boot cost
    /// its whole size, which the sanitizer builds paid thousands of times over).
    package func allocateZeroed(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        guard size > 0, alignment <= Int(getpagesize()) else { return nil }
        let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p = raw, p != MAP_FAILED else { return nil }
        sizes.withLock { $0[UInt(bitPattern: p)] = size }
        counters.withLock { $0.allocatedBytes += size; $0.activeBytes += size; $0.allocations += 1 }
        return p
    }

    /// Frees memory obtained from `allocateZeroed`.
    package func free(_ pointer: UnsafeMutableRawPointer) {
        guard let size = sizes.withLock({ $0.removeValue(forKey: UInt(bitPattern: pointer)) }) else { return }
        counters.withLock { $0.allocatedBytes -= size; $0.activeBytes -= size; $0.deallocations += 1 }
        munmap(pointer, size)
    }

    /// Destroys the arena (each block was already returned on its own).
    package func destroy() {}

    /// Reads the arena's current statistics.
    public func statistics() -> HostArenaStatistics { counters.withLock { $0 } }
#else
    private let destroyed = Atomic<Bool>(false)

    /// Creates a fresh arena.
    public init() throws(MemoryConfigurationError) {
        var index: UInt32 = 0
        guard kh_arena_create(&index) else { throw .hostArenaUnavailable }
        self.index = index
    }

    deinit { destroy() }

    /// Allocates `size` zeroed bytes aligned to `alignment`; nil when the host is out of memory.
    package func allocateZeroed(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        kh_arena_alloc_zeroed(index, size, alignment)
    }

    /// Frees memory obtained from `allocateZeroed`.
    package func free(_ pointer: UnsafeMutableRawPointer) {
        kh_arena_free(index, pointer)
    }

    /// Destroys the arena (once). Everything allocated from it must have been freed.
    package func destroy() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = kh_arena_destroy(index)
    }

    /// Reads the arena's current statistics.
    public func statistics() -> HostArenaStatistics {
        kh_stats_refresh()
        func size(_ name: String) -> Int {
            var value = 0
            return name.withCString { kh_arena_stat(index, $0, &value) } ? value : 0
        }
        func count(_ name: String) -> UInt64 {
            var value: UInt64 = 0
            return name.withCString { kh_arena_stat_u64(index, $0, &value) } ? value : 0
        }
        return HostArenaStatistics(
            allocatedBytes: size("small.allocated") + size("large.allocated"),
            activeBytes: size("pactive") * PAGE_SIZE,
            allocations: count("small.nmalloc") + count("large.nmalloc"),
            deallocations: count("small.ndalloc") + count("large.ndalloc")
        )
    }
#endif
}

/// A snapshot of one arena's jemalloc statistics.
public struct HostArenaStatistics: Sendable, Equatable {
    /// Bytes currently allocated from the arena (`small.allocated + large.allocated`).
    public var allocatedBytes: Int
    /// Bytes in active pages (`pactive * page size`).
    public var activeBytes: Int
    /// Allocations made so far.
    public var allocations: UInt64
    /// Deallocations made so far.
    public var deallocations: UInt64
}

/// Why simulated memory could not be set up.
public enum MemoryConfigurationError: Error, Equatable, CustomStringConvertible {
    /// jemalloc refused to create an arena.
    case hostArenaUnavailable
    /// The host could not back the requested memory.
    case hostOutOfMemory(bytes: Int)
    /// The requested size is not a positive multiple of PAGE_SIZE within the limits.
    case invalidMemorySize(Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .hostArenaUnavailable: "jemalloc could not create an arena for the simulated memory"
        case .hostOutOfMemory(let bytes): "the host could not provide \(bytes) bytes for the simulated memory"
        case .invalidMemorySize(let size):
            "memory size \(size) is not a multiple of \(PAGE_SIZE) between \(PhysicalMemory.minimumSize) and \(PhysicalMemory.maximumSize) bytes"
        }
    }
}
