import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import SlabPlugin
import Testing

/// When the page allocator fails (its failure injection), slab allocations return nil and
/// nothing else changes.
@Suite struct AllocationFailureTests {
    @Test func everyAllocationFailsWhenPagesDo() throws {
        try withSlabMachine { m in
            m.buddy.failureInjection = .allocations(matching: [])
            m.run("test_fn") {
                #expect(m.slab.kmalloc(8, gfp: .kernel, on: m.cpu) == nil)
                #expect(m.slab.kzalloc(4096, gfp: .kernel, on: m.cpu) == nil)
                #expect(m.slab.kmalloc(20_000, gfp: .kernel, on: m.cpu) == nil)
                #expect(m.slab.kmemCacheCreate("no_memory", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu) == nil)
                #expect(m.slab.krealloc(.null, size: 32, gfp: .kernel, on: m.cpu) == nil)
            }
            #expect(m.slab.outstandingAllocations().isEmpty)
            m.expectReports([])
        }
    }

    @Test func allocationsSucceedWhenPagesDo() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                #expect(m.slab.kmalloc(8, gfp: .kernel, on: m.cpu) != nil)
                #expect(m.slab.kzalloc(4096, gfp: .kernel, on: m.cpu) != nil)
                #expect(m.slab.kmalloc(20_000, gfp: .kernel, on: m.cpu) != nil)
                #expect(m.slab.kmemCacheCreate("memory", size: 32, align: 0, flags: [], constructor: nil, on: m.cpu) != nil)
            }
            #expect(m.slab.outstandingAllocations().count == 3)
        }
    }

    @Test func kmemCacheAllocFailsWithoutANewSlab() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let cache = m.slab.kmemCacheCreate("fail_later", size: 2000, align: 0, flags: [], constructor: nil, on: m.cpu)!
                let layout = m.slab.layout(ofCache: cache)!
                let first = (0..<layout.objectsPerSlab).map { _ in m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) }
                #expect(first.allSatisfy { $0 != nil })
                m.buddy.failureInjection = .allocations(matching: [])
                #expect(m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) == nil)
                // A freed object is reused without the page allocator.
                m.slab.kmemCacheFree(cache, first[0]!, on: m.cpu)
                #expect(m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) == first[0])
            }
            m.expectReports([])
        }
    }

    @Test func kreallocFailureLeavesTheOldObject() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kzalloc(16, gfp: .kernel, on: m.cpu)!
                m.buddy.failureInjection = .allocations(matching: [])
                #expect(m.slab.krealloc(p, size: 5000, gfp: .kernel, on: m.cpu) == nil)
                #expect(m.slab.ksize(p, on: m.cpu) == 16)
                #expect(m.isInitialized(p, count: 16))
            }
            m.expectReports([])
        }
    }

    @Test func aFailedHighOrderSlabFallsBackToTheSmallestOrder() throws {
        try withSlabMachine { m in
            m.buddy.failureInjection = .nthAllocation(1)
            let p = m.run("test_fn") { m.slab.kmalloc(4096, gfp: .kernel, on: m.cpu) }   // kmalloc-4k: order 3, min order 0
            #expect(p != nil)
            #expect(m.pages.allocationOrder(of: m.runtime.addressSpace.directMapFrame(p!)!) == 0)
            #expect(m.slab.kmallocLayout(for: 4096)?.order == 3)
        }
    }

    @Test func aSlabOfTheRightOrderNeedsNoFallback() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { m.slab.kmalloc(4096, gfp: .kernel, on: m.cpu) }
            #expect(m.pages.allocationOrder(of: m.runtime.addressSpace.directMapFrame(p!)!) == 3)
        }
    }

    @Test func anOrderZeroSlabHasNoFallback() throws {
        let before = try withSlabMachine { m in m.pages.freeFrames }
        try withSlabMachine { m in
            m.buddy.failureInjection = .nthAllocation(1)
            let p = m.run("test_fn") { m.slab.kmalloc(64, gfp: .kernel, on: m.cpu) }
            #expect(p == nil)
            #expect(m.pages.freeFrames == before)
        }
    }
}
