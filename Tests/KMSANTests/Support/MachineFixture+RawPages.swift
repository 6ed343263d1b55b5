import HarnessTesting
import KMSAN
import KernelMemory

/// The runtime tests' machine has no page allocator plugin: pages are raw frames given KMSAN
/// metadata the way a page allocator would.
extension MachineFixture {
    /// `alloc_pages(gfp, order)` as a page allocator plugin would call it: frames, then
    /// `kmsan_alloc_page` under Linux 6.18's `alloc_pages_noprof`/`__alloc_frozen_pages_noprof`
    /// frames (the two the test stacks need). Returns the address.
    func allocPages(order: Int = 0, gfp: GFPFlags = .kernel) -> KernelAddress {
        let pfn = rawFrames(order: order)
        givePageMetadata(pfn, order: order, gfp: gfp)
        return space.directMapAddress(of: pfn)
    }

    /// `kmsan_alloc_page` of `pfn` under the page allocator's frames.
    func givePageMetadata(_ pfn: PageFrameNumber, order: Int, gfp: GFPFlags) {
        cpu.call(runtime.symbols.site(in: "alloc_pages_noprof", file: "mm/mempolicy.c", line: 2507)) {
            cpu.call(runtime.symbols.site(in: "__alloc_frozen_pages_noprof", file: "mm/page_alloc.c", line: 5183)) {
                runtime.allocPage(pfn, order: order, gfp: gfp, on: cpu)
            }
        }
    }

    /// `__free_pages(page, order)` calling `kmsan_free_page`.
    func freePages(_ address: KernelAddress, order: Int = 0) {
        guard let pfn = space.directMapFrame(address) else { return }
        cpu.call(runtime.symbols.site(in: "__free_pages", file: "mm/page_alloc.c", line: 5000)) {
            runtime.freePage(pfn, order: order, on: cpu)
        }
    }

    /// Maps fresh frames into the vmalloc region at `VMALLOC_START + slot * PAGE_SIZE`, one
    /// page per entry of `metadata`, as vmap would; returns the area's address.
    func vmap(slot: Int, metadata: [PageMetadata]) -> KernelAddress {
        let area = VMALLOC_START + slot * PAGE_SIZE
        for (i, kind) in metadata.enumerated() {
            space.vmallocPages.map(area + i * PAGE_SIZE, to: PageMapping(frame: rawFrames(), metadata: kind))
        }
        return area
    }
}
