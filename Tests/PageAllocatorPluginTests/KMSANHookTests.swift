import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// kmsan_alloc_page, kmsan_free_page and kmsan_copy_page_meta, called where the kernel calls them.
@Suite struct KMSANHookTests {
    @Test func allocPoisonsEveryByteWithOneOriginCreatedInAllocPages() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 2, in: "test_alloc_poisons"))
        let base = m.address(block)
        let origin = m.origin(base)
        #expect(!origin.isNone && !origin.isUseAfterFree)
        for offset in [0, 1, PAGE_SIZE - 1, PAGE_SIZE, 2 * PAGE_SIZE + 100, 4 * PAGE_SIZE - 1] {
            #expect(m.shadow(base + offset) == 0xff)
            #expect(m.origin(base + offset) == origin)
        }
        let created = m.runtime.describeOrigin(origin).first?.frames.map(\.function)
        #expect(created?.prefix(5) == [
            "__alloc_frozen_pages_noprof", "alloc_pages_mpol", "alloc_frozen_pages_noprof", "alloc_pages_noprof",
            "test_alloc_poisons",
        ])
    }

    @Test func aZeroedAllocationIsInitializedEverywhere() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc([.kernel, .zero], order: 2))
        let base = m.address(block)
        for offset in [0, PAGE_SIZE, 4 * PAGE_SIZE - 1] {
            #expect(m.shadow(base + offset) == 0)
            #expect(m.origin(base + offset).isNone)
        }
    }

    @Test func usingAFreshPageReportsUninitValueCreatedAtAllocPages() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc(order: 0, in: "test_uninit_page"))
        m.loadAndUse(m.address(page) + 8, in: "test_uninit_page")
        #expect(m.titles == ["KMSAN: uninit-value in test_uninit_page"])
        let expectation = ReportExpectation.kmsan(.uninitValue, in: "test_uninit_page", createdAt: "__alloc_frozen_pages_noprof")
        #expect(expectation.mismatch(try #require(m.reports.first)) == nil)
    }

    @Test func usingAZeroedPageReportsNothing() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc([.kernel, .zero], order: 0))
        m.loadAndUse(m.address(page) + 8, in: "test_zeroed_page")
        #expect(m.reports.isEmpty)
    }

    @Test func freePoisonsTailPagesWithUseAfterFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc([.kernel, .zero], order: 2))
        let tail = m.address(block) + 3 * PAGE_SIZE + 5
        m.free(block, order: 2, in: "test_uaf_high_order_pages")
        #expect(m.shadow(tail) == 0xff)
        #expect(m.origin(tail).isUseAfterFree)
        let freed = m.runtime.describeOrigin(m.origin(tail)).first?.frames.map(\.function)
        #expect(freed?.prefix(4) == ["free_pages_prepare", "__free_frozen_pages", "___free_pages", "__free_pages"])
        m.loadAndUse(tail, in: "test_uaf_high_order_pages")
        #expect(m.titles == ["KMSAN: use-after-free in test_uaf_high_order_pages"])
    }

    @Test func theTailOfALiveZeroedBlockReportsNothing() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc([.kernel, .zero], order: 2))
        m.loadAndUse(m.address(block) + 3 * PAGE_SIZE + 5, in: "test_uaf_high_order_pages")
        #expect(m.reports.isEmpty)
    }

    @Test func freeingAboveTheCostlyOrderGoesThroughFreePagesOk() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc([.kernel, .zero], order: 4))
        m.free(block, order: 4)
        let freed = m.runtime.describeOrigin(m.origin(m.address(block) + 15 * PAGE_SIZE)).first?.frames.map(\.function)
        #expect(freed?.prefix(5) == [
            "free_pages_prepare", "__free_pages_ok", "__free_frozen_pages", "___free_pages", "__free_pages",
        ])
    }

    @Test func copyHighpageCopiesDataAndPoisonedMetadata() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let src = try #require(m.alloc(.kernel))
        let dst = try #require(m.alloc([.kernel, .zero]))
        try m.space.writeBytes([1, 2, 3, 4], at: m.address(src) + 100)
        m.run("test_copy_highpage") { m.allocator.copyHighPage(to: dst, from: src, on: m.cpu) }
        #expect(try m.space.readBytes(m.address(dst) + 100, count: 4) == [1, 2, 3, 4])
        #expect(m.shadow(m.address(dst) + 100) == 0xff)
        #expect(m.origin(m.address(dst) + 100) == m.origin(m.address(src) + 100))
        #expect(m.reports.isEmpty)
    }

    @Test func copyHighpageFromAnInitializedPageUnpoisonsTheDestination() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let src = try #require(m.alloc([.kernel, .zero]))
        let dst = try #require(m.alloc(.kernel))
        m.run("test_copy_highpage") { m.allocator.copyHighPage(to: dst, from: src, on: m.cpu) }
        #expect(m.shadow(m.address(dst) + 100) == 0)
        #expect(m.origin(m.address(dst) + 100).isNone)
        m.loadAndUse(m.address(dst) + 100, in: "test_copy_highpage")
        #expect(m.reports.isEmpty)
    }
}
