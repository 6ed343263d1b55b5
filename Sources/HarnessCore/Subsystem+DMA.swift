import KMSAN
import KernelMemory

/// One entry of a scatterlist handed to `dma_map_sg`.
public struct ScatterlistEntry: Sendable, Equatable {
    /// The page.
    public var page: PageFrameNumber
    /// Offset in the page.
    public var offset: Int
    /// Length in bytes.
    public var length: Int

    /// Creates an entry.
    public init(page: PageFrameNumber, offset: Int, length: Int) {
        self.page = page
        self.offset = offset
        self.length = length
    }
}

/// The DMA mapping API. Devices are named by their `struct device *`; DMA handles are bus
/// addresses. An implementation calls `kmsan_handle_dma` where kernel/dma/mapping.c does.
public protocol DMASubsystem: Subsystem {
    /// A simulated device.
    func device(named name: String, on cpu: KernelCPU) -> KernelAddress
    /// `dma_map_single(dev, addr, size, dir)`.
    func mapSingle(_ device: KernelAddress, _ address: KernelAddress, size: Int, direction: DMADirection, on cpu: KernelCPU) -> UInt64?
    /// `dma_unmap_single(dev, handle, size, dir)`.
    func unmapSingle(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_map_page(dev, page, offset, size, dir)`.
    func mapPage(_ device: KernelAddress, _ page: PageFrameNumber, offset: Int, size: Int, direction: DMADirection, on cpu: KernelCPU) -> UInt64?
    /// `dma_map_sg(dev, sg, nents, dir)`: the number of entries mapped.
    func mapSG(_ device: KernelAddress, _ entries: [ScatterlistEntry], direction: DMADirection, on cpu: KernelCPU) -> Int
    /// `dma_sync_single_for_cpu(dev, handle, size, dir)`.
    func syncSingleForCPU(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// `dma_sync_single_for_device(dev, handle, size, dir)`.
    func syncSingleForDevice(_ device: KernelAddress, _ handle: UInt64, size: Int, direction: DMADirection, on cpu: KernelCPU)
    /// The device writes `length` bytes at `offset` of a mapping, as hardware would.
    func deviceWrite(_ device: KernelAddress, _ handle: UInt64, offset: Int, length: Int, on cpu: KernelCPU)
}
