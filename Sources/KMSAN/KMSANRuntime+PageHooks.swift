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
    public func allocPage(_ pfn: PageFrameNumber, order: Int, gfp: GFPFlags, on cpu: KernelCPU) {
        guard let (address, size) = pageRange(pfn, order: order, on: cpu) else { return }
        if policy.pageFreeRule == .releaseMetadata {
            try? memory.setTracked(true, from: pfn, count: 1 << order)
        }
        let fill: (UInt8, OriginHandle) -> Void = { shadow, origin in
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
    /// with a use-after-free origin. Under a policy that releases metadata, the frames become
    /// untracked instead.
    public func freePage(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        guard let (address, size) = pageRange(pfn, order: order, on: cpu) else { return }
        hook(cpu, hookSites.freePage) {
            switch policy.pageFreeRule {
            case .poisonWithUseAfterFree:
                poison(address, size: size, flags: [.check, .free], on: cpu)
            case .releaseMetadata:
                try? memory.setTracked(false, from: pfn, count: 1 << order)
            }
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
            memory.shadowBase(dst).update(from: memory.shadowBase(src), count: PAGE_SIZE)
            memory.originBase(dst).update(from: memory.originBase(src), count: PAGE_SIZE / 4)
        }
    }
}
