import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `kmsan_slab_free`: a freed object is poisoned with the use-after-free bit, except the
/// free pointer SLUB stores into it afterwards (kmsan_test.c: test_uaf).
@Suite struct UseAfterFreeTests {
    @Test func usingAFreedObjectIsUseAfterFree() throws {
        try withSlabMachine { m in
            let expected: [ReportExpectation] = [.kmsan(.useAfterFree, in: "test_uaf")]
            m.run("test_uaf") {
                let p = m.slab.kmalloc(80, gfp: .kernel, on: m.cpu)!
                m.runtime.store(.initialized(0xfeedface, width: .bits32), to: p + 12, on: m.cpu)
                m.slab.kfree(p, on: m.cpu)
                m.use(.bits32, at: p + 12)
            }
            m.expectReports(expected)
            let origin = m.sink.reports.first?.origin.first?.frames.map(\.function) ?? []
            #expect(origin.prefix(4) == ["slab_free_hook", "slab_free", "kfree", "test_uaf"])
        }
    }

    @Test func readingTheFreePointerOfAFreedObjectDoesNotReport() throws {
        try withSlabMachine { m in
            m.run("test_uaf") {
                let p = m.slab.kmalloc(80, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                m.use(.bits64, at: p + 48)   // kmalloc-96: free pointer at 48
            }
            m.expectReports([])
        }
    }

    @Test func usingALiveInitializedObjectDoesNotReport() throws {
        try withSlabMachine { m in
            m.run("test_uaf") {
                let p = m.slab.kmalloc(80, gfp: .kernel, on: m.cpu)!
                m.runtime.store(.initialized(0xfeedface, width: .bits32), to: p + 12, on: m.cpu)
                m.use(.bits32, at: p + 12)
                m.slab.kfree(p, on: m.cpu)
            }
            m.expectReports([])
        }
    }

    @Test func kmemCacheFreeIsUseAfterFreeToo() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("uaf_cache", size: 48, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: m.cpu)!
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                m.use(.bits32, at: p)
            }
            m.expectReports([.kmsan(.useAfterFree, in: "test_fn")])
            let origin = m.sink.reports.first?.origin.first?.frames.map(\.function) ?? []
            #expect(origin.prefix(4) == ["slab_free_hook", "slab_free", "kmem_cache_free", "test_fn"])
        }
    }
}
