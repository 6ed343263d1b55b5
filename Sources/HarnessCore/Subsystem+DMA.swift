import KMSAN
import KernelMemory

/// The DMA mapping API (kernel/dma/mapping.c). Devices are `struct device *` stand-ins; DMA
/// handles are bus addresses (`dma_addr_t`; a direct mapping uses the physical address).
/// `mappingError` is DMA_MAPPING_ERROR. An implementation calls `kmsan_handle_dma` once, at map
/// time, where Linux 6.18 does (`dma_map_phys`; `__dma_map_sg_attrs` for lists), and reports
/// API misuse as CONFIG_DMA_API_DEBUG words it, as HARNESS findings.
public protocol DMASubsystem: Subsystem {
    /// A new device named `name` with a `mask`-bit DMA mask.
    func device(named name: String, mask: Int, on cpu: KernelCPU) -> KernelAddress
    /// `dma_set_mask(dev, DMA_BIT_MASK(bits))`: 0 on success, -EIO for a mask outside 1...64.
    func setMask(_ device: KernelAddress, bits: Int, on cpu: KernelCPU) -> Int
    /// `dma_map_single(dev, addr, size, dir)`.
    func mapSingle(_ device: KernelAddress, _ address: KernelAddress, size: Int, direction: DMADirection,
                   on cpu: KernelCPU) -> UInt64
    /// `dma_unmap_single(dev, handle, size, dir)`.
    func unmapSingle(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_map_page(dev, page, offset, size, dir)` of a `struct page *`.
    func mapPage(_ device: KernelAddress, _ page: KernelAddress, offset: Int, size: Int, direction: DMADirection,
                 on cpu: KernelCPU) -> UInt64
    /// `dma_unmap_page(dev, handle, size, dir)`.
    func unmapPage(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `sg_init_table(sgl, nents)` on a new table: its handle.
    func sgInitTable(_ count: Int, on cpu: KernelCPU) -> KernelAddress
    /// `sg_set_buf(&sgl[index], buf, len)`.
    func sgSetBuf(_ table: KernelAddress, index: Int, _ buffer: KernelAddress, length: Int, on cpu: KernelCPU)
    /// `sg_set_page(&sgl[index], page, len, offset)` with a `struct page *`.
    func sgSetPage(_ table: KernelAddress, index: Int, page: KernelAddress, length: Int, offset: Int, on cpu: KernelCPU)
    /// `dma_map_sg(dev, sgl, nents, dir)`: the number of entries mapped (0 on failure).
    func mapSG(_ device: KernelAddress, _ table: KernelAddress, count: Int, direction: DMADirection, on cpu: KernelCPU) -> Int
    /// `dma_unmap_sg(dev, sgl, nents, dir)`.
    func unmapSG(_ device: KernelAddress, _ table: KernelAddress, count: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_sync_single_for_cpu(dev, handle, size, dir)`: no KMSAN effect.
    func syncSingleForCPU(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_sync_single_for_device(dev, handle, size, dir)`: no KMSAN effect.
    func syncSingleForDevice(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_alloc_coherent(dev, size, &handle, gfp)`: a zeroed (so initialized) buffer the CPU
    /// and the device share, with no KMSAN hook; its CPU address and handle, or nil.
    func allocCoherent(_ device: KernelAddress, size: Int, gfp: GFPFlags,
                       on cpu: KernelCPU) -> (address: KernelAddress, handle: UInt64)?
    /// `dma_free_coherent(dev, size, cpu_addr, handle)`: dma-debug's checks, then the pages go
    /// back (freed memory is poisoned).
    func freeCoherent(_ device: KernelAddress, size: Int, _ address: KernelAddress, handle: UInt64, on cpu: KernelCPU)
    /// The device writes `length` bytes at `offset` into the live mapping at `handle`, as
    /// hardware does: data changes, KMSAN shadow does not.
    func deviceWrite(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, on cpu: KernelCPU)
    /// The device reads up to 8 bytes at `offset` of the live mapping at `handle` (little
    /// endian; no KMSAN check: hardware is not instrumented).
    func deviceRead(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, on cpu: KernelCPU) -> UInt64
}

extension DMASubsystem {
    /// DMA_MAPPING_ERROR.
    public static var mappingError: UInt64 { UInt64.max }
}
