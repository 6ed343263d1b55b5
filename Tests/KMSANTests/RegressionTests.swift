import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Kernel bug fixes that became test cases in mm/kmsan/kmsan_test.c and need no allocator
/// plugin (kmsan-semantics.md, "Known bug fixes that became test cases").
@Suite struct RegressionTests {
    /// test_unpoison_memory: a[0] = 0 then check a[1..3]; unpoison b[0] then check b[1..3].
    @Test func partialUnpoisonStillReportsTheRestOfTheSlot() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let a = m.runtime.local(size: 4, name: "a", on: m.cpu)
            let b = m.runtime.local(size: 4, name: "b", on: m.cpu)
            m.runtime.store(.initialized(0, width: .bits8), to: a, on: m.cpu)
            m.runtime.checkMemory(a + 1, size: 3, on: m.cpu)
            m.runtime.unpoisonMemory(b, size: 1, on: m.cpu)
            m.runtime.checkMemory(b + 1, size: 3, on: m.cpu)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case", "KMSAN: uninit-value in test_case"])
        #expect(m.reports.map { $0.origin.first?.variable } == ["a", "b"])
    }

    /// test_memcpy_initialized_gap: u32 src[3] with src[1] initialized, memcpy to dst, check
    /// dst[0] (report), dst[1] (none), dst[2] (report).
    @Test func initializedGapKeepsBothNeighboursReported() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let src = m.runtime.local(size: 12, name: "uninit_src", on: m.cpu)
            let dst = m.runtime.local(size: 12, name: "dst", on: m.cpu)
            m.runtime.store(.initialized(0, width: .bits32), to: src + 4, on: m.cpu)
            m.runtime.memcpy(dst, src, count: 12, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
            #expect(m.reports.count == 1)
            m.runtime.checkMemory(dst + 4, size: 4, on: m.cpu)
            #expect(m.reports.count == 1)
            m.runtime.checkMemory(dst + 8, size: 4, on: m.cpu)
        }
        #expect(m.reports.count == 2)
        #expect(m.reports.allSatisfy { $0.origin.first?.kind == .storedAt })
    }

    /// test_memcpy_aligned_to_unaligned: an uninit int copied to dst[1] of a zeroed char[8].
    @Test func unalignedCopyReportsInBothSlots() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let uninit = m.runtime.local(size: 4, name: "uninit_src", on: m.cpu)
            let dst = m.runtime.local(size: 8, name: "dst", on: m.cpu)
            m.runtime.memset(dst, 0, count: 8, on: m.cpu)
            m.runtime.memcpy(dst + 1, uninit, count: 4, on: m.cpu)
            m.runtime.checkMemory(dst, size: 4, on: m.cpu)
            m.runtime.checkMemory(dst + 4, size: 4, on: m.cpu)
        }
        #expect(m.titles.count == 2)
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 1, last: 3, size: 4), ByteRange(first: 0, last: 0, size: 4)])
    }

    /// test_long_origin_chain: the chain is capped at 7 links and says so.
    @Test func longOriginChainIsCapped() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            let first = m.runtime.local(size: 4, name: "accum", on: m.cpu)
            let next = m.runtime.local(size: 4, name: "next", on: m.cpu)
            var v = m.runtime.load(.bits32, from: first, on: m.cpu)
            for _ in 0..<12 {
                m.runtime.store(v, to: next, on: m.cpu)
                v = m.runtime.load(.bits32, from: next, on: m.cpu)
            }
            m.runtime.branch(on: v, on: m.cpu)
        }
        let r = try #require(m.reports.first)
        #expect(r.title == "KMSAN: uninit-value in test_case")
        #expect(r.origin.count == 8)
        #expect(r.origin.first?.truncatedBefore == true)
        #expect(r.origin.last?.kind == .localVariable)
    }

    /// test_memset_on_guarded_buffer: memsets of 0..128 bytes at the start and at the end of a
    /// page followed by a guard page never touch metadata outside the page.
    @Test func unalignedMemsetEndingAtAGuardPageDoesNotFault() throws {
        let m = try MachineFixture(runner: .kunit)
        let area = m.vmap(slot: 32, metadata: [.frame])
        m.run { m.runtime.poisonMemory(area, size: PAGE_SIZE, on: m.cpu) }
        m.run {
            for size in 0...128 {
                m.runtime.memset(area, 0, count: size, on: m.cpu)
                m.runtime.memset(area + PAGE_SIZE - size, 0, count: size, on: m.cpu)
            }
        }
        #expect(m.reports.isEmpty)
        #expect(m.runtime.isEnabled)
        #expect(m.shadow(area + PAGE_SIZE - 128, count: 128) == [UInt8?](repeating: 0, count: 128))
        #expect(m.shadow(area + 128, count: 1) == [0xff])
    }

    /// The same at the very end of physical memory, and one byte past it is a bad access.
    @Test func memsetEndingAtTheLastByteOfMemory() throws {
        let m = try MachineFixture(runner: .kunit)
        let end = PAGE_OFFSET + m.runtime.memory.size
        m.run {
            m.runtime.poisonMemory(end - 8, size: 8, on: m.cpu)
            m.runtime.memset(end - 3, 0, count: 3, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(end - 8, count: 8) == [0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0])
        #expect(!m.origin(end - 4).isNone)
        m.run { m.runtime.memset(end - 2, 0, count: 3, on: m.cpu) }
        #expect(m.titles == ["HARNESS: bad-access in test_case"])
    }
}
