import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `kmalloc_large`: `kmsan_kmalloc_large` poisons the bytes asked for, and
/// `kmsan_kfree_large` poisons the whole page block on free.
@Suite struct LargeKmallocTests {
    @Test func kmallocLargePoisonsTheRequestWithTheKmallocStack() throws {
        try withSlabMachine { m in
            let expected: [ReportExpectation] = [.kmsan(.uninitValue, in: "test_fn", createdAt: "___kmalloc_large_node")]
            let p = m.run("test_fn") { () -> KernelAddress in
                let p = m.slab.kmalloc(10_000, gfp: .kernel, on: m.cpu)!
                m.use(.bits32, at: p + 9996)
                return p
            }
            m.expectReports(expected)
            #expect(m.isPoisoned(p, count: 10_000))
            let frames = m.sink.reports.first?.origin.first?.frames.map(\.function) ?? []
            #expect(frames.prefix(4) == ["___kmalloc_large_node", "__kmalloc_large_noprof", "kmalloc_noprof", "test_fn"])
        }
    }

    @Test func kzallocLargeIsInitialized() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let p = m.slab.kzalloc(10_000, gfp: .kernel, on: m.cpu)!
                m.use(.bits32, at: p + 9996)
                return p
            }
            m.expectReports([])
            #expect(m.isInitialized(p, count: 4 * PAGE_SIZE))
        }
    }

    @Test func kfreeLargePoisonsTheWholeBlock() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let p = m.slab.kzalloc(10_000, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                m.use(.bits8, at: p + 4 * PAGE_SIZE - 1)   // beyond the 10 000 bytes, same block
                return p
            }
            m.expectReports([.kmsan(.useAfterFree, in: "test_fn")])
            #expect(m.isPoisoned(p, count: 4 * PAGE_SIZE))
            #expect(m.origin(p + 4 * PAGE_SIZE - 4).isUseAfterFree)
        }
    }

    @Test func aLiveLargeBlockDoesNotReport() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kzalloc(10_000, gfp: .kernel, on: m.cpu)!
                m.use(.bits8, at: p + 4 * PAGE_SIZE - 1)
                m.slab.kfree(p, on: m.cpu)
            }
            m.expectReports([])
        }
    }
}
