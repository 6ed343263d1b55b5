import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// mm/slub.c `new_slab()`: `WARN_ON_ONCE(s->ctor && (flags & __GFP_ZERO))`. Zeroing an object a
/// constructor set up is a caller bug; the kernel warns once per boot, when a new slab is made,
/// and goes on.
@Suite struct ConstructorZeroWarningTests {
    @Test func gfpZeroOnAConstructorCacheWarnsOnceInNewSlab() throws {
        try withSlabMachine { m in
            let expectedTitles = ["WARNING: ctor-with-gfp-zero in ___slab_alloc"]
            let expectedMessage = ["kmem_cache_alloc: __GFP_ZERO on cache ctor_zero, which has a constructor"]
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("ctor_zero", size: 24, align: 0, flags: SlabPlugin.ctorZero,
                                                   constructor: nil, on: m.cpu)!
                let layout = m.slab.layout(ofCache: cache)!
                // Enough objects for a second slab: WARN_ON_ONCE stays quiet the second time.
                for _ in 0...layout.objectsPerSlab {
                    #expect(m.slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: m.cpu) != nil)
                }
            }
            #expect(m.titles == expectedTitles)
            #expect(m.reports.first?.message == expectedMessage)
            // The WARN's own line is in new_slab (inlined into ___slab_alloc).
            #expect(m.reports.first?.kernelText.contains(" at mm/slub.c:3284 ") == true)
        }
    }

    @Test func aConstructorCacheWithoutGFPZeroDoesNotWarn() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("ctor_zero", size: 24, align: 0, flags: SlabPlugin.ctorZero,
                                                   constructor: nil, on: m.cpu)!
                #expect(m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) != nil)
            }
            m.expectReports([])
        }
    }

    @Test func gfpZeroOnACacheWithoutAConstructorDoesNotWarn() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("plain", size: 24, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: m.cpu)!
                #expect(m.isInitialized(p, count: 24))
            }
            m.expectReports([])
        }
    }
}
