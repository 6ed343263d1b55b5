import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Splitting on allocation, coalescing with the buddy on free.
@Suite struct SplittingAndCoalescingTests {
    /// Orders 8, 9 and 10 each hold one block at boot (1792 managed frames).
    static let bootBuddyInfo = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]

    @Test func allManagedFramesStartFreeInMaximalBlocks() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(m.allocator.managedFrames == m.runtime.bootMemory.firstFrame.index)
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.allocator.freeBlocksPerOrder == Self.bootBuddyInfo)
    }

    @Test func anOrderZeroAllocationSplitsTheSmallestBlockThatFits() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let expectedBuddyInfo = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1]
        let pfn = m.alloc(order: 0)
        #expect(pfn == PageFrameNumber(1536))
        #expect(m.allocator.freeBlocksPerOrder == expectedBuddyInfo)
        #expect(m.allocator.freeFrames == 1791)
    }

    @Test func freeingBothBuddiesMergesThemBackToTheBootBlocks() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let a = try #require(m.alloc(order: 0)), b = try #require(m.alloc(order: 0))
        #expect(b.index == a.index ^ 1)
        m.free(a)
        m.free(b)
        // Both wait on the per-CPU list, unmerged, until the list is drained.
        #expect(m.allocator.freeBlocksPerOrder == [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1])
        #expect(m.allocator.freeFrames == 1792)
        m.allocator.drainPages()
        #expect(m.allocator.freeBlocksPerOrder == Self.bootBuddyInfo)
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.reports.isEmpty)
    }

    @Test func aBlockDoesNotMergeWhileItsBuddyIsLive() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let a = try #require(m.alloc(order: 0)), b = try #require(m.alloc(order: 0))
        m.free(a)
        m.allocator.drainPages()
        // a sits alone on the order-0 list: the order-1 block it would form with b is not there.
        #expect(m.allocator.freeBlocksPerOrder == [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1])
        #expect(m.alloc(order: 1) == PageFrameNumber(1538))
        #expect(m.allocator.allocationOrder(of: b) == 0)
        m.free(b)
        m.free(PageFrameNumber(1538), order: 1)
        m.allocator.drainPages()
        #expect(m.allocator.freeBlocksPerOrder == Self.bootBuddyInfo)
    }

    @Test func aMaxOrderBlockCanBeAllocatedAgainAfterFragmentation() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        var blocks: [(PageFrameNumber, Int)] = []
        // Mixed orders until the order-10 block at pfn 0 is broken up too.
        for order in [0, 3, 1, 0, 2, 5, 0, 7, 4, 9, 6, 0, 8, 1, 3] {
            blocks.append((try #require(m.alloc(order: order)), order))
        }
        #expect(m.alloc([.kernel, .noWarn], order: 10) == nil)
        // Free in an order unrelated to the allocation order: odd positions, then even ones.
        for (i, (pfn, order)) in blocks.enumerated() where i % 2 == 1 { m.free(pfn, order: order) }
        for (i, (pfn, order)) in blocks.enumerated().reversed() where i % 2 == 0 { m.free(pfn, order: order) }
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.alloc(order: 10) == PageFrameNumber(0))
        m.free(PageFrameNumber(0), order: 10)
        m.allocator.drainPages()
        #expect(m.allocator.freeBlocksPerOrder == Self.bootBuddyInfo)
        #expect(m.reports.isEmpty)
    }
}
