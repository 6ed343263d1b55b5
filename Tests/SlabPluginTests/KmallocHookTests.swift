import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `kmsan_slab_alloc` on the kmalloc path: kmalloc poisons the class's `object_size`, kzalloc
/// and `__GFP_ZERO` give initialized memory, and reports name the allocation path.
@Suite struct KmallocHookTests {
    @Test func usingKmallocedMemoryReportsWithTheAllocationStack() throws {
        try withSlabMachine { m in
            let expected: [ReportExpectation] = [.kmsan(.uninitValue, in: "test_fn", createdAt: "kmalloc")]
            m.run("test_fn") {
                let p = m.slab.kmalloc(4, gfp: .kernel, on: m.cpu)!
                m.use(.bits32, at: p)
            }
            m.expectReports(expected)
            let frames = m.sink.reports.first?.origin.first?.frames.map(\.function) ?? []
            #expect(frames.prefix(5) == ["slab_post_alloc_hook", "slab_alloc_node", "__kmalloc_cache_noprof", "kmalloc_noprof", "test_fn"])
        }
    }

    /// Linux 6.18 inlines all but `__kmalloc_cache_noprof` on this path, and a symbolized
    /// report prints them as `name file:line [inline]`; the real frame keeps its offset.
    @Test func theCreationStackPrintsInlinedFramesAsASymbolizerDoes() throws {
        try withSlabMachine { m in
            m.run("test_fn") { m.use(.bits32, at: m.slab.kmalloc(4, gfp: .kernel, on: m.cpu)!) }
            let text = try #require(m.sink.reports.first).kernelText
            let block = text.components(separatedBy: "Uninit was created at:\n").last?.split(separator: "\n").prefix(4)
            #expect(block?[0] == " slab_post_alloc_hook mm/slub.c:4985 [inline]")
            #expect(block?[1] == " slab_alloc_node mm/slub.c:5288 [inline]")
            #expect(block?[2].hasPrefix(" __kmalloc_cache_noprof+0x") == true)
            #expect(block?[2].hasSuffix(" mm/slub.c:5766") == true)
            #expect(block?[3] == " kmalloc_noprof include/linux/slab.h:957 [inline]")
        }
    }

    /// Twin: the header never names an inlined function. A check inside `kmalloc_noprof`'s
    /// inlined body is reported in the real function it is inlined into.
    @Test func aHeaderNamesTheRealFunctionAroundAnInlinedFrame() throws {
        try withSlabMachine { m in
            let inlined = m.runtime.symbols.site(in: "inlined_helper", file: "x.c", line: 1, inlining: .inlined)
            m.run("test_fn") {
                let p = m.slab.kmalloc(4, gfp: .kernel, on: m.cpu)!
                m.cpu.call(inlined) { m.use(.bits32, at: p) }
            }
            let r = try #require(m.sink.reports.first)
            #expect(r.stack.first?.function == "inlined_helper")
            #expect(r.title == "KMSAN: uninit-value in test_fn")
        }
    }

    @Test func initializedKmallocedMemoryDoesNotReport() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(4, gfp: .kernel, on: m.cpu)!
                m.runtime.memset(p, 0, count: 4, on: m.cpu)
                m.use(.bits32, at: p)
            }
            m.expectReports([])
        }
    }

    @Test func kmallocPoisonsTheWholeClassObject() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { m.slab.kmalloc(5, gfp: .kernel, on: m.cpu)! }   // kmalloc-8
            #expect(m.isPoisoned(p, count: 8))
            #expect(!m.origin(p).isNone)
            #expect(!m.origin(p).isUseAfterFree)
        }
    }

    @Test func kzallocIsInitialized() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let p = m.slab.kzalloc(100, gfp: .kernel, on: m.cpu)!
                m.use(.bits64, at: p + 64)
                return p
            }
            #expect(m.isInitialized(p, count: 128))
            #expect(m.bytes(p, count: 128).allSatisfy { $0 == 0 })
            m.expectReports([])
        }
    }

    @Test func reusedObjectIsPoisonedAgainOnKmalloc() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kzalloc(32, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                let q = m.slab.kmalloc(32, gfp: .kernel, on: m.cpu)!
                #expect(q == p)   // LIFO free list
                #expect(m.isPoisoned(q, count: 32))
                #expect(!m.origin(q).isUseAfterFree)
            }
        }
    }

    @Test func kmemCacheAllocPoisonsObjectSizeOnly() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let cache = m.slab.kmemCacheCreate("obj20", size: 20, align: 0, flags: .hwcacheAlign, constructor: nil, on: m.cpu)!
                let p = m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)!
                // Initialize the whole 32-byte slot, then free and take the object again.
                m.runtime.memset(p, 0, count: 32, on: m.cpu)
                m.slab.kmemCacheFree(cache, p, on: m.cpu)
                #expect(m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu) == p)
                return p
            }
            #expect(m.isPoisoned(p, count: 20))
            #expect(m.isInitialized(p + 20, count: 12))   // padding: untouched by the hooks
            let frames = m.run("test_fn") { () -> [String] in
                m.use(.bits8, at: p + 19)
                return m.sink.reports.first?.origin.first?.frames.map(\.function) ?? []
            }
            #expect(frames.prefix(4) == ["slab_post_alloc_hook", "slab_alloc_node", "kmem_cache_alloc_noprof", "test_fn"])
        }
    }

    @Test func gfpZeroOnACacheInitializesTheObject() throws {
        try withSlabMachine { m in
            let p = m.run("test_fn") { () -> KernelAddress in
                let cache = m.slab.kmemCacheCreate("obj20z", size: 20, align: 0, flags: [], constructor: nil, on: m.cpu)!
                return m.slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: m.cpu)!
            }
            #expect(m.isInitialized(p, count: 20))
        }
    }
}
