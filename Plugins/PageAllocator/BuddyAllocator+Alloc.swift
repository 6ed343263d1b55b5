import HarnessCore
import KMSAN
import KernelMemory

extension BuddyAllocator {
    /// How one allocation attempt ended, decided under the zone lock.
    enum AllocationOutcome {
        /// The block at this frame, already recorded as live.
        case allocated(Int)
        /// `should_fail_alloc_page()` said so.
        case injected
        /// No block of the order above the watermark.
        case exhausted
    }

    /// `alloc_pages(gfp, order)`: a naturally aligned block of `1 << order` frames, or nil.
    ///
    /// Under `alloc_pages_noprof` → `alloc_frozen_pages_noprof` → `alloc_pages_mpol` →
    /// `__alloc_frozen_pages_noprof` (see `PageAllocatorSites`): the failure injection (skipped for
    /// `__GFP_NOFAIL`), the watermark check and the per-CPU or buddy free lists (draining the
    /// per-CPU lists and retrying before a failure); then, outside the zone lock,
    /// `__GFP_ZERO` clears the data and `kmsan_alloc_page` gives the block its metadata, so
    /// the origin's creation stack starts at `__alloc_frozen_pages_noprof`.
    ///
    /// A failure returns nil. Running out of memory prints a "page allocation failure"
    /// warning unless `__GFP_NOWARN`; with `__GFP_NOFAIL` it is a HARNESS `misuse` instead
    /// (the kernel would retry forever). An order above MAX_PAGE_ORDER warns once (unless
    /// `__GFP_NOWARN`) and fails.
    public func allocPages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> PageFrameNumber? {
        allocate(gfp, order: order, on: cpu)
    }

    /// `__get_free_pages(gfp, order)`: `alloc_pages` returning the block's direct-map
    /// address (`page_address`), or nil.
    public func getFreePages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.getFreePages) {
            allocate(gfp, order: order, on: cpu).map { runtime.addressSpace.directMapAddress(of: $0) }
        }
    }

    /// The frames free allocations of `gfp` must leave (`__zone_watermark_ok()` on the min
    /// watermark): `__GFP_HIGH` (ALLOC_MIN_RESERVE) may take half the reserve, and a quarter
    /// of the rest when it cannot sleep (ALLOC_NON_BLOCK, as `GFP_ATOMIC`). The last resort
    /// of `__GFP_NOFAIL` is ALLOC_MIN_RESERVE.
    public func minimumFreeFrames(for gfp: GFPFlags, noFailFallback: Bool = false) -> Int {
        var min = minWatermark
        if gfp.contains(.high) {
            min -= min / 2
            if !gfp.contains(.directReclaim) { min -= min / 4 }
        } else if noFailFallback {
            min -= min / 2
        }
        return min
    }

    /// `alloc_pages` under its entry frame, so HARNESS findings name the function outside it
    /// (and outside `__get_free_pages`, another entry frame, when that is the caller).
    func allocate(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> PageFrameNumber? {
        cpu.call(sites.allocPages) {
            cpu.call(sites.allocFrozenPages) {
                cpu.call(sites.allocPagesMpol) {
                    cpu.call(sites.allocFrozenPagesCore) { allocateInZone(gfp, order: order, on: cpu) }
                }
            }
        }
    }

    /// The body of `__alloc_frozen_pages_noprof`.
    private func allocateInZone(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> PageFrameNumber? {
        let noFail = gfp.contains(.noFail)
        guard order >= 0, order <= Self.maxOrder else {
            let warn = zone.withLock { z -> Bool in
                z.callsSinceInjection += 1
                defer { z.warnedAboutOrder = true }
                return !z.warnedAboutOrder
            }
            // WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp): quiet with __GFP_NOWARN.
            if warn, !gfp.contains(.noWarn) {
                cpu.setCurrentSite(sites.allocFrozenPagesOrderWarning)
                runtime.reportWarning(.allocOrderAboveMax, [
                    "\(cpu.current.comm): alloc_pages order \(order) outside 0...\(Self.maxOrder) (MAX_PAGE_ORDER), mode:\(Self.modeText(gfp))",
                ], on: cpu)
            }
            return nil
        }
        let compound = order > 0 && gfp.contains(.comp)
        let minimum = minimumFreeFrames(for: gfp)
        let fallback = minimumFreeFrames(for: gfp, noFailFallback: true)
        let outcome = zone.withLock { z -> AllocationOutcome in
            z.callsSinceInjection += 1
            if !noFail, z.injection.fails(call: z.callsSinceInjection, gfp: gfp) { return .injected }
            // The fast path; then, with the per-CPU lists drained (drain_all_pages()), once more.
            for _ in 0..<2 {
                if let pfn = z.take(order: order, compound: compound, minimumFree: minimum, cpu: cpu.id) {
                    return .allocated(pfn)
                }
                if noFail, let pfn = z.take(order: order, compound: compound, minimumFree: fallback, cpu: cpu.id) {
                    return .allocated(pfn)
                }
                guard z.drainPCP() else { break }
            }
            return .exhausted
        }
        switch outcome {
        case .allocated(let index):
            let pfn = PageFrameNumber(index)
            if gfp.contains(.zero) {
                // post_alloc_hook() → kernel_init_pages(): clear_page() is not instrumented.
                try? runtime.addressSpace.fillData(runtime.addressSpace.directMapAddress(of: pfn), byte: 0, count: PAGE_SIZE << order)
            }
            runtime.allocPage(pfn, order: order, gfp: gfp, on: cpu)
            return pfn
        case .injected:
            return nil
        case .exhausted:
            if noFail {
                runtime.reportHarnessFinding(
                    .misuse, "alloc_pages: __GFP_NOFAIL allocation of order \(order) (mode:\(Self.modeText(gfp))) cannot be satisfied: "
                        + "\(freeFrames) frames free, the kernel would retry forever", on: cpu)
            } else if !gfp.contains(.noWarn) {
                cpu.setCurrentSite(sites.allocFrozenPagesSlowpath)
                cpu.call(sites.allocPagesSlowpath) {
                    cpu.call(sites.warnAlloc) {
                        runtime.reportWarning(.pageAllocationFailure, [
                            "\(cpu.current.comm): page allocation failure: order:\(order), mode:\(Self.modeText(gfp))",
                        ], on: cpu)
                    }
                }
            }
            return nil
        }
    }

    /// `mode:%#x(%pGg)`: `0xcc0(GFP_KERNEL)`.
    static func modeText(_ gfp: GFPFlags) -> String {
        let hex = gfp.rawValue == 0 ? "0" : "0x" + String(gfp.rawValue, radix: 16)
        return "\(hex)(\(gfp))"
    }
}
