import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// An allocation the buddy lists cannot satisfy drains the per-CPU lists
/// (`drain_all_pages()`) and retries before it fails.
@Suite struct DrainOnFailureTests {
    @Test func aMaxOrderAllocationSucceedsAfterManyOrderZeroFrees() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let pages = m.allocateUntilFailure(.atomic)
        for pfn in pages { m.free(pfn) }
        #expect(m.allocator.perCPUFrames == m.allocator.perCPUHigh - 1)
        #expect(m.allocator.freeBlocksPerOrder[10] == 0)
        #expect(m.alloc(order: 10) == PageFrameNumber(0))
        #expect(m.allocator.perCPUFrames == 0)
        #expect(m.reports.isEmpty)
    }

    @Test func drainingDoesNotHelpWhenABuddyIsStillLive() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        var pages = m.allocateUntilFailure(.atomic)
        let kept = try #require(pages.first { $0.index == 0 })
        pages.removeAll { $0 == kept }
        for pfn in pages { m.free(pfn) }
        #expect(m.alloc([.kernel, .noWarn], order: 10) == nil)
        // The lists were drained all the same, and nothing is lost.
        #expect(m.allocator.perCPUFrames == 0)
        #expect(m.allocator.freeFrames == 1792 - 1)
        #expect(m.alloc([.kernel, .noWarn], order: 9) == PageFrameNumber(512))
        #expect(m.reports.isEmpty)
    }

    @Test func anInjectedFailureLeavesThePerCPUListsAlone() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc())
        m.free(page)
        m.allocator.failureInjection = .nthAllocation(1)
        #expect(m.alloc(order: 10) == nil)
        #expect(m.allocator.perCPUFrames == 1)
        #expect(m.alloc() == page)
    }
}
