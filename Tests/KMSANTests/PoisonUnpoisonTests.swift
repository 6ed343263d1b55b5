import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Poison and unpoison: shadow bytes, and the origin slot rule (kmsan-semantics.md,
/// "Poison and unpoison").
@Suite struct PoisonUnpoisonTests {
    @Test func poisonSetsEveryShadowByteAndEveryTouchedSlot() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        let expectedShadow = [UInt8?](repeating: 0xff, count: 6)
        m.run { m.runtime.poisonMemory(page + 3, size: 6, on: m.cpu) }
        #expect(m.shadow(page + 3, count: 6) == expectedShadow)
        #expect(m.shadow(page, count: 3) == [0, 0, 0])
        #expect(m.shadow(page + 9, count: 1) == [0])
        // Slots 0, 1 and 2 are touched by bytes 3..8; all get the same nonzero origin.
        let o = m.origin(page + 3)
        #expect(!o.isNone)
        #expect(m.origin(page) == o)
        #expect(m.origin(page + 8) == o)
        #expect(m.origin(page + 12).isNone)
    }

    @Test func unpoisoningAWholeSlotClearsItsOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.runtime.unpoisonMemory(page, size: 4, on: m.cpu) }
        #expect(m.shadow(page, count: 4) == [0, 0, 0, 0])
        #expect(m.origin(page).isNone)
        #expect(!m.origin(page + 4).isNone)
    }

    /// google/kmsan#70, test_unpoison_memory: unpoisoning one byte of a slot keeps the origin
    /// of the three bytes still poisoned, so a later check still reports them.
    @Test func partialUnpoisonKeepsTheOriginOfPoisonedBytes() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let before = m.origin(page)
        m.run {
            m.runtime.unpoisonMemory(page, size: 1, on: m.cpu)
            m.runtime.checkMemory(page + 1, size: 3, on: m.cpu)
        }
        #expect(m.origin(page) == before)
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
        #expect(m.reports.first?.byteRange == ByteRange(first: 0, last: 2, size: 3))
    }

    @Test func poisonWithANonzeroOriginOverwritesAPartlyCleanSlot() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.poisonMemory(page + 2, size: 1, on: m.cpu) }
        #expect(m.shadow(page, count: 4) == [0, 0, 0xff, 0])
        #expect(!m.origin(page).isNone)
    }

    @Test func untrackedMemoryIgnoresPoisonAndReadsInitialized() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        try m.runtime.memory.setTracked(false, from: m.space.directMapFrame(page)!)
        m.run {
            m.runtime.poisonMemory(page, size: 8, on: m.cpu)
            m.use(.bits32, at: page)
            m.runtime.checkMemory(page, size: 8, on: m.cpu)
        }
        #expect(m.runtime.metadata(at: page) == nil)
        #expect(m.reports.isEmpty)
    }

    @Test func trackedTwinOfTheUntrackedPageReports() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.poisonMemory(page, size: 8, on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    @Test func metadataOperationsOnUnmappedMemoryDoNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let hole = VMALLOC_START + 0x1000
        m.run {
            m.runtime.poisonMemory(hole, size: 16, on: m.cpu)
            m.runtime.unpoisonMemory(hole, size: 16, on: m.cpu)
            m.runtime.checkMemory(hole, size: 16, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        #expect(m.runtime.isEnabled)
    }

    @Test func zeroSizedPoisonChangesNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.poisonMemory(page, size: 0, on: m.cpu) }
        #expect(m.shadow(page, count: 1) == [0])
        #expect(m.origin(page).isNone)
    }
}
