import HarnessCore
import KMSAN
import KernelMemory

/// The shadow invariants: every live (or lazily freed, not yet purged) area's shadow pages are
/// installed, so no shadow page was released while an area's range maps onto it; and with the
/// merged release behaviour no shadow page outlives every area it served (the area behaviour
/// keeps partial edge pages by design, so it is not held to that).
extension VmallocAllocator: InvariantChecking {
    /// What is broken, one line each (empty when all holds).
    public func invariantViolations() -> [String] {
        guard options.kasan else { return [] }
        return state.withLock { s -> [String] in
            var out: [String] = []
            var needed = Set<UInt64>()
            for area in s.busy.values.sorted(by: { $0.start < $1.start }) + s.lazy {
                for page in (area.start / Self.memoryPerShadowPage)...((area.end - 1) / Self.memoryPerShadowPage) {
                    needed.insert(page)
                    if s.shadow[page] == nil {
                        out.append("area at \(address(area.start)) maps onto shadow page \(page), which is not installed")
                    }
                }
            }
            if options.release == .mergedFreeRegion {
                for page in s.shadow.keys.sorted() where !needed.contains(page) {
                    out.append("shadow page \(page) is installed with no area needing it (merged release should have freed it)")
                }
            }
            return out
        }
    }

    /// In debug builds, after every operation: a broken invariant is a `WARNING: plugin-invariant`
    /// (once per boot, as WARN_ON_ONCE), never a crash.
    func checkInvariants(on cpu: KernelCPU) {
        #if DEBUG
        let broken = invariantViolations()
        guard !broken.isEmpty, state.withLock({ s in defer { s.warnedInvariant = true }; return !s.warnedInvariant }) else {
            return
        }
        cpu.call(sites.invariant) { runtime.reportWarning(.pluginInvariant, ["vmalloc: " + broken[0]], on: cpu) }
        #endif
    }
}
