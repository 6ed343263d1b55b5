import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// kmalloc's size classes, `kmalloc_large` above 8 KiB, and `ksize`.
@Suite struct SizeClassTests {
    /// The class `kmalloc_index` picks, written out independently of the plugin.
    static func expectedClass(_ size: Int) -> Int {
        switch size {
        case ...8: 8
        case ...16: 16
        case ...32: 32
        case ...64: 64
        case ...96: 96
        case ...128: 128
        case ...192: 192
        case ...256: 256
        default: 1 << (Int.bitWidth - (size - 1).leadingZeroBitCount)
        }
    }

    @Test func everySizeUpTo8KiBLandsInItsClass() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                for size in 1...8192 {
                    let p = m.slab.kmalloc(size, gfp: .kernel, on: m.cpu)!
                    let cls = Self.expectedClass(size)
                    #expect(m.slab.ksize(p, on: m.cpu) == cls, "kmalloc(\(size))")
                    #expect(m.slab.cacheName(of: p) == SlubAllocator.kmallocName(cls), "kmalloc(\(size))")
                    #expect(p.raw % UInt64(cls & (cls - 1) == 0 ? cls : 8) == 0, "kmalloc(\(size)) alignment")
                    m.slab.kfree(p, on: m.cpu)
                }
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test(arguments: [8193, 12288, 16385, 100_000])
    func sizesAbove8KiBArePageBlocks(size: Int) throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(size, gfp: .kernel, on: m.cpu)!
                let order = getOrder(size)
                #expect(p.pageOffset == 0)
                #expect(m.slab.ksize(p, on: m.cpu) == PAGE_SIZE << order)
                #expect(m.slab.cacheName(of: p) == "kmalloc_large")
                #expect(m.pages.allocationOrder(of: m.runtime.addressSpace.directMapFrame(p)!) == order)
                m.slab.kfree(p, on: m.cpu)
                #expect(m.pages.allocationOrder(of: m.runtime.addressSpace.directMapFrame(p)!) == nil)
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func kmallocNamesFollowTheKernel() {
        #expect(SlubAllocator.kmallocSizes.map(SlubAllocator.kmallocName) == [
            "kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96", "kmalloc-128", "kmalloc-192",
            "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
        ])
        #expect(SlubAllocator.kmallocClass(for: 0) == nil)
        #expect(SlubAllocator.kmallocClass(for: 8193) == nil)
    }

    @Test func zeroBytesGiveZeroSizePointer() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(0, gfp: .kernel, on: m.cpu)
                #expect(p == SlubAllocator.zeroSizePointer)
                #expect(m.slab.ksize(p!, on: m.cpu) == 0)
                m.slab.kfree(p!, on: m.cpu)
                m.slab.kfree(.null, on: m.cpu)
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func kmallocSlabOrdersAreSLUBs() {
        // 2 CPUs: min_objects = 4 * (fls(2) + 1) = 12, at most order 3.
        let orders = SlubAllocator.kmallocSizes.map {
            SlabLayout(objectSize: $0, align: $0 & ($0 - 1) == 0 ? $0 : 0, flags: [], hasConstructor: false)!.order
        }
        #expect(orders == [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3])
    }

    /// Above KMALLOC_MAX_SIZE slub passes the order to the page allocator, whose
    /// `WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp)` warns once and fails it; __GFP_NOFAIL
    /// changes nothing there (mm/page_alloc.c checks the order first).
    @Test func tooLargeRequestsWarnOnceAndFail() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                #expect(m.slab.kmalloc(SlubAllocator.kmallocMaxSize + 1, gfp: .kernel, on: m.cpu) == nil)
                #expect(m.slab.kmalloc(Int.max, gfp: [.kernel, .noFail], on: m.cpu) == nil)
            }
            #expect(m.titles == ["WARNING: alloc-order-above-max in __alloc_frozen_pages_noprof"])
        }
    }

    /// Twin: with __GFP_NOWARN the same requests fail quietly, and the largest size that fits works.
    @Test func tooLargeRequestsWithNoWarnFailQuietly() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                #expect(m.slab.kmalloc(SlubAllocator.kmallocMaxSize + 1, gfp: [.kernel, .noWarn], on: m.cpu) == nil)
                let largest = m.slab.kmalloc(SlubAllocator.kmallocMaxSize, gfp: [.kernel, .noWarn], on: m.cpu)
                #expect(largest != nil)
                if let largest { m.slab.kfree(largest, on: m.cpu) }
            }
            #expect(m.sink.reports.isEmpty)
        }
    }
}
