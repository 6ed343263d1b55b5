import KernelMemory

/// Hooks of the page allocator (mm/kmsan/shadow.c), called by page allocator plugins.
extension KMSANRuntime {
    private func pageRange(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) -> (KernelAddress, Int)? {
        guard order >= 0, order <= 10, memory.contains(pfn), memory.contains(pfn.advanced(by: (1 << order) - 1)) else {
            reportHarnessFinding(.misuse, "KMSAN page hook on \(pfn) order \(order): outside physical memory", on: cpu)
            return nil
        }
        return (addressSpace.directMapAddress(of: pfn), PAGE_SIZE << order)
    }

    /// `kmsan_alloc_page(page, order, flags)`: with `__GFP_ZERO` (or KMSAN off) the metadata
    /// of all `PAGE_SIZE << order` bytes is zeroed; otherwise they are poisoned and every
    /// origin slot gets one allocation handle of the current stack.
    ///
    /// Under `PageFreeRule.releaseMetadata` (RFC v3 `kmsan_alloc_page()` and
    /// `kmsan_internal_alloc_meta_for_pages()`) this is where freed pages get metadata again:
    /// they become tracked and are then zeroed or poisoned as above. As in the seed, an
    /// allocation made while in the runtime does nothing at all, so pages freed before stay
    /// untracked (their stale metadata is never exposed).
    public func allocPage(_ pfn: PageFrameNumber, order: Int, gfp: GFPFlags, on cpu: KernelCPU) {
        guard let (address, size) = pageRange(pfn, order: order, on: cpu) else { return }
        let releasesMetadata = policy.pageFreeRule == .releaseMetadata
        if releasesMetadata, isInRuntime(cpu) { return }
        let fill: (UInt8, OriginHandle) -> Void = { shadow, origin in
            if releasesMetadata { try? self.memory.setTracked(true, from: pfn, count: 1 << order) }
            _ = try? self.addressSpace.forEachSegment(address, count: size) { seg in
                seg.shadow?.update(repeating: shadow, count: seg.count)
                seg.origin?.update(repeating: origin.raw, count: seg.count / 4)
            }
        }
        if gfp.contains(.zero) || !isEnabled {
            fill(0, .none)
            return
        }
        // Pages the runtime allocates for itself stay as they are.
        guard !isInRuntime(cpu) else { return }
        enterRuntime(cpu)
        let handle = cpu.call(hookSites.allocPage) { saveStack(on: cpu) }
        leaveRuntime(cpu)
        fill(0xff, handle)
    }

    /// `kmsan_free_page(page, order)`: poisons all `PAGE_SIZE << order` bytes (tail pages too)
    /// with a use-after-free origin.
    ///
    /// Under `PageFreeRule.releaseMetadata` (RFC v3 `kmsan_free_page()`) the pages' shadow and
    /// origin pages are released instead: all `1 << order` frames become untracked (they read
    /// as initialized, so there are no use-after-free reports) until `allocPage` tracks them
    /// again. As in the seed, this happens even with KMSAN off (its `!kmsan_ready` branch),
    /// and not at all while in the runtime.
    public func freePage(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        guard let (address, size) = pageRange(pfn, order: order, on: cpu) else { return }
        switch policy.pageFreeRule {
        case .poisonWithUseAfterFree:
            hook(cpu, hookSites.freePage) { poison(address, size: size, flags: [.check, .free], on: cpu) }
        case .releaseMetadata:
            if isEnabled, isInRuntime(cpu) { return }
            try? memory.setTracked(false, from: pfn, count: 1 << order)
        }
    }

    /// `kmsan_copy_page_meta(dst, src)`: copies a page's shadow and origins (page migration,
    /// `copy_highpage`). Untracked source: the destination is unpoisoned; untracked
    /// destination: nothing.
    public func copyPageMeta(to dst: PageFrameNumber, from src: PageFrameNumber, on cpu: KernelCPU) {
        guard isEnabled, !isInRuntime(cpu) else { return }
        guard memory.contains(dst), memory.isTracked(dst) else { return }
        let dstAddress = addressSpace.directMapAddress(of: dst)
        guard memory.contains(src), memory.isTracked(src) else {
            unpoison(dstAddress, size: PAGE_SIZE, checked: false, on: cpu)
            return
        }
        hook(cpu, hookSites.copyPageMeta) {
            memory.touch(dst.index, dst.index)
            memory.shadowBase(dst).update(from: memory.shadowBase(src), count: PAGE_SIZE)
            memory.originBase(dst).update(from: memory.originBase(src), count: PAGE_SIZE / 4)
        }
    }
}
