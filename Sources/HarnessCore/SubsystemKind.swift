import KernelMemory
/// The six subsystems the harness models, one protocol each.
public enum SubsystemKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The page allocator (mm/page_alloc.c): `PageAllocatorSubsystem`.
    case pageAllocator = "page-allocator"
    /// The slab allocator (mm/slub.c): `SlabSubsystem`.
    case slab
    /// vmalloc, vmap and ioremap (mm/vmalloc.c): `VmallocSubsystem`.
    case vmalloc
    /// The DMA mapping API (kernel/dma): `DMASubsystem`.
    case dma
    /// USB request blocks (drivers/usb/core): `USBSubsystem`.
    case usb
    /// Socket buffers (net/core/skbuff.c): `SkbSubsystem`.
    case skb

    /// The name used in errors and `kmsan-harness ops`.
    public var description: String { rawValue }
}

/// What every subsystem instance offers the machine, whatever its kind.
///
/// A subsystem belongs to one machine. Subsystems are shared by the machine's CPUs, so their
/// state is guarded the way the kernel guards it (a zone lock, a per-cache lock).
public protocol Subsystem: AnyObject, Sendable {
    /// Memory this subsystem still has allocated, for the end-of-run leak check. Each entry is
    /// reported as a HARNESS `leak`.
    func outstandingAllocations() -> [OutstandingAllocation]
    /// The subsystem's whole state, for `Machine.saveState()`, or nil (the default) when it
    /// cannot be saved: a machine with such a subsystem is booted afresh instead of restored.
    /// Simulated memory is the runtime's to save; this is the subsystem's own bookkeeping.
    func saveState() -> SavedState?
    /// Puts back a state `saveState()` returned.
    func restoreState(_ saved: SavedState)
}

extension Subsystem {
    /// No leak tracking by default.
    public func outstandingAllocations() -> [OutstandingAllocation] { [] }
    /// Not saveable by default.
    public func saveState() -> SavedState? { nil }
    /// Nothing to restore by default.
    public func restoreState(_ saved: SavedState) {}
}

/// One allocation still live at the end of a run.
public struct OutstandingAllocation: Sendable, Equatable {
    /// Address of the allocation.
    public var address: UInt64
    /// Its size in bytes.
    public var size: Int
    /// What allocated it (`kmalloc-64`, `alloc_pages order 2`, ...).
    public var kind: String

    /// Creates a record.
    public init(address: UInt64, size: Int, kind: String) {
        self.address = address
        self.size = size
        self.kind = kind
    }
}
