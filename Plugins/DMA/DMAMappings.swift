import HarnessCore
import KMSAN
import KernelMemory

/// One machine's DMA mappings (see `DMAPlugin`). A direct mapping's handle is the physical
/// address (`phys_to_dma` of dma-direct); only direct-map memory can be mapped, as
/// dma-debug's `check_for_stack` and the vmalloc check insist (`virt_to_page` of anything else
/// is wrong). Device handles are `struct device *` stand-ins: addresses in an unmapped range,
/// never dereferenced. Thread-safe: one lock guards the state.
public final class DMAMappings: DMASubsystem {
    /// The runtime.
    public let runtime: KMSANRuntime
    /// Where coherent buffers' pages come from.
    let pages: any PageAllocatorSubsystem
    let state = Locked(DMAState())
    let sites: DMASites

    /// Where device handles start (unmapped: a driver dereferencing one faults).
    static let deviceBase: UInt64 = 0xffff_fe00_0000_0000
    /// Where scatterlist table handles start.
    static let tableBase: UInt64 = 0xffff_fe80_0000_0000
    /// The most entries a table may have (SG_MAX_SINGLE_ALLOC entries of a 4 KiB page).
    static let maxEntries = 128

    init(runtime: KMSANRuntime, pages: any PageAllocatorSubsystem) {
        self.runtime = runtime
        self.pages = pages
        sites = DMASites(symbols: runtime.symbols)
    }

    /// The state, for the fuzzer's restore.
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// Live mappings and coherent buffers (dma-debug reports them at device removal; a leak
    /// here; a coherent buffer's pages are its, so the page allocator does not report them again).
    public func outstandingAllocations() -> [OutstandingAllocation] {
        state.withLock { s in
            s.mappings.map {
                OutstandingAllocation(address: $0.handle, size: $0.size, kind: "dma mapping (\($0.kind.rawValue))")
            }
        }
    }

    /// A new device.
    public func device(named name: String, mask: Int, on cpu: KernelCPU) -> KernelAddress {
        state.withLock { s in
            let address = Self.deviceBase + UInt64(s.nextDevice) * 0x1000
            s.nextDevice += 1
            s.devices[address] = DMAState.Device(name: name, mask: min(max(mask, 1), 64))
            return KernelAddress(address)
        }
    }

    /// `dma_set_mask`.
    public func setMask(_ device: KernelAddress, bits: Int, on cpu: KernelCPU) -> Int {
        guard self.device(device, "dma_set_mask", on: cpu) != nil else { return -Errno.EIO }
        guard (1...64).contains(bits) else { return -Errno.EIO }
        state.withLock { $0.devices[device.raw]?.mask = bits }
        return 0
    }

    /// The device at `handle`, or a HARNESS finding (nil).
    func device(_ handle: KernelAddress, _ api: String, on cpu: KernelCPU) -> DMAState.Device? {
        if let d = state.withLock({ $0.devices[handle.raw] }) { return d }
        runtime.reportHarnessFinding(.misuse, "\(api): \(handle) is not a struct device of this machine", on: cpu,
                                     address: handle)
        return nil
    }

    /// A HARNESS finding in the caller, worded as dma-debug's `err_printk` would.
    func debugError(_ kind: HarnessErrorKind, _ device: DMAState.Device, _ message: String, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(kind, "DMA-API: \(device.name): \(message)", on: cpu)
    }
}
