import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Range checks (kmsan-semantics.md, "Checks and reports").
@Suite struct CheckMemoryTests {
    @Test func cleanRangeDoesNotReport() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.checkMemory(page, size: 64, on: m.cpu) }
        #expect(m.reports.isEmpty)
    }

    @Test func oneRunOfOneOriginIsOneReport() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.poisonMemory(page + 5, size: 2, on: m.cpu)
            m.runtime.checkMemory(page, size: 8, on: m.cpu)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
        let r = try #require(m.reports.first)
        #expect(r.byteRange == ByteRange(first: 5, last: 6, size: 8))
        #expect(r.accessAddress == page.raw)
    }

    @Test func eachOriginRunIsItsOwnReport() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 2))
            m.runtime.poisonMemory(page, size: 4, on: m.cpu)
            m.cpu.setCurrentSite(m.runtime.symbols.site(in: "test_case", file: "t", line: 3))
            m.runtime.poisonMemory(page + 4, size: 4, on: m.cpu)
            m.runtime.checkMemory(page, size: 8, on: m.cpu)
        }
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 3, size: 8), ByteRange(first: 4, last: 7, size: 8)])
        #expect(m.reports[0].originHandle != m.reports[1].originHandle)
    }

    @Test func aCleanByteSplitsRunsOfOneOrigin() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.unpoisonMemory(page + 2, size: 1, on: m.cpu)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
        }
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 1, size: 4), ByteRange(first: 3, last: 3, size: 4)])
    }

    @Test func poisonedBytesWithOriginZeroAreSkipped() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        try m.runtime.memory.withShadow(of: m.space.directMapFrame(page)!) { $0[0] = 0xff; $0[1] = 0xff }
        m.run { m.runtime.checkMemory(page, size: 4, on: m.cpu) }
        #expect(m.reports.isEmpty)
    }

    /// vmalloc metadata is virtually contiguous, so one check may span a tracked and an
    /// untracked page: the untracked page reads as initialized and ends the run.
    @Test func untrackedPagesCountAsInitializedAndEndARun() throws {
        let m = try MachineFixture(runner: .kunit)
        let area = m.vmap(slot: 16, metadata: [.frame, .untracked])
        m.run { m.runtime.poisonMemory(area, size: 2 * PAGE_SIZE, on: m.cpu) }
        m.run { m.runtime.checkMemory(area + PAGE_SIZE - 2, size: 6, on: m.cpu) }
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 1, size: 6)])
        #expect(m.runtime.isEnabled)
    }

    @Test func theSameRangeFullyTrackedReportsEveryByte() throws {
        let m = try MachineFixture(runner: .kunit)
        let area = m.vmap(slot: 16, metadata: [.frame, .frame])
        m.run { m.runtime.poisonMemory(area, size: 2 * PAGE_SIZE, on: m.cpu) }
        m.run { m.runtime.checkMemory(area + PAGE_SIZE - 2, size: 6, on: m.cpu) }
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 5, size: 6)])
    }

    @Test func oneBytePrintsTheSingularLine() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.poisonMemory(page + 3, size: 1, on: m.cpu)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
        }
        #expect(m.reports.first?.kernelText.contains("\nByte 3 of 4 is uninitialized\n") == true)
        #expect(m.reports.first?.kernelText.contains("Memory access of size 4 starts at \(page)") == true)
    }

    @Test func aRangeAcrossPagesOfOneBlockIsOneRun() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 2)
        m.run { m.runtime.checkMemory(pages + 100, size: 3 * PAGE_SIZE, on: m.cpu) }
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 3 * PAGE_SIZE - 1, size: 3 * PAGE_SIZE)])
    }
}
