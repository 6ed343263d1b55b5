import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// When a free leaves `pcp->high` frames or more on the per-CPU lists, the oldest blocks go
/// back to the buddy lists (`free_pcppages_bulk()`) and merge with their buddies.
@Suite struct PerCPUHighTests {
    /// Allocates `high + 1` pages (1536...), puts 1537 on the buddy lists (freed, drained),
    /// then frees 1536 first and `count` more pages after it.
    static func freeUpTo(_ m: MachineFixture, count: Int) throws -> (before: [Int], after: [Int]) {
        let high = m.allocator.perCPUHigh
        let pages = (0...high).compactMap { _ in m.alloc() }
        try #require(pages.count == high + 1 && pages[0].index == 1536 && pages[1].index == 1537)
        m.free(pages[1])
        m.allocator.drainPages()
        let before = m.allocator.freeBlocksPerOrder
        m.free(pages[0])
        for pfn in pages[2...].prefix(count) { m.free(pfn) }
        return (before, m.allocator.freeBlocksPerOrder)
    }

    @Test func belowHighEveryFreedPageStaysOnThePerCPUList() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let high = m.allocator.perCPUHigh
        let (before, after) = try Self.freeUpTo(m, count: high - 2)
        #expect(m.allocator.perCPUFrames == high - 1)
        #expect(after == before)
        #expect(m.allocator.freeFrames == 1792 - 1)
        // 1536 waits unmerged on the per-CPU list: no order-1 block at 1536.
        #expect(m.alloc(order: 1) != PageFrameNumber(1536))
    }

    @Test func reachingHighReturnsTheOldestPageWhichMergesWithItsBuddy() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let high = m.allocator.perCPUHigh
        let (before, after) = try Self.freeUpTo(m, count: high - 1)
        // 1536 went back (one batch) and merged with 1537 into an order-1 block.
        #expect(m.allocator.perCPUFrames == high - 1)
        var expected = before
        expected[0] -= 1
        expected[1] += 1
        #expect(after == expected)
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.alloc(order: 1) == PageFrameNumber(1536))
        #expect(m.reports.isEmpty)
    }
}
