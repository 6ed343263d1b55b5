import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `outstandingAllocations()` and the machine's leak check. The slab marks its pages (slabs and
/// large kmalloc blocks) as its own, so the page allocator leaves them to the slab's check.
@Suite struct LeakTests {
    @Test func liveObjectsAreListed() throws {
        try withSlabMachine { m in
            let (k, c, big) = m.run("test_fn") { () -> (KernelAddress, KernelAddress, KernelAddress) in
                let cache = m.slab.kmemCacheCreate("my_objects", size: 40, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let k = m.slab.kmalloc(50, gfp: .kernel, on: m.cpu)!
                let c = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                let big = m.slab.kmalloc(9000, gfp: .kernel, on: m.cpu)!
                let freed = m.slab.kmalloc(50, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(freed, on: m.cpu)
                return (k, c, big)
            }
            let expected = [
                OutstandingAllocation(address: k.raw, size: 64, kind: "kmalloc-64"),
                OutstandingAllocation(address: c.raw, size: 40, kind: "my_objects"),
                OutstandingAllocation(address: big.raw, size: 9000, kind: "kmalloc_large order 2"),
            ].sorted { $0.address < $1.address }
            #expect(m.slab.outstandingAllocations() == expected)
        }
    }

    @Test func theLeakCheckReportsEachLiveObject() throws {
        try withSlabMachine(leakCheck: true) { m in
            m.run("test_fn") {
                _ = m.slab.kmalloc(50, gfp: .kernel, on: m.cpu)
                m.machine.checkLeaks(on: m.cpu)
            }
            #expect(m.sink.reports.map(\.title) == ["HARNESS: leak in test_fn"])
            #expect(m.sink.reports.first?.message.first?.contains("kmalloc-64") == true)
        }
    }

    @Test func nothingLeaksWhenEverythingIsFreed() throws {
        try withSlabMachine(leakCheck: true) { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("tidy", size: 40, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let p = m.slab.kmalloc(50, gfp: .kernel, on: m.cpu)!
                let q = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                let big = m.slab.kmalloc(9000, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(big, on: m.cpu)
                m.slab.kmemCacheFree(cache, q, on: m.cpu)
                m.slab.kfree(p, on: m.cpu)
                m.slab.kmemCacheDestroy(cache, on: m.cpu)
            }
            #expect(m.slab.outstandingAllocations().isEmpty)
            // SLUB keeps empty slabs around; they are the slab's, not leaked pages.
            let leaks = m.run("test_fn") { () -> Int in m.machine.checkLeaks(on: m.cpu) }
            #expect(leaks == 0)
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func pagesAllocatedDirectlyAreStillTheirOwnLeaks() throws {
        try withSlabMachine(leakCheck: true) { m in
            m.run("test_fn") {
                _ = m.machine.pageAllocator!.allocPages(.kernel, order: 1, on: m.cpu)
                _ = m.slab.kmalloc(9000, gfp: .kernel, on: m.cpu)
                m.machine.checkLeaks(on: m.cpu)
            }
            let lines = m.sink.reports.compactMap(\.message.first)
            #expect(lines.count == 2)
            #expect(lines.filter { $0.contains("alloc_pages order 1") }.count == 1)
            #expect(lines.filter { $0.contains("kmalloc_large order 2") }.count == 1)
        }
    }
}
