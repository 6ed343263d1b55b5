import KMSAN

/// The frames of kernel/dma/mapping.c's call paths. No file and line: they have not been read
/// off a kernel tree, so they print `name+0xOFF/0xSIZE` (Documentation/KernelFrames.md lists only
/// located frames). KMSAN reports of a mapping name `dma_map_phys` (single, page) or
/// `__dma_map_sg_attrs` (lists), as Linux 6.18 does; a single mapping's stack runs through
/// `dma_map_page_attrs`, as the inline `dma_map_single_attrs` calls it.
struct DMASites: Sendable {
    let mapSingle, mapPage, mapPhys, unmapSingle, unmapPage, unmapPhys: CallSite
    let mapSG, mapSGAttrs, unmapSG, syncForCPU, syncForDevice, sgInit, sgSetBuf, sgSetPage: CallSite
    let allocAttrs, directAlloc, freeAttrs, directFree, freeContiguous: CallSite

    init(symbols: SymbolTable) {
        func entry(_ name: String) -> CallSite { symbols.site(in: name, role: .subsystemEntry) }
        // dma_map_single_attrs and dma_unmap_single_attrs are static inlines of
        // include/linux/dma-mapping.h around the page calls: [inline] frames, as symbolized.
        mapSingle = symbols.site(in: "dma_map_single_attrs", role: .subsystemEntry, inlining: .inlined)
        mapPage = entry("dma_map_page_attrs")
        mapPhys = symbols.site(in: "dma_map_phys")
        unmapSingle = symbols.site(in: "dma_unmap_single_attrs", role: .subsystemEntry, inlining: .inlined)
        unmapPage = entry("dma_unmap_page_attrs")
        unmapPhys = symbols.site(in: "dma_unmap_phys")
        mapSG = entry("dma_map_sg_attrs"); mapSGAttrs = symbols.site(in: "__dma_map_sg_attrs")
        unmapSG = entry("dma_unmap_sg_attrs")
        syncForCPU = entry("dma_sync_single_for_cpu"); syncForDevice = entry("dma_sync_single_for_device")
        sgInit = entry("sg_init_table"); sgSetBuf = entry("sg_set_buf"); sgSetPage = entry("sg_set_page")
        allocAttrs = entry("dma_alloc_attrs"); directAlloc = symbols.site(in: "dma_direct_alloc")
        freeAttrs = entry("dma_free_attrs"); directFree = symbols.site(in: "dma_direct_free")
        freeContiguous = symbols.site(in: "dma_free_contiguous")
    }
}
