import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// kmsan_alloc_page, kmsan_free_page, kmsan_copy_page_meta.
@Suite struct PageHookTests {
    @Test func allocPagePoisonsEveryByteWithOneHandle() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 2)
        let o = m.origin(pages)
        #expect(!o.isNone && !o.isUseAfterFree)
        for offset in [0, 1, PAGE_SIZE, 3 * PAGE_SIZE + 4095] {
            #expect(m.shadow(pages + offset, count: 1) == [0xff])
            #expect(m.origin(pages + offset) == o)
        }
        #expect(m.runtime.describeOrigin(o).first?.frames.map(\.function).prefix(2) == ["__alloc_frozen_pages_noprof", "alloc_pages_noprof"])
    }

    @Test func gfpZeroGivesInitializedPages() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 1, gfp: [.kernel, .zero])
        #expect(m.shadow(pages + PAGE_SIZE + 7, count: 1) == [0])
        #expect(m.origin(pages + PAGE_SIZE + 4).isNone)
    }

    @Test func freePagePoisonsTailPagesWithUseAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 1, gfp: [.kernel, .zero])
        m.run { m.freePages(pages, order: 1) }
        #expect(m.shadow(pages + PAGE_SIZE + 3, count: 1) == [0xff])
        #expect(m.origin(pages + PAGE_SIZE).isUseAfterFree)
        #expect(m.origin(pages).isUseAfterFree)
    }

    @Test func freeWithKMSANOffLeavesMetadata() throws {
        var options = KMSANOptions()
        options.enabled = false
        let m = try MachineFixture(options: options, runner: .kunit)
        let pages = m.allocPages(order: 0)
        m.run { m.freePages(pages) }
        #expect(m.shadow(pages, count: 1) == [0])
    }

    @Test func copyPageMetaCopiesShadowAndOrigins() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.copyPageMeta(to: m.space.directMapFrame(dst)!, from: m.space.directMapFrame(src)!, on: m.cpu) }
        #expect(m.shadow(dst + 100, count: 1) == [0xff])
        #expect(m.origin(dst + 100) == m.origin(src + 100))
    }

    @Test func copyPageMetaFromAnUntrackedPageUnpoisons() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(src)!)
        m.run { m.runtime.copyPageMeta(to: m.space.directMapFrame(dst)!, from: m.space.directMapFrame(src)!, on: m.cpu) }
        #expect(m.shadow(dst + 100, count: 1) == [0])
        #expect(m.origin(dst + 100).isNone)
    }

    @Test func copyPageMetaToAnUntrackedPageDoesNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(dst)!)
        m.run { m.runtime.copyPageMeta(to: m.space.directMapFrame(dst)!, from: m.space.directMapFrame(src)!, on: m.cpu) }
        #expect(m.runtime.metadata(at: dst) == nil)
        #expect(m.reports.isEmpty)
    }

    @Test func pageHookOutsideMemoryIsAHarnessFinding() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run { m.runtime.allocPage(PageFrameNumber(1 << 30), order: 0, gfp: .kernel, on: m.cpu) }
        #expect(m.titles == ["HARNESS: misuse in test_case"])
    }
}
