import HarnessCore
import KMSAN
import KernelMemory

/// The skb plugin: sk_buffs with kmalloc'ed heads, page fragments and frag lists, clones that
/// share data, copies, and a simulated NIC per net device. As in mainline there is no skb hook:
/// the NIC's transmit DMA-maps the head (`dma_map_single`) and each fragment
/// (`skb_frag_dma_map`), so uninitialized bytes are reported at the mapping (`dma_map_phys`,
/// under `dma_map_page_attrs`); receive maps a fresh skb from the device, which the DMA hook
/// unpoisons. Under RFC v3 (`KMSANPolicy.SkbTransmitCheck.kmsanCheckSkb`) transmit runs the
/// seed's `kmsan_check_skb` instead, which never checks a page fragment. As the skb provider
/// it gets the standard ops (`kmsan-harness ops` lists them).
public struct SKBPlugin: HarnessPlugin {
    /// `skb`.
    public var name: String { "skb" }
    /// It provides the skb subsystem.
    public var provides: SubsystemKind? { .skb }
    /// Heads are kmalloc'ed, fragments are pages, the NIC maps for DMA.
    public var requires: [SubsystemKind] { [.pageAllocator, .slab, .dma] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `NetStack`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let pages = context.subsystem(.pageAllocator, as: (any PageAllocatorSubsystem).self),
              let slab = context.subsystem(.slab, as: (any SlabSubsystem).self),
              let dma = context.subsystem(.dma, as: (any DMASubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the page allocator, slab or DMA plugin does not implement its protocol")
        }
        return NetStack(runtime: context.runtime, pages: pages, slab: slab, dma: dma)
    }
}
