import KMSAN

/// The frames the vmalloc plugin pushes, named after mm/vmalloc.c's and mm/kasan/shadow.c's
/// functions on the kernel's call paths. They carry no file and line: this plugin's lines have
/// not been read off a kernel tree, and a frame without them prints `name+0xOFF/0xSIZE`, as an
/// unsymbolized report does (so Documentation/KernelFrames.md does not list them).
struct VmallocSites: Sendable {
    let vmalloc, vzalloc, vmallocFlags, vmallocNode, vmallocNodeRange, vmallocAreaNode, allocPages: CallSite
    let vfree, removeVMArea, vmap, vunmap, ioremap, ioremapPageRange, iounmap, vmUnmapAliases, purge: CallSite
    let vmallocToPage, populate, release, invariant: CallSite

    init(symbols: SymbolTable) {
        func entry(_ name: String) -> CallSite { symbols.site(in: name, role: .subsystemEntry) }
        func site(_ name: String) -> CallSite { symbols.site(in: name) }
        vmalloc = entry("vmalloc_noprof"); vzalloc = entry("vzalloc_noprof"); vmallocFlags = entry("__vmalloc_noprof")
        vmallocNode = site("__vmalloc_node_noprof"); vmallocNodeRange = site("__vmalloc_node_range_noprof")
        vmallocAreaNode = site("__vmalloc_area_node"); allocPages = site("vm_area_alloc_pages")
        vfree = entry("vfree"); removeVMArea = site("remove_vm_area"); vmap = entry("vmap"); vunmap = entry("vunmap")
        ioremap = entry("ioremap"); ioremapPageRange = site("ioremap_page_range"); iounmap = entry("iounmap")
        vmUnmapAliases = entry("vm_unmap_aliases"); purge = site("__purge_vmap_area_lazy")
        vmallocToPage = entry("vmalloc_to_page"); populate = site("kasan_populate_vmalloc")
        release = site("kasan_release_vmalloc"); invariant = site("vmalloc_check_invariants")
    }
}
