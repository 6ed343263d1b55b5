import HarnessTesting
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// `ksize` as a KMSAN kernel runs it (mm/slab_common.c `ksize` and `__ksize`): with no KASAN
/// (lib/Kconfig.kmsan depends on !KASAN) `kasan_check_byte` is the stub returning true, so any
/// pointer into a slab gives `slab_ksize` of its cache.
@Suite struct KsizeTests {
    @Test func aLiveObjectGivesItsSlot() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(40, gfp: .kernel, on: m.cpu)!
                #expect(m.slab.ksize(p, on: m.cpu) == 64)
            }
        }
    }

    /// The kernel's answer for a freed object: `__ksize` reads the slab's cache, not the
    /// object's state.
    @Test func aFreedObjectStillGivesItsSlot() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(40, gfp: .kernel, on: m.cpu)!
                m.slab.kfree(p, on: m.cpu)
                #expect(m.slab.ksize(p, on: m.cpu) == 64)
            }
            #expect(m.sink.reports.isEmpty)
        }
    }

    @Test func anInteriorPointerGivesItsObjectsSlot() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                let p = m.slab.kmalloc(100, gfp: .kernel, on: m.cpu)!
                #expect(m.slab.ksize(p + 8, on: m.cpu) == 128)
            }
        }
    }

    /// The twins: NULL and ZERO_SIZE_PTR give 0 (`ZERO_OR_NULL_PTR`), as does the inside of a
    /// `kmalloc_large` block (`__ksize`'s `object != folio_address` case), while its first
    /// byte gives the folio size.
    @Test func nullZeroSizeAndInsideALargeBlockGiveZero() throws {
        try withSlabMachine { m in
            m.run("test_fn") {
                #expect(m.slab.ksize(.null, on: m.cpu) == 0)
                #expect(m.slab.ksize(SlubAllocator.zeroSizePointer, on: m.cpu) == 0)
                let big = m.slab.kmalloc(10_000, gfp: .kernel, on: m.cpu)!
                #expect(m.slab.ksize(big, on: m.cpu) == 4 * PAGE_SIZE)
                #expect(m.slab.ksize(big + PAGE_SIZE, on: m.cpu) == 0)
            }
        }
    }
}
