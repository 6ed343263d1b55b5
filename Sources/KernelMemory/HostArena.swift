import CJemalloc

/// A dedicated jemalloc arena that holds the host memory of one simulated machine.
///
/// Linking jemalloc replaces `malloc` for the whole process, so the harness cannot
/// measure its own use through process-wide counters. Every page frame, shadow page
/// and origin page of a machine comes from this arena instead, whose
/// `stats.arenas.N.*` counters are exact even while other machines run beside it.
/// Destroying the arena returns everything it held to the system.
public final class HostArena: @unchecked Sendable {
    // Sendable: `index` is immutable; jemalloc's arena calls are thread-safe.

    /// jemalloc's index of the arena (`arena.<index>.*`).
    public let index: UInt32

    /// Creates a fresh arena.
    public init() throws(MemoryConfigurationError) {
        var index: UInt32 = 0
        guard kh_arena_create(&index) else { throw .hostArenaUnavailable }
        self.index = index
    }

    /// Allocates `size` zeroed bytes aligned to `alignment`; nil when the host is out of memory.
    package func allocateZeroed(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        kh_arena_alloc_zeroed(index, size, alignment)
    }

    /// Frees memory obtained from `allocateZeroed`.
    package func free(_ pointer: UnsafeMutableRawPointer) {
        kh_arena_free(index, pointer)
    }

    /// Destroys the arena. Everything allocated from it must have been freed.
    package func destroy() {
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
