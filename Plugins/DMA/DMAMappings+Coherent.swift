import HarnessCore
import KMSAN
import KernelMemory

/// Coherent buffers, as dma-direct makes them (kernel/dma/mapping.c, kernel/dma/direct.c):
/// `dma_alloc_attrs` -> `dma_direct_alloc` takes `PAGE_ALIGN(size)` bytes of pages from the
/// page allocator without `__GFP_ZERO` (so `kmsan_alloc_page` poisons them) and then
/// `memset`s them to zero, which KMSAN sees: a coherent buffer starts initialized, and since the
/// device's writes are invisible to KMSAN and there is no map-time hook, it stays so (what the
/// device wrote reads as initialized: KMSAN cannot do better with coherent memory).
/// `dma_free_attrs` -> `dma_direct_free` gives the pages back (`kmsan_free_page` poisons them:
/// a use after free reads uninitialized). dma-debug records the buffer as a `coherent` entry,
/// DMA_BIDIRECTIONAL, and checks the free as `check_unmap` does, CPU address included.
extension DMAMappings {
    /// `dma_alloc_coherent(dev, size, &handle, gfp)`: the CPU address and the handle, or nil
    /// when the pages cannot be had or do not fit the device's mask (dma-direct would retry in
    /// a lower zone; this machine has one).
    public func allocCoherent(_ device: KernelAddress, size: Int, gfp: GFPFlags,
                              on cpu: KernelCPU) -> (address: KernelAddress, handle: UInt64)? {
        cpu.call(sites.allocAttrs) { () -> (address: KernelAddress, handle: UInt64)? in
            guard let dev = self.device(device, "dma_alloc_coherent", on: cpu), size > 0 else { return nil }
            return cpu.call(sites.directAlloc) { () -> (address: KernelAddress, handle: UInt64)? in
                let order = getOrder(size)
                guard let pfn = pages.allocPages(gfp.subtracting(.zero), order: order, on: cpu) else { return nil }
                let phys = UInt64(pfn.index) * UInt64(PAGE_SIZE)
                let aligned = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)  // PAGE_ALIGN: order <= MAX_PAGE_ORDER here
                if dev.mask < 64, phys + UInt64(aligned) > UInt64(1) << UInt64(dev.mask) {
                    pages.freePages(pfn, order: order, on: cpu)
                    return nil
                }
                pages.setOwner("dma coherent", ofBlockAt: pfn)
                let address = runtime.addressSpace.directMapAddress(of: pfn)
                runtime.memset(address, 0, count: aligned, on: cpu)
                state.withLock { s in
                    s.mappings.append(DMAState.Mapping(device: device.raw, handle: phys, cpuAddress: address, size: size,
                                                       direction: .bidirectional, kind: .coherent))
                }
                return (address, phys)
            }
        }
    }

    /// `dma_free_coherent(dev, size, cpu_addr, handle)`: dma-debug's checks (the CPU address
    /// among them), then the pages of `cpu_addr` go back to the page allocator, whatever the
    /// checks said, as the kernel frees them (a wrong address is the page allocator's to report).
    public func freeCoherent(_ device: KernelAddress, size: Int, _ address: KernelAddress, handle: UInt64,
                             on cpu: KernelCPU) {
        cpu.call(sites.freeAttrs) {
            guard self.device(device, "dma_free_coherent", on: cpu) != nil else { return }
            unmap(device, handle, size: size, direction: .bidirectional, kind: .coherent, cpuAddress: address, on: cpu)
            guard !address.isNull, size > 0 else { return }
            cpu.call(sites.directFree) {
                // virt_to_page(cpu_addr), then dma_free_contiguous -> __free_pages.
                guard let pfn = runtime.addressSpace.directMapFrame(address) else {
                    runtime.reportHarnessFinding(.invalidFree, "dma_free_coherent: \(address) is not a direct-map address",
                                                 on: cpu, address: address)
                    return
                }
                cpu.call(sites.freeContiguous) { pages.freePages(pfn, order: getOrder(size), on: cpu) }
            }
        }
    }
}
