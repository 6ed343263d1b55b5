import KMSAN
import KernelMemory

/// vmalloc, vmap and ioremap: mappings in the vmalloc region, with KASAN's vmalloc shadow.
public protocol VmallocSubsystem: Subsystem {
    /// `vmalloc(size)`.
    func vmalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `vzalloc(size)`.
    func vzalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `vfree(addr)`.
    func vfree(_ address: KernelAddress, on cpu: KernelCPU)
    /// `vmap(pages, count, ...)`: maps existing frames; their metadata is shared.
    func vmap(_ pages: [PageFrameNumber], on cpu: KernelCPU) -> KernelAddress?
    /// `vunmap(addr)`.
    func vunmap(_ address: KernelAddress, on cpu: KernelCPU)
    /// `ioremap(phys, size)`: device memory, which reads as initialized.
    func ioremap(_ physical: UInt64, size: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `iounmap(addr)`.
    func iounmap(_ address: KernelAddress, on cpu: KernelCPU)
    /// `vm_unmap_aliases()`: forces the lazy purge of freed areas.
    func vmUnmapAliases(on cpu: KernelCPU)
}
