import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `krealloc`: kept bytes keep their shadow and origin, the rest is new, the old object is freed.
@Suite struct KreallocTests {
    @Test func growingCopiesTheMetadataOfKeptBytes() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(16, gfp: .kernel, on: m.cpu)!
                m.runtime.store(.initialized(0x0102_0304_0506_0708), to: p, on: m.cpu)
                let oldOrigin = m.origin(p + 8)
                let q = m.slab.krealloc(p, size: 100, gfp: .kernel, on: m.cpu)!
                #expect(q != p)
                #expect(m.slab.ksize(q, on: m.cpu) == 128)
                #expect(m.runtime.load(.bits64, from: q, on: m.cpu) == .initialized(0x0102_0304_0506_0708))
                #expect(m.isPoisoned(q + 8, count: 8))
                #expect(m.origin(q + 8).depth == oldOrigin.depth + 1)   // their origin, chained by memcpy
                #expect(m.isPoisoned(q + 16, count: 112))
                #expect(m.origin(q + 16) != oldOrigin)              // new bytes: the new allocation's
                #expect(m.origin(p).isUseAfterFree)                 // the old object was freed
                #expect(m.slab.ksize(p, on: m.cpu) == 16)           // freed: still its slab_ksize
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func theKeptUninitializedBytesReportWithTheirFirstAllocation() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(16, gfp: .kernel, on: m.cpu)!
                let q = m.slab.krealloc(p, size: 100, gfp: .kernel, on: m.cpu)!
                m.use(.bits64, at: q + 8)
            }
            m.expectReports([.kmsan(.uninitValue, in: "test_fn", createdAt: "__kmalloc_cache_noprof", storedAt: "__do_krealloc")])
        }
    }

    @Test func fittingInKsizeKeepsTheObjectAndItsMetadata() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(20, gfp: .kernel, on: m.cpu)!   // kmalloc-32
                m.runtime.memset(p, 0, count: 10, on: m.cpu)
                #expect(m.slab.krealloc(p, size: 32, gfp: .kernel, on: m.cpu) == p)
                #expect(m.isInitialized(p, count: 10))
                #expect(m.isPoisoned(p + 10, count: 22))
                // With __GFP_ZERO the bytes past the new size are zeroed.
                #expect(m.slab.krealloc(p, size: 24, gfp: [.kernel, .zero], on: m.cpu) == p)
                #expect(m.isPoisoned(p + 10, count: 14))
                #expect(m.isInitialized(p + 24, count: 8))
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func nullAndZeroSize() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.krealloc(.null, size: 40, gfp: .kernel, on: m.cpu)!
                #expect(m.slab.ksize(p, on: m.cpu) == 64)
                #expect(m.slab.krealloc(p, size: 0, gfp: .kernel, on: m.cpu) == SlubAllocator.zeroSizePointer)
                #expect(m.slab.ksize(SlubAllocator.zeroSizePointer, on: m.cpu) == 0)
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func growingIntoKmallocLarge() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kzalloc(64, gfp: .kernel, on: m.cpu)!
                let big = m.slab.krealloc(p, size: 20_000, gfp: .kernel, on: m.cpu)!
                #expect(m.slab.cacheName(of: big) == "kmalloc_large")
                #expect(m.isInitialized(big, count: 64))
                #expect(m.isPoisoned(big + 64, count: 64))
                #expect(m.slab.krealloc(big, size: 30_000, gfp: .kernel, on: m.cpu) == big)   // fits in 32 KiB
                let bigger = m.slab.krealloc(big, size: 40_000, gfp: .kernel, on: m.cpu)!
                #expect(bigger != big)
                #expect(m.isInitialized(bigger, count: 64))
                #expect(m.origin(big).isUseAfterFree)
                m.slab.kfree(bigger, on: m.cpu)
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func kreallocOfAFreedPointerIsADoubleFree() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(16, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                #expect(m.slab.krealloc(p, size: 100, gfp: .kernel, on: m.cpu) == nil)
            }
            m.expectReports([.harness(.doubleFree, in: "test_fn")])
        }
    }
}
