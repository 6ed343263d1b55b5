import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// The `rfc-v3` profile as a whole, and its unpoison rule (`UnpoisonOriginRule`): the seed's
/// `kmsan_internal_set_origin()` wrote origin 0 over every touched slot (google/kmsan#70).
@Suite struct RFCProfileTests {
    @Test func theBuiltInProfilesAreMainlineThenRFCv3() {
        let expected = ["mainline", "rfc-v3"]
        #expect(KMSANPolicy.all.map(\.name) == expected)
        #expect(KMSANOptions().policy == .mainline)
    }

    @Test func rfcV3DiffersFromMainlineInEveryRule() {
        let rfc = KMSANPolicy.rfcV3
        #expect(rfc.unpoisonOriginRule == .overwriteWholeSlots)
        #expect(rfc.memmoveOriginRule == .perSlotIndex)
        #expect(rfc.pageFreeRule == .releaseMetadata)
        #expect(rfc.reportGate == .allowReportingFlag)
        #expect(rfc.reportLayout == .dumpStackAfterHeader)
        #expect(KMSANPolicy.mainline.memmoveOriginRule == .perByte)
        #expect(KMSANPolicy.mainline.reportLayout == .stackUnderHeader)
    }

    /// google/kmsan#70 (test_unpoison_memory): poison 4 bytes, unpoison byte 0, check bytes
    /// 1..3. Mainline keeps the slot's origin and reports; RFC v3 wiped it, so the three bytes
    /// still poisoned are silently dropped.
    @Test(arguments: [
        (KMSANPolicy.mainline, ["KMSAN: uninit-value in test_case"]),
        (KMSANPolicy.rfcV3, []),
    ])
    func partialUnpoisonAndALaterCheck(policy: KMSANPolicy, expectedTitles: [String]) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.poisonMemory(page, size: 4, on: m.cpu)
            m.runtime.unpoisonMemory(page, size: 1, on: m.cpu)
            m.runtime.checkMemory(page + 1, size: 3, on: m.cpu)
        }
        #expect(m.titles == expectedTitles)
        #expect(m.shadow(page, count: 4) == [0, 0xff, 0xff, 0xff])
        #expect(m.origin(page).isNone == (policy == .rfcV3))
    }

    /// The seed's `__msan_memset` unpoisons through the same `kmsan_internal_set_origin()`, so
    /// a 1-byte memset into a poisoned slot loses the origin too.
    @Test(arguments: [(KMSANPolicy.mainline, 1), (KMSANPolicy.rfcV3, 0)])
    func memsetOfOneByteOfAPoisonedSlot(policy: KMSANPolicy, expectedReports: Int) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.memset(page + 3, 0, count: 1, on: m.cpu)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
        }
        #expect(m.reports.count == expectedReports)
        #expect(m.shadow(page, count: 4) == [0xff, 0xff, 0xff, 0])
    }

    /// Both rules agree on a fully unpoisoned slot, and leave the next slot alone.
    @Test(arguments: KMSANPolicy.all)
    func wholeSlotUnpoisonAgrees(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run { m.runtime.unpoisonMemory(page + 4, size: 4, on: m.cpu) }
        #expect(m.origin(page + 4).isNone)
        #expect(!m.origin(page + 8).isNone)
        #expect(m.shadow(page + 4, count: 4) == [0, 0, 0, 0])
    }
}
