import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Page free under `PageFreeRule.releaseMetadata` (the seed's `kmsan_free_page()` releases the
/// shadow and origin pages) against mainline's use-after-free poisoning, and the allocation
/// that gives freed pages metadata again.
@Suite struct RFCPageFreeTests {
    /// A use after free: mainline reports use-after-free; RFC v3's freed page is untracked, so
    /// it reads as initialized and nothing is reported.
    @Test(arguments: [
        (KMSANPolicy.mainline, ["KMSAN: use-after-free in test_case", "KMSAN: use-after-free in test_case"], true),
        (KMSANPolicy.rfcV3, [], false),
    ])
    func useAfterFree(policy: KMSANPolicy, expectedTitles: [String], expectedTracked: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.freePages(page)
            m.use(.bits32, at: page)
            m.runtime.checkMemory(page, size: 8, on: m.cpu)
        }
        #expect(m.titles == expectedTitles)
        #expect(m.isTracked(page) == expectedTracked)
        #expect((m.runtime.metadata(at: page) != nil) == expectedTracked)
    }

    /// Tail pages of a high-order block (test_uaf_high_order_pages): mainline poisons them with
    /// the UAF bit; RFC v3 releases the metadata of every page of the block.
    @Test(arguments: [(KMSANPolicy.mainline, 1), (KMSANPolicy.rfcV3, 0)])
    func highOrderTailPages(policy: KMSANPolicy, expectedReports: Int) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let block = m.allocPages(order: 2, gfp: [.kernel, .zero])
        m.run {
            m.freePages(block, order: 2)
            m.runtime.checkMemory(block + 3 * PAGE_SIZE, size: 4, on: m.cpu)
        }
        #expect(m.reports.count == expectedReports)
        #expect((0..<4).map { m.isTracked(block + $0 * PAGE_SIZE) } == [Bool](repeating: policy == .mainline, count: 4))
    }

    /// Allocation after free gives the pages fresh poisoned metadata with an allocation origin
    /// (not the free's) under both profiles: every page of the block is tracked again.
    @Test(arguments: KMSANPolicy.all)
    func allocationAfterFreePoisonsAfresh(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let block = m.allocPages(order: 1, gfp: [.kernel, .zero])
        let last = block + (2 * PAGE_SIZE - 4)
        m.run {
            m.freePages(block, order: 1)
            m.reallocPages(block, order: 1)
            m.runtime.checkMemory(last, size: 4, on: m.cpu)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
        #expect(m.isTracked(block) && m.isTracked(block + PAGE_SIZE))
        #expect(m.shadow(last, count: 4) == [0xff, 0xff, 0xff, 0xff])
        #expect(!m.origin(last).isUseAfterFree)
        #expect(m.origin(block) == m.origin(last))
    }

    /// `__GFP_ZERO` after free: tracked again, initialized, origins 0 (no stale metadata).
    @Test(arguments: KMSANPolicy.all)
    func zeroedAllocationAfterFreeIsInitialized(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.freePages(page)
            m.reallocPages(page, gfp: [.kernel, .zero])
            m.runtime.checkMemory(page, size: PAGE_SIZE, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        #expect(m.isTracked(page))
        #expect(m.shadow(page + 100, count: 4) == [0, 0, 0, 0])
        #expect(m.origin(page + 100).isNone)
    }

    /// An allocation made inside the runtime does nothing: mainline's freed page keeps its UAF
    /// poisoning; RFC v3's stays untracked (the seed returns before allocating metadata), so
    /// its stale metadata never reappears.
    @Test(arguments: [(KMSANPolicy.mainline, true), (KMSANPolicy.rfcV3, false)])
    func allocationInsideTheRuntime(policy: KMSANPolicy, expectedTracked: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.freePages(page)
            m.runtime.enterRuntime(m.cpu)
            m.reallocPages(page)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.isTracked(page) == expectedTracked)
        #expect(m.runtime.metadata(at: page)?.origin.isUseAfterFree == (expectedTracked ? true : nil))
    }

    /// With KMSAN off, mainline's free leaves the metadata as it is; the seed's `!kmsan_ready`
    /// branch still releases it.
    @Test(arguments: [(KMSANPolicy.mainline, true), (KMSANPolicy.rfcV3, false)])
    func freeWithKMSANOff(policy: KMSANPolicy, expectedTracked: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit) { $0.enabled = false }
        let page = m.allocPages()
        m.run { m.freePages(page) }
        #expect(m.isTracked(page) == expectedTracked)
    }
}
