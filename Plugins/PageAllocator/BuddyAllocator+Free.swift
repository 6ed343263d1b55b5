import HarnessCore
import KMSAN
import KernelMemory

extension BuddyAllocator {
    /// `__free_pages(page, order)`: returns a live block.
    ///
    /// Under `__free_pages` → `___free_pages` → `__free_frozen_pages` (→ `__free_pages_ok` above
    /// PAGE_ALLOC_COSTLY_ORDER) → `free_pages_prepare`, which calls `kmsan_free_page` on all
    /// `PAGE_SIZE << order` bytes before the block goes on a per-CPU list (orders <=
    /// PAGE_ALLOC_COSTLY_ORDER) or back to the buddy lists, where it merges with its buddies.
    ///
    /// `pfn` must head a live block allocated with exactly `order`. Otherwise nothing changes
    /// and the free is a HARNESS finding whose header names the caller: `double-free` for a
    /// block already freed, `invalid-free` for the wrong order, a tail page, a frame never
    /// allocated or one the allocator does not manage.
    public func freePages(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        release(pfn, order: order, on: cpu)
    }

    /// `__free_pages` on a `struct page *` handle; a handle that names no frame is a HARNESS
    /// `invalid-free` raised under the `__free_pages` frame, naming the caller.
    public func freePages(handle: KernelAddress, order: Int, on cpu: KernelCPU) {
        guard let pfn = runtime.addressSpace.frame(ofPageHandle: handle) else {
            reportBadPageHandle(.invalidFree, handle, in: sites.freePages, function: "__free_pages", on: cpu)
            return
        }
        freePages(pfn, order: order, on: cpu)
    }

    /// `free_pages(addr, order)`: `__free_pages(virt_to_page(addr), order)`; a null address
    /// does nothing, and an address outside the direct map is a HARNESS `invalid-free`.
    public func freePages(address: KernelAddress, order: Int, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        cpu.call(sites.freePagesAddress) {
            guard let pfn = runtime.addressSpace.directMapFrame(address) else {
                runtime.reportHarnessFinding(
                    .invalidFree, "free_pages: \(address) is not a direct-map address (virt_addr_valid fails)",
                    on: cpu, address: address)
                return
            }
            release(pfn, order: order, on: cpu)
        }
    }

    /// `__free_pages` under its entry frame (inside `free_pages`'s when that is the caller).
    func release(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        cpu.call(sites.freePages) {
            if let refusal = zone.withLock({ $0.beginFree(pfn.index, order: order) }) {
                let address = runtime.addressSpace.directMapAddress(of: pfn)
                switch refusal {
                case .doubleFree(let why):
                    runtime.reportHarnessFinding(.doubleFree, "__free_pages: \(why)", on: cpu, address: address)
                case .invalidFree(let why):
                    runtime.reportHarnessFinding(.invalidFree, "__free_pages: \(why)", on: cpu, address: address)
                }
                return
            }
            cpu.call(sites.freePagesInner) {
                // __free_frozen_pages: pcp_allowed_order() decides between the per-CPU lists
                // (free_frozen_page_commit()) and __free_pages_ok() (__free_one_page()).
                if order <= Self.costlyOrder {
                    cpu.call(sites.freeFrozenPages) { prepareAndFinishFree(pfn, order: order, on: cpu) }
                } else {
                    cpu.call(sites.freeFrozenPagesHighOrder) {
                        cpu.call(sites.freePagesOk) { prepareAndFinishFree(pfn, order: order, on: cpu) }
                    }
                }
            }
        }
    }

    /// `free_pages_prepare` (`kmsan_free_page`), then the block goes back under the zone lock.
    private func prepareAndFinishFree(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        cpu.call(sites.freePagesPrepare) { runtime.freePage(pfn, order: order, on: cpu) }
        zone.withLock { $0.finishFree(pfn.index, order: order, cpu: cpu.id) }
    }

    /// Reports a `struct page *` handle that names no frame, as a HARNESS finding raised in
    /// `site` (a frame the plugin pushes), so the header names the caller.
    func reportBadPageHandle(_ kind: HarnessErrorKind, _ handle: KernelAddress, in site: CallSite, function: String, on cpu: KernelCPU) {
        cpu.call(site) {
            runtime.reportHarnessFinding(kind, "\(function): \(handle) is not a struct page pointer of this machine",
                                         on: cpu, address: handle)
        }
    }
}
