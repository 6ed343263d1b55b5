import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `calculate_alignment` and slot sizes: SLAB_HWCACHE_ALIGN, explicit alignment, the 8-byte minimum.
@Suite struct AlignmentTests {
    /// Allocates `count` objects of a new cache and returns them with the cache's layout.
    static func objects(
        _ m: MachineFixture, size: Int, align: Int, flags: SlabFlags, count: Int = 4
    ) -> (SlabLayout, [KernelAddress]) {
        m.run("test_fn") {
            let cache = m.slab.kmemCacheCreate("align_test", size: size, align: align, flags: flags, constructor: nil, on: m.cpu)!
            let objects = (0..<count).map { _ in m.slab.kmemCacheAlloc(cache, gfp: .kernel, on: m.cpu)! }
            return (m.slab.layout(ofCache: cache)!, objects)
        }
    }

    @Test func hwcacheAlignPutsObjectsOnCacheLines() throws {
        try withSlabMachine { m in
            let (layout, objects) = Self.objects(m, size: 40, align: 0, flags: .hwcacheAlign)
            #expect(layout.align == 64)
            #expect(layout.size == 64)
            #expect(objects.allSatisfy { $0.raw % 64 == 0 })
            #expect(zip(objects, objects.dropFirst()).allSatisfy { $1 - $0 == 64 })
        }
    }

    @Test func withoutHwcacheAlignObjectsArePackedToWords() throws {
        try withSlabMachine { m in
            let (layout, objects) = Self.objects(m, size: 40, align: 0, flags: [])
            #expect(layout.align == 8)
            #expect(layout.size == 40)
            #expect(zip(objects, objects.dropFirst()).allSatisfy { $1 - $0 == 40 })
        }
    }

    @Test func hwcacheAlignHalvesTheLineForSmallObjects() throws {
        // while (size <= ralign / 2) ralign /= 2: a 20-byte object gets 32, a 12-byte one 16.
        #expect(SlabLayout.alignment(flags: .hwcacheAlign, align: 0, size: 20) == 32)
        #expect(SlabLayout.alignment(flags: .hwcacheAlign, align: 0, size: 12) == 16)
        #expect(SlabLayout.alignment(flags: .hwcacheAlign, align: 0, size: 33) == 64)
        #expect(SlabLayout.alignment(flags: .hwcacheAlign, align: 0, size: 2) == 8)
        try withSlabMachine { m in
            let (layout, objects) = Self.objects(m, size: 20, align: 0, flags: .hwcacheAlign)
            #expect(layout.size == 32)
            #expect(objects.allSatisfy { $0.raw % 32 == 0 })
        }
    }

    @Test func explicitAlignmentIsHonoured() throws {
        try withSlabMachine { m in
            let (layout, objects) = Self.objects(m, size: 24, align: 128, flags: [])
            #expect(layout.align == 128)
            #expect(layout.size == 128)
            #expect(objects.allSatisfy { $0.raw % 128 == 0 })
        }
    }

    @Test func smallExplicitAlignmentIsRaisedToAWord() throws {
        try withSlabMachine { m in
            let (layout, objects) = Self.objects(m, size: 13, align: 2, flags: [])
            #expect(layout.align == 8)
            #expect(layout.size == 16)
            #expect(objects.allSatisfy { $0.raw % 8 == 0 })
        }
    }

    @Test func kmallocPowerOfTwoClassesAreNaturallyAligned() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p512 = (0..<3).map { _ in m.slab.kmalloc(300, gfp: .kernel, on: m.cpu)! }
                let p96 = (0..<3).map { _ in m.slab.kmalloc(80, gfp: .kernel, on: m.cpu)! }
                #expect(p512.allSatisfy { $0.raw % 512 == 0 })
                #expect(zip(p96, p96.dropFirst()).allSatisfy { $1 - $0 == 96 })
            }
        }
    }

    @Test func badAlignmentIsAHarnessMisuse() throws {
        try withSlabMachine { m in
            let cache = m.run("test_fn") { m.slab.kmemCacheCreate("bad_align", size: 24, align: 24, flags: [], constructor: nil, on: m.cpu) }
            #expect(cache == nil)
            m.expectReports([.harness(.misuse, in: "test_fn")])
        }
    }
}
