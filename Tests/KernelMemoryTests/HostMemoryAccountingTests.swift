#if canImport(Glibc)
#endif
import KernelMemory
import Testing

/// Host memory accounting of a `PhysicalMemory` through its `HostArena`, and teardown.
///
/// Each section is three allocations (data, shadow, origins). With the system allocator the
/// counters are exact; jemalloc may round a large request up to its size class, so byte counts
/// are checked against a lower bound and a small slack rather than for equality.
@Suite("Host memory accounting")
struct HostMemoryAccountingTests {
    /// Allowed rounding per allocation (jemalloc's large size classes are at most 1/4 apart,
    /// and 4 MiB and 1 MiB blocks are exact size classes; keep a page of slack for padding).
    static let slackPerAllocation = PAGE_SIZE

    /// 8 MiB of memory holds at least data + shadow + origins = 24 MiB of host memory, in 6 blocks.
    @Test("an 8 MiB memory accounts for three times its size")
    func accountsForDataShadowAndOrigins() throws {
        let size = 8 << 20
        let expectedAllocations: UInt64 = 6 // 2 sections x (data, shadow, origins)
        let memory = try PhysicalMemory(size: size)
        let stats = memory.arena.statistics()
        #expect(stats.allocatedBytes >= 3 * size)
        #expect(stats.allocatedBytes <= 3 * size + Int(expectedAllocations) * Self.slackPerAllocation)
        #expect(stats.allocations == expectedAllocations)
        #expect(stats.deallocations == 0)
        #expect(stats.activeBytes >= 3 * size)
    }

    /// A partial last section (5 MiB = 4 MiB + 1 MiB) allocates only what it needs.
    @Test("a 5 MiB memory accounts for 15 MiB, not two full sections")
    func partialSectionIsNotRoundedUp() throws {
        let size = 5 << 20
        let memory = try PhysicalMemory(size: size)
        let stats = memory.arena.statistics()
        #expect(stats.allocations == 6)
        #expect(stats.allocatedBytes >= 3 * size)
        #expect(stats.allocatedBytes <= 3 * size + 6 * Self.slackPerAllocation)
        #expect(stats.allocatedBytes < 3 * (8 << 20), "the second section must not be padded to 4 MiB")
    }

    /// Writing to simulated memory does not allocate more host memory.
    @Test("accessing frames does not change the accounting")
    func accessDoesNotAllocate() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let before = memory.arena.statistics()
        for frame in stride(from: 0, to: memory.frameCount, by: 97) {
            try memory.withData(of: PageFrameNumber(frame)) { $0[0] = 1 }
            try memory.withShadow(of: PageFrameNumber(frame)) { $0[0] = 0xff }
        }
        let after = memory.arena.statistics()
        #expect(after.allocatedBytes == before.allocatedBytes)
        #expect(after.allocations == before.allocations)
    }

    // MARK: Teardown

    /// `release()` frees every block: nothing stays allocated and every allocation was freed.
    @Test("release returns statistics with nothing allocated")
    func releaseFreesEverything() throws {
        let memory = try PhysicalMemory(size: 8 << 20)
        let live = memory.arena.statistics()
        #expect(!memory.isReleased)

        let final = try #require(memory.release())
        #expect(memory.isReleased)
        #expect(final.allocatedBytes == 0)
        #expect(final.deallocations == final.allocations)
        #expect(final.allocations == live.allocations)
    }

    /// Only the first `release()` does the work; a second one returns nil.
    @Test("a second release returns nil")
    func secondReleaseReturnsNil() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let first = memory.release()
        #expect(first != nil)
        let second = memory.release()
        #expect(second == nil)
        #expect(memory.isReleased)
    }

    /// A memory that was never released reports that it is live.
    @Test("a live memory is not released")
    func liveMemoryIsNotReleased() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        #expect(!memory.isReleased)
        #expect(memory.arena.statistics().allocatedBytes > 0)
    }

    // MARK: Independent arenas

    /// Two live memories use different arenas whose counters do not see each other.
    @Test("two memories have different arenas and independent statistics")
    func independentArenas() throws {
        let small = try PhysicalMemory(size: 4 << 20)
        let large = try PhysicalMemory(size: 8 << 20)
        #expect(small.arena.index != large.arena.index)

        let smallStats = small.arena.statistics()
        let largeStats = large.arena.statistics()
        #expect(smallStats.allocations == 3)
        #expect(largeStats.allocations == 6)
        #expect(smallStats.allocatedBytes >= 3 * (4 << 20))
        #expect(smallStats.allocatedBytes <= 3 * (4 << 20) + 3 * Self.slackPerAllocation)
        #expect(largeStats.allocatedBytes >= 3 * (8 << 20))

        // Releasing one leaves the other untouched.
        let released = try #require(small.release())
        #expect(released.allocatedBytes == 0)
        let largeAfter = large.arena.statistics()
        #expect(largeAfter.allocatedBytes == largeStats.allocatedBytes)
        #expect(largeAfter.allocations == largeStats.allocations)
        #expect(largeAfter.deallocations == 0)
        #expect(!large.isReleased)
    }

    /// A last section of 1-8 frames (4-32 KiB) must be accounted and freed like any other.
    /// Blocks that small would fit jemalloc's thread cache, which the arena therefore bypasses:
    /// cached blocks could come from other arenas and outlive this one. The allocations run in a
    /// child process so that a regression (a crash in jemalloc) cannot take the run down.
    @Test("a memory with a tiny last section releases everything")
    func tinyLastSectionReleasesEverything() async {
        await #expect(processExitsWith: .success) {
            for pages in [3, 5, 8] { // 12, 20 and 32 KiB tails after one full section
                let memory = try PhysicalMemory(size: (4 << 20) + pages * 4096)
                let allocated = memory.arena.statistics()
                guard allocated.allocations == 6, allocated.allocatedBytes >= 3 * memory.size,
                      let final = memory.release(), final.allocatedBytes == 0,
                      final.deallocations == final.allocations else {
                    fatalError("leftover host memory with a \(pages)-frame last section")
                }
            }
        }
    }

    /// A standalone arena starts empty.
    @Test("a fresh arena has no allocations")
    func freshArenaIsEmpty() throws {
        let arena = try HostArena()
        defer { arena.destroy() }
        let stats = arena.statistics()
        #expect(stats.allocatedBytes == 0)
        #expect(stats.allocations == 0)
        #expect(stats.deallocations == 0)
    }

    /// Configuration errors explain themselves in one line.
    @Test("configuration errors have descriptions")
    func errorDescriptions() {
        let invalid = MemoryConfigurationError.invalidMemorySize(4097).description
        #expect(invalid.contains("4097"))
        #expect(invalid.contains("\(PAGE_SIZE)"))
        #expect(MemoryConfigurationError.hostOutOfMemory(bytes: 123).description.contains("123"))
        #expect(!MemoryConfigurationError.hostArenaUnavailable.description.isEmpty)
    }
}
