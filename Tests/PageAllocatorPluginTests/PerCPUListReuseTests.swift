import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Orders up to PAGE_ALLOC_COSTLY_ORDER are freed onto the per-CPU lists and reused most
/// recently freed first; higher orders bypass them.
@Suite struct PerCPUListReuseTests {
    @Test func anEightMebibyteMachineHasTheKernelsSmallZoneSizes() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        // zone_batchsize() of 1792 frames is 1; high is the low watermark (28 + 7).
        #expect(m.allocator.perCPUBatch == 1)
        #expect(m.allocator.perCPUHigh == 35)
        #expect(m.allocator.perCPUFrames == 0)
    }

    @Test func theMostRecentlyFreedPageIsAllocatedFirst() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let pages = (0..<4).compactMap { _ in m.alloc() }
        #expect(pages.map(\.index) == [1536, 1537, 1538, 1539])
        m.free(pages[0]); m.free(pages[2]); m.free(pages[1])
        #expect(m.allocator.perCPUFrames == 3)
        #expect(m.allocator.perCPUBlocksPerOrder == [3, 0, 0, 0])
        #expect(m.allocator.freeFrames == 1792 - 1)
        #expect(m.alloc() == pages[1])
        #expect(m.alloc() == pages[2])
        #expect(m.alloc() == pages[0])
        #expect(m.allocator.perCPUFrames == 0)
        #expect(m.reports.isEmpty)
    }

    @Test func aCostlyOrderBlockIsReusedLIFOButAHigherOrderIsNot() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        // Order 3 goes through the per-CPU list: the last freed comes back first.
        let small = (0..<2).compactMap { _ in m.alloc(order: 3) }
        m.free(small[0], order: 3); m.free(small[1], order: 3)
        #expect(m.allocator.perCPUBlocksPerOrder == [0, 0, 0, 2])
        #expect(m.alloc(order: 3) == small[1])
        // Order 4 goes straight to the buddy lists: the lowest comes back first.
        let large = (0..<2).compactMap { _ in m.alloc(order: 4) }
        m.free(large[0], order: 4); m.free(large[1], order: 4)
        #expect(m.allocator.perCPUBlocksPerOrder == [0, 0, 0, 1])
        #expect(m.alloc(order: 4) == large[0])
        #expect(m.reports.isEmpty)
    }

    @Test func aPageOnAPerCPUListIsFreeForEveryCheck() throws {
        let m = try MachineFixture.pages(leakCheck: true)
        defer { m.shutdown() }
        let page = try #require(m.alloc())
        #expect(m.allocator.allocationOrder(of: page) == 0)
        #expect(m.allocator.blockHead(of: page) == page)
        #expect(m.allocator.outstandingAllocations().count == 1)
        m.free(page)
        #expect(m.allocator.perCPUFrames == 1)
        #expect(m.allocator.allocationOrder(of: page) == nil)
        #expect(m.allocator.blockHead(of: page) == nil)
        #expect(m.allocator.outstandingAllocations().isEmpty)
    }
}
