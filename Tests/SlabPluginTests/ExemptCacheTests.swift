import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// Constructor caches and SLAB_TYPESAFE_BY_RCU caches are left alone by `kmsan_slab_alloc` and
/// `kmsan_slab_free`; the constructor runs once per object, when its slab is created.
@Suite struct ExemptCacheTests {
    @Test func constructorCacheObjectsAreInitializedAndStaySo() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("ctor_zero", size: 24, align: 0, flags: SlabPlugin.ctorZero, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                #expect(m.isInitialized(p, count: 24))
                m.runtime.store(.initialized(0x1234, width: .bits64), to: p, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                #expect(m.isInitialized(p, count: 24))   // not poisoned on free
                let q = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                #expect(q == p)
                // The constructor does not run again: the object keeps its last contents.
                #expect(m.runtime.load(.bits64, from: q, on: m.cpu).value == 0x1234)
                m.use(.bits64, at: q + 16)
            }
            m.expectReports([])
        }
    }

    @Test func withoutTheConstructorTheSameCacheReports() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("no_ctor", size: 24, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.use(.bits64, at: p + 16)
            }
            m.expectReports([.kmsan(.uninitValue, in: "test_fn", createdAt: "kmem_cache_alloc_noprof")])
        }
    }

    @Test func aSwiftConstructorRunsForEveryObjectOfANewSlab() throws {
        let calls = Locked(0)
        try withSlabMachine { m in
            let layout = m.run("test_fn") { () -> SlabLayout in
                let cache = m.slab.kmemCacheCreate("counted", size: 100, align: 0, flags: [], constructor: { object, runtime, cpu in
                    calls.withLock { $0 += 1 }
                    runtime.memset(object, 0xab, count: 100, on: cpu)
                }, on: m.cpu)!
                #expect(calls.withLock { $0 } == 0)
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                #expect(m.bytes(p, count: 100).allSatisfy { $0 == 0xab })
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                _ = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)
                return m.slab.layout(ofCache: cache)!
            }
            #expect(layout.freePointerIsOutside)
            #expect(calls.withLock { $0 } == layout.objectsPerSlab)
        }
    }

    @Test func rcuCacheIsNotPoisonedOnAllocOrFree() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("rcu", size: 64, align: 0, flags: .typesafeByRCU, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.runtime.memset(p, 0, count: 64, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                // A reader that still holds the pointer under RCU reads initialized memory.
                m.use(.bits64, at: p + 8)
                #expect(m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) == p)
                #expect(m.isInitialized(p, count: 64))
            }
            m.expectReports([])
        }
    }

    @Test func anOrdinaryCacheReportsTheSameReadAsUseAfterFree() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("plain", size: 64, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.runtime.memset(p, 0, count: 64, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                m.use(.bits64, at: p + 8)
            }
            m.expectReports([.kmsan(.useAfterFree, in: "test_fn")])
        }
    }

    @Test func freshRCUObjectsCarryThePagePoison() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("rcu_fresh", size: 64, align: 0, flags: .typesafeByRCU, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.use(.bits64, at: p)
            }
            // No slab hook ran: the origin is the slab page's allocation, under allocate_slab.
            m.expectReports([.kmsan(.uninitValue, in: "test_fn", createdAt: "allocate_slab")])
        }
    }

    @Test func gfpZeroInitializesEvenAnRCUObject() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let cache = m.slab.kmemCacheCreate("rcu_zero", size: 64, align: 0, flags: .typesafeByRCU, constructor: nil, on: m.cpu)!
                return m.slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: m.cpu)!
            }
            #expect(m.isInitialized(p, count: 64))
        }
    }
}
