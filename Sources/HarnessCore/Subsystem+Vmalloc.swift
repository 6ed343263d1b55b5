import KMSAN
import KernelMemory

/// vmalloc, vmap and ioremap: mappings in the vmalloc region, with KASAN's vmalloc shadow.
public protocol VmallocSubsystem: Subsystem {
    /// `vmalloc(size)`: an area of `size` bytes (rounded up to pages, plus a guard page) backed
    /// by fresh pages; nil when the size is 0, absurd, or memory runs out.
    func vmalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `vzalloc(size)`: `vmalloc` of zeroed pages.
    func vzalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `__vmalloc(size, gfp)`.
    func vmalloc(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `vfree(addr)`: NULL is ignored.
    func vfree(_ address: KernelAddress, on cpu: KernelCPU)
    /// `vmap(pages, count, VM_MAP, PAGE_KERNEL)` of `struct page *` handles: a new alias whose
    /// pages keep their own metadata.
    func vmap(_ pages: [KernelAddress], on cpu: KernelCPU) -> KernelAddress?
    /// `vunmap(addr)`.
    func vunmap(_ address: KernelAddress, on cpu: KernelCPU)
    /// `ioremap(phys, size)`: a physical range outside RAM, mapped with fresh zeroed metadata.
    func ioremap(_ physical: UInt64, size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `iounmap(addr)`.
    func iounmap(_ address: KernelAddress, on cpu: KernelCPU)
    /// `vm_unmap_aliases()`: forces the lazy purge of freed areas.
    func vmUnmapAliases(on cpu: KernelCPU)
    /// `vmalloc_to_page(addr)`: the `struct page *` behind a vmalloc address, or NULL.
    func vmallocToPage(_ address: KernelAddress, on cpu: KernelCPU) -> KernelAddress
}
