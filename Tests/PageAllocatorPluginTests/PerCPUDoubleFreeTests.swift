import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// A block waiting on a per-CPU list is free: freeing it again is a HARNESS double free
/// that changes nothing.
@Suite struct PerCPUDoubleFreeTests {
    @Test func freeingAPageOnThePerCPUListAgainIsADoubleFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc())
        m.free(page)
        m.free(page, in: "test_pcp_double_free")
        #expect(m.titles == ["HARNESS: double-free in test_pcp_double_free"])
        #expect(m.allocator.perCPUFrames == 1)
        #expect(m.allocator.freeFrames == 1792)
        // The list still holds the page once.
        #expect(m.alloc() == page)
        #expect(m.alloc() != page)
    }

    @Test func freeingAnOrderThreeBlockOnThePerCPUListAgainIsADoubleFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 3))
        m.free(block, order: 3)
        m.free(block, order: 3, in: "test_pcp_double_free")
        #expect(m.titles == ["HARNESS: double-free in test_pcp_double_free"])
        #expect(m.allocator.perCPUBlocksPerOrder == [0, 0, 0, 1])
    }

    @Test func aPageReallocatedFromThePerCPUListIsFreedOnceCleanly() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc())
        m.free(page)
        #expect(m.alloc() == page)
        #expect(m.allocator.allocationOrder(of: page) == 0)
        m.free(page, in: "test_pcp_single_free")
        #expect(m.reports.isEmpty)
        #expect(m.allocator.freeFrames == 1792)
    }
}
