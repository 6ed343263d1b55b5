import HarnessCore
import KMSAN
import KernelMemory

/// vfree, vunmap, iounmap and the lazy purge.
extension VmallocAllocator {
    /// `vfree(addr)`: the pages go back to the page allocator at once (`kmsan_free_page`
    /// poisons their linear alias), the range is poisoned in KASAN's shadow and freed lazily.
    public func vfree(_ address: KernelAddress, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        cpu.call(sites.vfree) { release(address, expecting: .vmalloc, api: "vfree", on: cpu) }
    }

    /// `vunmap(addr)`: the alias goes; the pages stay the caller's.
    public func vunmap(_ address: KernelAddress, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        cpu.call(sites.vunmap) { release(address, expecting: .vmap, api: "vunmap", on: cpu) }
    }

    /// `iounmap(addr)`: the mapping and its metadata (the pages standing in for it) go.
    public func iounmap(_ address: KernelAddress, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        cpu.call(sites.iounmap) {
            // iounmap takes the address ioremap returned, which keeps the offset in its page.
            release(KernelAddress(address.raw & ~UInt64(PAGE_SIZE - 1)), expecting: .ioremap, api: "iounmap", on: cpu)
        }
    }

    /// `vm_unmap_aliases()`.
    public func vmUnmapAliases(on cpu: KernelCPU) {
        cpu.call(sites.vmUnmapAliases) { purge(on: cpu) }
    }

    /// Takes the area starting at `address` off the busy set if it is one of `kind`; a
    /// HARNESS finding otherwise (nothing changes).
    func release(_ address: KernelAddress, expecting kind: VmallocState.Kind, api: String, on cpu: KernelCPU) {
        guard let start = offset(address) else {
            finding(.invalidFree, "\(api): \(address) is not a vmalloc-space address", at: address, on: cpu)
            return
        }
        enum Outcome { case area(VmallocState.Area), misuse(HarnessErrorKind, String) }
        let outcome = state.withLock { s -> Outcome in
            guard let area = s.busy[start] else {
                if s.lazy.contains(where: { $0.start == start }) {
                    return .misuse(.doubleFree, "\(api): double free of \(address)")
                }
                if let inside = s.area(containing: start) {
                    return .misuse(.invalidFree, "\(api): \(address) points \(start - inside.start) bytes into the area at "
                                   + "\(self.address(inside.start))")
                }
                return .misuse(.invalidFree, "\(api): \(address) is not an area vmalloc, vmap or ioremap returned")
            }
            guard area.kind == kind else {
                return .misuse(.misuse, "\(api): \(address) is a \(area.kind) area, not a \(kind) one")
            }
            s.busy[start] = nil
            return .area(area)
        }
        switch outcome {
        case .misuse(let k, let message):
            finding(k, message, at: address, on: cpu)
        case .area(let area):
            cpu.call(sites.removeVMArea) {
                for i in 0..<area.frames.count {
                    _ = runtime.addressSpace.vmallocPages.unmap(self.address(area.start + UInt64(i * PAGE_SIZE)))
                }
                kasanPoison(area.start, size: area.mappedBytes)
            }
            if area.kind != .vmap {
                for f in area.frames {
                    pages.setOwner(nil, ofBlockAt: PageFrameNumber(f))
                    pages.freePages(PageFrameNumber(f), order: 0, on: cpu)
                }
            }
            let due = state.withLock { s -> Bool in
                s.lazy.append(area)
                s.lazyPages += Int((area.end - area.start) / UInt64(PAGE_SIZE))
                return s.lazyPages > Self.lazyMaxPages
            }
            if due { purge(on: cpu) }
            checkInvariants(on: cpu)
        }
    }

    /// `__purge_vmap_area_lazy`: each lazily freed range goes back to the free list, merged
    /// with its free neighbours, and KASAN releases the shadow pages it no longer needs: with
    /// the merged free region as bounds (Linux 5.5-6.8) or the area itself (6.9+).
    func purge(on cpu: KernelCPU) {
        cpu.call(sites.purge) {
            let released = state.withLock { s -> [Int] in
                var frames: [Int] = []
                for area in s.lazy {
                    let merged = s.addFree(area.start..<area.end)
                    let bounds = options.release == .mergedFreeRegion ? merged : area.start..<area.end
                    frames += Self.releaseShadow(area.start..<area.end, freeRegion: bounds, in: &s)
                }
                s.lazy.removeAll()
                s.lazyPages = 0
                return frames
            }
            cpu.call(sites.release) {
                for f in released { pages.freePages(PageFrameNumber(f), order: 0, on: cpu) }
            }
        }
    }
}
