import KMSAN
import KernelMemory

/// The page allocator: `alloc_pages` and `__free_pages` over the machine's physical memory.
///
/// An implementation calls `kmsan_alloc_page` after taking frames off its free lists and
/// `kmsan_free_page` before putting them back, as mm/page_alloc.c does. Misuse (double free,
/// wrong order, a frame never allocated) is a HARNESS report, never a crash.
public protocol PageAllocatorSubsystem: Subsystem {
    /// `alloc_pages(gfp, order)`: a naturally aligned block of `1 << order` frames, or nil
    /// when the allocation fails (out of memory, or an injected failure).
    func allocPages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> PageFrameNumber?

    /// `__free_pages(page, order)`.
    func freePages(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU)

    /// The order `pfn` was allocated with, if it is the head of a live block
    /// (`compound_order()`, or what the allocator recorded for non-compound blocks).
    func allocationOrder(of pfn: PageFrameNumber) -> Int?

    /// Frames currently free.
    var freeFrames: Int { get }

    /// Marks a live block as owned by another subsystem (`PageSlab`, a large kmalloc), so
    /// that the leak check reports the owner's objects instead of its pages; nil clears it.
    func setOwner(_ owner: String?, ofBlockAt pfn: PageFrameNumber)
}

extension PageAllocatorSubsystem {
    /// Allocators that do not track owners report every live block.
    public func setOwner(_ owner: String?, ofBlockAt pfn: PageFrameNumber) {}

    /// `alloc_pages` returning the block's direct-map address (`page_address`), or nil.
    public func allocPagesAddress(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> KernelAddress? {
        allocPages(gfp, order: order, on: cpu).map { cpu.runtime.addressSpace.directMapAddress(of: $0) }
    }
}
