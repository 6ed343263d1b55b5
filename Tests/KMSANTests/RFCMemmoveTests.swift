import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// The seed's per-slot metadata copy (`MemmoveOriginRule.perSlotIndex`,
/// `kmsan_memcpy_memmove_metadata()`) against mainline's per-byte rule.
@Suite struct RFCMemmoveTests {
    /// test_memcpy_initialized_gap: two uninit bytes copied into a clean slot, then two clean
    /// bytes copied into the rest of that slot. Mainline keeps the slot's origin (not all of
    /// it is clean) and reports bytes 0-1; RFC v3 writes origin 0 because the second copy's
    /// source slot is clean, so the still-poisoned bytes go unreported.
    @Test(arguments: [
        (KMSANPolicy.mainline, [ByteRange(first: 0, last: 1, size: 4)]),
        (KMSANPolicy.rfcV3, []),
    ])
    func cleanBytesCopiedIntoAPartlyPoisonedSlot(policy: KMSANPolicy, expectedRanges: [ByteRange?]) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let uninit = m.allocPages()
        let clean = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.memcpy(dst, uninit, count: 2, on: m.cpu)
            m.runtime.memcpy(dst + 2, clean, count: 2, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
        }
        #expect(m.reports.map(\.byteRange) == expectedRanges)
        #expect(m.shadow(dst, count: 4) == [0xff, 0xff, 0, 0])
        #expect(m.origin(dst).isNone == (policy == .rfcV3))
    }

    /// test_memcpy_aligned_to_unaligned, shifted by 2: a 4-byte uninit value copied to offset 2
    /// touches two destination slots. Mainline gives both an origin; RFC v3 writes only
    /// `min(src_slots, dst_slots)` = 1 slot (source slot i feeds destination slot i), so the
    /// value's last two bytes keep the clean slot's origin 0 and are not reported.
    @Test(arguments: [
        (KMSANPolicy.mainline, [ByteRange(first: 2, last: 3, size: 4), ByteRange(first: 0, last: 1, size: 4)]),
        (KMSANPolicy.rfcV3, [ByteRange(first: 2, last: 3, size: 4)]),
    ])
    func alignedToUnalignedCopy(policy: KMSANPolicy, expectedRanges: [ByteRange?]) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.memcpy(dst + 2, src, count: 4, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
            m.runtime.checkMemory(dst + 4, size: 4, on: m.cpu)
        }
        #expect(m.reports.map(\.byteRange) == expectedRanges)
        #expect(m.shadow(dst, count: 8) == [0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0])
    }

    /// The seed masks the source slot's shadow word with shifts that, on little-endian x86,
    /// drop the bytes *inside* a range ending mid-slot and keep the ones after it. Copying two
    /// poisoned bytes whose slot neighbours are clean therefore gives origin 0 (no report),
    /// while copying two clean bytes whose neighbours are poisoned gives the destination an
    /// origin (harmless: its shadow is clean).
    @Test(arguments: [(KMSANPolicy.mainline, 1, false), (KMSANPolicy.rfcV3, 0, true)])
    func rangeEndingMidSlot(policy: KMSANPolicy, expectedReports: Int, cleanCopyGetsAnOrigin: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let src = m.allocPages(gfp: [.kernel, .zero])
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.poisonMemory(src, size: 2, on: m.cpu)
            m.runtime.poisonMemory(src + 6, size: 2, on: m.cpu)
            m.runtime.memcpy(dst, src, count: 2, on: m.cpu)
            m.runtime.memcpy(dst + 4, src + 4, count: 2, on: m.cpu)
            m.runtime.checkMemory(dst, size: 8, on: m.cpu)
        }
        #expect(m.reports.count == expectedReports)
        #expect(m.shadow(dst, count: 8) == [0xff, 0xff, 0, 0, 0, 0, 0, 0])
        #expect(!m.origin(dst + 4).isNone == cleanCopyGetsAnOrigin)
    }

    /// An untracked source: mainline unpoisons the destination (clearing the origins of clean
    /// slots); the seed only zeroes the destination shadow and leaves its origins alone.
    @Test(arguments: [(KMSANPolicy.mainline, true), (KMSANPolicy.rfcV3, false)])
    func untrackedSource(policy: KMSANPolicy, originCleared: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(src)!)
        let before = m.origin(dst)
        m.run {
            m.runtime.memcpy(dst, src, count: 4, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(dst, count: 4) == [0, 0, 0, 0])
        #expect(m.origin(dst) == (originCleared ? OriginHandle.none : before))
    }

    /// Whole aligned slots behave alike under both rules: shadow copied, one chain link per
    /// run of equal source origins, clean slots get origin 0.
    @Test(arguments: KMSANPolicy.all)
    func alignedWholeSlotsAgree(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages()
        let created = m.origin(src)
        m.run {
            m.runtime.unpoisonMemory(src + 8, size: 4, on: m.cpu)
            m.runtime.memcpy(dst, src, count: 12, on: m.cpu)
        }
        let o = m.origin(dst)
        #expect(o.depth == 1)
        #expect(m.runtime.depot.fetch(o).last == UInt64(created.raw))
        #expect(m.origin(dst + 4) == o)
        #expect(m.origin(dst + 8).isNone)
        #expect(m.shadow(dst, count: 12) == [UInt8?](repeating: 0xff, count: 8) + [0, 0, 0, 0])
    }

    /// An overlapping memmove forwards (dst > src) across a page boundary: the shadow moves
    /// as memmove moves data and every poisoned byte keeps a reportable origin.
    @Test(arguments: KMSANPolicy.all)
    func overlappingMoveAcrossPages(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let pages = m.allocPages(order: 1, gfp: [.kernel, .zero])
        let src = pages + (PAGE_SIZE - 8)
        m.run {
            m.runtime.poisonMemory(src, size: 8, on: m.cpu)
            m.runtime.memmove(src + 4, src, count: 8, on: m.cpu)
            m.runtime.checkMemory(src, size: 12, on: m.cpu)
        }
        #expect(m.shadow(src, count: 12) == [UInt8?](repeating: 0xff, count: 12))
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 3, size: 12), ByteRange(first: 4, last: 11, size: 12)])
    }
}
