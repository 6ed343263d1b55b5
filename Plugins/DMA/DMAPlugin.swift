import HarnessCore
import KMSAN
import KernelMemory

/// The DMA plugin: devices, streaming mappings (single, page, scatterlists) with the KMSAN hook
/// where Linux 6.18 calls it, the sync calls, a device side that reads and writes mapped memory
/// as hardware would, coherent buffers from the page allocator, and CONFIG_DMA_API_DEBUG's
/// checks as HARNESS findings. As the DMA provider it gets the standard ops (`dma_device`,
/// `dma_map_single`, `dma_unmap_single`, `dma_map_page`,
/// `dma_unmap_page`, `sg_init_table`, `sg_set_buf`, `sg_set_page`, `dma_map_sg`, `dma_unmap_sg`,
/// `dma_sync_single_for_cpu`, `dma_sync_single_for_device`, `dma_alloc_coherent`, `dma_free_coherent`,
/// `device_dma_write`, `device_dma_read`).
public struct DMAPlugin: HarnessPlugin {
    /// `dma`.
    public var name: String { "dma" }
    /// It provides the DMA subsystem.
    public var provides: SubsystemKind? { .dma }
    /// Coherent buffers come from the page allocator.
    public var requires: [SubsystemKind] { [.pageAllocator] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `DMAMappings`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let pages = context.subsystem(.pageAllocator, as: (any PageAllocatorSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the page allocator does not implement PageAllocatorSubsystem")
        }
        return DMAMappings(runtime: context.runtime, pages: pages)
    }
}
