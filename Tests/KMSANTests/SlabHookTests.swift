import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// kmsan_slab_alloc, kmsan_slab_free, kmsan_kmalloc_large, kmsan_kfree_large.
@Suite struct SlabHookTests {
    let plain = SlabCacheDescriptor(objectSize: 20)

    @Test func slabAllocPoisonsObjectSizeBytesOnly() throws {
        let m = try MachineFixture(runner: .kunit)
        let slab = m.allocPages(gfp: [.kernel, .zero])
        m.run { m.runtime.slabAlloc(plain, object: slab, gfp: .kernel, on: m.cpu) }
        #expect(m.shadow(slab + 19, count: 2) == [0xff, 0])
        #expect(!m.origin(slab).isNone)
    }

    @Test func slabAllocWithGFPZeroUnpoisons() throws {
        let m = try MachineFixture(runner: .kunit)
        let slab = m.allocPages()
        m.run { m.runtime.slabAlloc(plain, object: slab, gfp: [.kernel, .zero], on: m.cpu) }
        #expect(m.shadow(slab, count: 20) == [UInt8?](repeating: 0, count: 20))
        #expect(m.shadow(slab + 20, count: 1) == [0xff])
    }

    @Test(arguments: [SlabCacheDescriptor(objectSize: 20, hasConstructor: true), SlabCacheDescriptor(objectSize: 20, flags: .typesafeByRCU)])
    func constructorAndRCUCachesAreExempt(cache: SlabCacheDescriptor) throws {
        let m = try MachineFixture(runner: .kunit)
        let slab = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.slabAlloc(cache, object: slab, gfp: .kernel, on: m.cpu)
            m.runtime.slabFree(cache, object: slab, on: m.cpu)
        }
        #expect(m.shadow(slab, count: 20) == [UInt8?](repeating: 0, count: 20))
    }

    @Test func slabFreePoisonsWithUseAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        let slab = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.runtime.slabAlloc(plain, object: slab, gfp: [.kernel, .zero], on: m.cpu)
            m.runtime.slabFree(plain, object: slab, on: m.cpu)
            m.use(.bits32, at: slab + 12)
        }
        #expect(m.origin(slab).isUseAfterFree)
        #expect(m.titles == ["KMSAN: use-after-free in test_case"])
    }

    @Test func kmallocLargePoisonsOrUnpoisonsTheSize() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = m.allocPages(order: 1, gfp: [.kernel, .zero])
        let b = m.allocPages(order: 1)
        m.run {
            m.runtime.kmallocLarge(a, size: 5000, gfp: .kernel, on: m.cpu)
            m.runtime.kmallocLarge(b, size: 5000, gfp: [.kernel, .zero], on: m.cpu)
        }
        #expect(m.shadow(a + 4999, count: 2) == [0xff, 0])
        #expect(m.shadow(b + 4999, count: 2) == [0, 0xff])
    }

    @Test func kfreeLargePoisonsTheWholeBlock() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = m.allocPages(order: 1, gfp: [.kernel, .zero])
        m.run { m.runtime.kfreeLarge(a, blockSize: 2 * PAGE_SIZE, on: m.cpu) }
        #expect(m.shadow(a + 2 * PAGE_SIZE - 1, count: 1) == [0xff])
        #expect(m.origin(a + 2 * PAGE_SIZE - 4).isUseAfterFree)
    }

    @Test func kfreeLargeOfAnInteriorPointerWarns() throws {
        let m = try MachineFixture(runner: .kunit)
        let a = m.allocPages(order: 1, gfp: [.kernel, .zero])
        m.run { m.runtime.kfreeLarge(a + 8, blockSize: 2 * PAGE_SIZE, on: m.cpu) }
        #expect(m.reports.map(\.tool) == [.warning])
    }
}
