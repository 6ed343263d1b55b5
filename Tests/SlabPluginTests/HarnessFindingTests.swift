import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// Misuse of the slab API is a HARNESS report naming the caller, and the allocator stays intact.
@Suite struct HarnessFindingTests {
    @Test func doubleKfree() throws {
        try withSlabMachine { m in
            let expected: [ReportExpectation] = [.harness(.doubleFree, in: "test_fn")]
            m.run("test_fn") {
                let p = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                m.slab.kfree(p, on: m.cpu)
                // The object is on the free list once: two allocations get two objects.
                let a = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                let b = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                #expect(a == p)
                #expect(b != p)
            }
            m.expectReports(expected)
            #expect(m.sink.reports.first?.accessAddress != nil)
        }
    }

    @Test func singleKfreeIsFine() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
            }
            m.expectReports([])
        }
    }

    @Test func doubleFreeOfKmallocLarge() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(20_000, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                m.slab.kfree(p, on: m.cpu)
            }
            m.expectReports([.harness(.doubleFree, in: "test_fn")])
        }
    }

    @Test func freeingWhatWasNeverAllocated() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let page = m.pages.allocPagesAddress(.kernel, order: 0, on: m.cpu)!
                m.slab.kfree(page, on: m.cpu)                              // a page, not kmalloc memory
                m.slab.kfree(KernelAddress(0xdead_0000), on: m.cpu)         // not even mapped
                let local = m.runtime.local(size: 16, name: "buf", on: m.cpu)
                m.slab.kfree(local, on: m.cpu)                             // a stack variable
                #expect(m.pages.allocationOrder(of: m.runtime.addressSpace.directMapFrame(page)!) == 0)
            }
            m.expectReports(Array(repeating: .harness(.invalidFree, in: "test_fn"), count: 3))
        }
    }

    @Test func interiorPointers() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(64, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p + 8, on: m.cpu)
                let big = m.slab.kmalloc(10_000, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(big + PAGE_SIZE, on: m.cpu)
                // Both are still live and can be freed properly.
                #expect(m.slab.ksize(p, on: m.cpu) == 64)
                m.slab.kfree(p, on: m.cpu)
                m.slab.kfree(big, on: m.cpu)
            }
            m.expectReports([.harness(.invalidFree, in: "test_fn"), .harness(.invalidFree, in: "test_fn")])
        }
    }

    @Test func wrongCacheForKmemCacheFree() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("cache_a", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let b = m.slab.kmemCacheCreate("cache_b", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu)!
                m.slab.kmemCacheFree(b, p, on: m.cpu)
                let k = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                m.slab.kmemCacheFree(a, k, on: m.cpu)
                #expect(m.slab.ksize(p, on: m.cpu) == 32)   // still allocated
                m.slab.kmemCacheFree(a, p, on: m.cpu)
                m.slab.kfree(k, on: m.cpu)
            }
            m.expectReports([.harness(.invalidFree, in: "test_fn"), .harness(.invalidFree, in: "test_fn")])
        }
    }

    @Test func rightCacheForKmemCacheFree() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("cache_a", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu)!
                m.slab.kmemCacheFree(a, p, on: m.cpu)
                m.slab.kmemCacheDestroy(a, on: m.cpu)
            }
            m.expectReports([])
        }
    }

    @Test func destroyingACacheWithLiveObjects() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("busy", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu)!
                m.slab.kmemCacheDestroy(a, on: m.cpu)
                // The cache survives: its object can be used and freed, then the cache destroyed.
                #expect(m.slab.layout(ofCache: a) != nil)
                m.slab.kmemCacheFree(a, p, on: m.cpu)
                m.slab.kmemCacheDestroy(a, on: m.cpu)
                #expect(m.slab.layout(ofCache: a) == nil)
            }
            m.expectReports([.harness(.misuse, in: "test_fn")])
        }
    }

    @Test func usingADestroyedCache() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("gone", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                m.slab.kmemCacheDestroy(a, on: m.cpu)
                #expect(m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu) == nil)
                m.slab.kmemCacheFree(a, KernelAddress(0x1000), on: m.cpu)
                m.slab.kmemCacheDestroy(a, on: m.cpu)
            }
            m.expectReports(Array(repeating: .harness(.misuse, in: "test_fn"), count: 3))
        }
    }

    @Test func destroyingReturnsTheSlabPages() throws {
        try withSlabMachine { m in
            let before = m.pages.freeFrames
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("pages", size: 512, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let objects = (0..<40).map { _ in m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu)! }
                for p in objects { m.slab.kmemCacheFree(a, p, on: m.cpu) }
                m.slab.kmemCacheDestroy(a, on: m.cpu)
            }
            // Only the bootstrap kmem_cache slab (one page) remains.
            #expect(m.pages.freeFrames == before - 1)
            m.expectReports([])
        }
    }

    @Test func kfreeOfALiveCacheStruct() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("victim", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                m.slab.kfree(a, on: m.cpu)
                #expect(m.slab.kmemCacheAlloc(a, gfp: .kernel, on: m.cpu) != nil)   // the cache still works
            }
            m.expectReports([.harness(.invalidFree, in: "test_fn")])
        }
    }

    @Test func nullIsIgnored() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let a = m.slab.kmemCacheCreate("nulls", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu)!
                m.slab.kfree(.null, on: m.cpu)
                m.slab.kmemCacheFree(a, .null, on: m.cpu)
                m.slab.kmemCacheDestroy(.null, on: m.cpu)
            }
            m.expectReports([])
        }
    }
}
