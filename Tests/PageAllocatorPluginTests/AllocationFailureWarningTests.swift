import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// A failed allocation prints warn_alloc's "page allocation failure" unless `__GFP_NOWARN`.
@Suite struct AllocationFailureWarningTests {
    @Test func aFailedAllocationWarnsWithOrderAndMode() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = try #require(m.alloc(order: 10))
        let expectedTitles = ["WARNING: page-allocation-failure in warn_alloc"]
        let expectedLine = "kunit_try_catch: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL)"
        #expect(m.alloc(.kernel, order: 10, in: "test_big_buffer") == nil)
        #expect(m.titles == expectedTitles)
        #expect(m.reports.first?.message == [expectedLine])
        #expect(m.reports.first?.stack.map(\.function).prefix(7) == [
            "warn_alloc", "__alloc_pages_slowpath", "__alloc_frozen_pages_noprof", "alloc_pages_mpol",
            "alloc_frozen_pages_noprof", "alloc_pages_noprof", "test_big_buffer",
        ])
    }

    @Test func gfpNowarnSuppressesTheWarning() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = try #require(m.alloc(order: 10))
        #expect(m.alloc([.kernel, .noWarn], order: 10) == nil)
        #expect(m.reports.isEmpty)
    }

    @Test func theModeNamesEveryFlag() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = try #require(m.alloc(order: 10))
        #expect(m.alloc([.kernel, .zero, .comp], order: 10) == nil)
        #expect(m.reports.first?.message == ["kunit_try_catch: page allocation failure: order:10, mode:0x40dc0(GFP_KERNEL|__GFP_ZERO|__GFP_COMP)"])
    }

    @Test func anOrderAboveMaxPageOrderWarnsOnceAndFails() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(m.alloc(order: 11) == nil)
        #expect(m.alloc(order: 11) == nil)
        #expect(m.titles == ["WARNING: alloc-order-above-max in __alloc_frozen_pages_noprof"])
        #expect(m.allocator.freeFrames == 1792)
    }

    @Test func anOrderAboveMaxPageOrderWithNowarnIsQuiet() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(m.alloc([.kernel, .noWarn], order: 11) == nil)
        #expect(m.alloc([.kernel, .noWarn], order: -1) == nil)
        #expect(m.reports.isEmpty)
    }
}
