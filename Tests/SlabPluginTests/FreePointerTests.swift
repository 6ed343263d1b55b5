import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// Where SLUB keeps the free pointer, and what its (instrumented) store does to KMSAN's view of
/// a freed object.
@Suite struct FreePointerTests {
    @Test func ordinaryCachesKeepItInTheMiddle() {
        let l = SlabLayout(objectSize: 96, align: 0, flags: [], hasConstructor: false)!
        #expect(l.freePointerOffset == 48)
        #expect(!l.freePointerIsOutside)
        #expect(l.size == 96)
        // ALIGN_DOWN(object_size / 2, 8).
        #expect(SlabLayout(objectSize: 20, align: 0, flags: [], hasConstructor: false)!.freePointerOffset == 8)
        #expect(SlabLayout(objectSize: 8, align: 0, flags: [], hasConstructor: false)!.freePointerOffset == 0)
    }

    @Test(arguments: [("ctor", SlabFlags(), true), ("rcu", SlabFlags.typesafeByRCU, false), ("poison", SlabFlags.poison, false)])
    func specialCachesKeepItAfterTheObject(kind: String, flags: SlabFlags, ctor: Bool) {
        let l = SlabLayout(objectSize: 20, align: 0, flags: flags, hasConstructor: ctor)!
        #expect(l.inuse == 24, "\(kind)")
        #expect(l.freePointerOffset == 24, "\(kind)")
        #expect(l.freePointerIsOutside, "\(kind)")
        #expect(l.size == 32, "\(kind)")
    }

    @Test func afterKfreeOnlyTheFreePointerIsInitialized() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let p = m.slab.kmalloc(80, gfp: .kernel, on: m.cpu)!   // kmalloc-96
                m.runtime.memset(p, 0x11, count: 96, on: m.cpu)
                m.slab.kfree(p, on: m.cpu)
                return p
            }
            #expect(m.isInitialized(p + 48, count: 8))
            #expect(m.isPoisoned(p, count: 48))
            #expect(m.isPoisoned(p + 56, count: 40))
            #expect(m.origin(p).isUseAfterFree)
            #expect(m.origin(p + 92).isUseAfterFree)
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func theFreePointerHoldsTheNextFreeObject() throws {
        try withSlabMachine { m in
            let (a, b) = m.run("test_fn") { () -> (KernelAddress, KernelAddress) in
                let a = m.slab.kmalloc(64, gfp: .kernel, on: m.cpu)!
                let b = m.slab.kmalloc(64, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(a, on: m.cpu)
                m.slab.kfree(b, on: m.cpu)
                return (a, b)
            }
            // b is now the head of the free list and points at a (offset 32 in kmalloc-64).
            let fp = m.runtime.load(.bits64, from: b + 32, on: m.cpu)
            #expect(fp.isInitialized)
            #expect(fp.address == a)
        }
    }

    @Test func poisonCacheFreesTheWholeObjectAndStoresAfterIt() throws {
        try withSlabMachine { m in
            let (p, layout) = m.run("test_fn") { () -> (KernelAddress, SlabLayout) in
                let cache = m.slab.kmemCacheCreate("poisoned", size: 20, align: 0, flags: .poison, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.runtime.memset(p, 0x11, count: 20, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                return (p, m.slab.layout(ofCache: cache)!)
            }
            #expect(m.isPoisoned(p, count: 20))
            #expect(m.isInitialized(p + layout.freePointerOffset, count: 8))
            // SLAB_POISON patterns, written without touching metadata.
            #expect(m.bytes(p, count: 20) == [UInt8](repeating: 0x6b, count: 19) + [0xa5])
            #expect(m.slab.ksize(p, on: m.cpu) == 20)   // SLAB_POISON: slab_ksize is the object size
        }
    }

    @Test func rcuCacheObjectKeepsItsBytesAfterFree() throws {
        try withSlabMachine { m in
            let (p, layout) = m.run("test_fn") { () -> (KernelAddress, SlabLayout) in
                let cache = m.slab.kmemCacheCreate("rcu", size: 20, align: 0, flags: .typesafeByRCU, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                m.runtime.memset(p, 0x11, count: 20, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                return (p, m.slab.layout(ofCache: cache)!)
            }
            #expect(m.isInitialized(p, count: 20))
            #expect(m.bytes(p, count: 20) == [UInt8](repeating: 0x11, count: 20))
            #expect(m.isInitialized(p + layout.freePointerOffset, count: 8))
        }
    }
}
