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

    /// `__free_pages(page, order)` on a `struct page *` handle (a vmemmap address, what the
    /// scenario ops pass); a handle that names no frame is a HARNESS `invalid-free`.
    func freePages(handle: KernelAddress, order: Int, on cpu: KernelCPU)

    /// `__get_free_pages(gfp, order)`: `alloc_pages` returning the block's direct-map address.
    func getFreePages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> KernelAddress?

    /// `free_pages(addr, order)`: `__free_pages(virt_to_page(addr), order)`; a null address
    /// does nothing, one outside the direct map is a HARNESS `invalid-free`.
    func freePages(address: KernelAddress, order: Int, on cpu: KernelCPU)

    /// `copy_highpage(to, from)` on `struct page *` handles: the data (an uninstrumented
    /// `copy_page`) then `kmsan_copy_page_meta`; a handle naming no frame is a HARNESS `bad-access`.
    func copyHighPage(toHandle dst: KernelAddress, fromHandle src: KernelAddress, on cpu: KernelCPU)
}

/// What an allocator gets without writing it: the entry points above in terms of
/// `allocPages` and `freePages`, without frames of their own (an allocator that models the
/// kernel's call path, like the buddy plugin, implements them itself).
extension PageAllocatorSubsystem {
    /// Allocators that do not track owners report every live block.
    public func setOwner(_ owner: String?, ofBlockAt pfn: PageFrameNumber) {}

    /// Translates the handle and calls `freePages(_:order:on:)`.
    public func freePages(handle: KernelAddress, order: Int, on cpu: KernelCPU) {
        guard let pfn = cpu.runtime.addressSpace.frame(ofPageHandle: handle) else {
            cpu.runtime.reportHarnessFinding(
                .invalidFree, "__free_pages: \(handle) is not a struct page pointer of this machine", on: cpu, address: handle)
            return
        }
        freePages(pfn, order: order, on: cpu)
    }

    /// `allocPagesAddress`.
    public func getFreePages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> KernelAddress? {
        allocPagesAddress(gfp, order: order, on: cpu)
    }

    /// Translates the address and calls `freePages(_:order:on:)`.
    public func freePages(address: KernelAddress, order: Int, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        guard let pfn = cpu.runtime.addressSpace.directMapFrame(address) else {
            cpu.runtime.reportHarnessFinding(
                .invalidFree, "free_pages: \(address) is not a direct-map address (virt_addr_valid fails)", on: cpu, address: address)
            return
        }
        freePages(pfn, order: order, on: cpu)
    }

    /// Copies the data, then `kmsan_copy_page_meta`.
    public func copyHighPage(toHandle dst: KernelAddress, fromHandle src: KernelAddress, on cpu: KernelCPU) {
        let runtime = cpu.runtime, space = cpu.runtime.addressSpace
        guard let to = space.frame(ofPageHandle: dst), let from = space.frame(ofPageHandle: src) else {
            let bad = space.frame(ofPageHandle: dst) == nil ? dst : src
            runtime.reportHarnessFinding(.badAccess, "copy_highpage: \(bad) is not a struct page pointer of this machine",
                                         on: cpu, address: bad)
            return
        }
        try? space.moveData(to: space.directMapAddress(of: to), from: space.directMapAddress(of: from), count: PAGE_SIZE)
        runtime.copyPageMeta(to: to, from: from, on: cpu)
    }

    /// `alloc_pages` returning the block's direct-map address (`page_address`), or nil.
    public func allocPagesAddress(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> KernelAddress? {
        allocPages(gfp, order: order, on: cpu).map { cpu.runtime.addressSpace.directMapAddress(of: $0) }
    }
}
