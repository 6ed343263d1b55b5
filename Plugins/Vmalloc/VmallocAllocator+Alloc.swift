import HarnessCore
import KMSAN
import KernelMemory

/// vmalloc, vmap and ioremap: reserving a range, populating its KASAN shadow, mapping pages.
extension VmallocAllocator {
    /// `vmalloc(size)`.
    public func vmalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.vmalloc) { vmallocNode(size, gfp: .kernel, on: cpu) }
    }

    /// `vzalloc(size)`.
    public func vzalloc(_ size: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.vzalloc) { vmallocNode(size, gfp: [.kernel, .zero], on: cpu) }
    }

    /// `__vmalloc(size, gfp)`.
    public func vmalloc(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.vmallocFlags) { vmallocNode(size, gfp: gfp, on: cpu) }
    }

    /// `__vmalloc_node_range`: the range (with its guard page and populated shadow), the pages
    /// (`kmsan_alloc_page` poisons them unless `__GFP_ZERO`), the mapping (the vmalloc alias
    /// shares the pages' metadata, `kmsan_vmap_pages_range_noflush`), then KASAN unpoisons the
    /// exact size asked for.
    func vmallocNode(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        guard size > 0, size <= Self.maxSize else { return nil }
        let caller = cpu.current.frames.dropLast().last ?? 0
        return cpu.call(sites.vmallocNode) {
            cpu.call(sites.vmallocNodeRange) { () -> KernelAddress? in
                let count = (size + PAGE_SIZE - 1) / PAGE_SIZE
                guard let range = reserve(pages: count, on: cpu) else { return nil }
                let frames = cpu.call(sites.vmallocAreaNode) {
                    cpu.call(sites.allocPages) { allocateFrames(count, gfp: gfp.subtracting(.comp), on: cpu) }
                }
                guard let frames else {
                    state.withLock { _ = $0.addFree(range) }
                    return nil
                }
                map(frames, at: range.lowerBound)
                kasanUnpoison(range.lowerBound, size: size)
                state.withLock { s in
                    s.busy[range.lowerBound] = VmallocState.Area(
                        start: range.lowerBound, end: range.upperBound, requested: size, kind: .vmalloc, frames: frames,
                        caller: caller)
                }
                checkInvariants(on: cpu)
                return address(range.lowerBound)
            }
        }
    }

    /// `vmap(pages, count, ...)`.
    public func vmap(_ handles: [KernelAddress], on cpu: KernelCPU) -> KernelAddress? {
        let caller = cpu.current.frames.last ?? 0
        return cpu.call(sites.vmap) { () -> KernelAddress? in
            guard !handles.isEmpty else { return nil }
            var frames: [Int] = []
            for handle in handles {
                guard let pfn = runtime.addressSpace.frame(ofPageHandle: handle) else {
                    finding(.badAccess, "vmap: \(handle) is not a struct page pointer of this machine", at: handle, on: cpu)
                    return nil
                }
                frames.append(pfn.index)
            }
            guard let range = reserve(pages: frames.count, on: cpu) else { return nil }
            map(frames, at: range.lowerBound)
            // __get_vm_area_node unpoisons the requested size: whole pages for vmap.
            kasanUnpoison(range.lowerBound, size: frames.count * PAGE_SIZE)
            state.withLock { s in
                s.busy[range.lowerBound] = VmallocState.Area(
                    start: range.lowerBound, end: range.upperBound, requested: frames.count * PAGE_SIZE, kind: .vmap,
                    frames: frames, caller: caller)
            }
            checkInvariants(on: cpu)
            return address(range.lowerBound)
        }
    }

    /// `ioremap(phys, size)`: `phys` must lie outside RAM. The device memory is stood in for by
    /// zeroed pages of the page allocator, so its metadata is fresh and initialized
    /// (`kmsan_ioremap_page_range`); the address keeps `phys`'s offset in its page.
    public func ioremap(_ physical: UInt64, size: Int, on cpu: KernelCPU) -> KernelAddress? {
        let caller = cpu.current.frames.last ?? 0
        return cpu.call(sites.ioremap) { () -> KernelAddress? in
            guard size > 0, size <= Self.maxSize else { return nil }
            guard physical >= UInt64(runtime.memory.size), physical <= UInt64.max - UInt64(size) else {
                finding(.misuse, "ioremap: physical range 0x\(String(physical, radix: 16)) of \(size) bytes is RAM "
                        + "(or wraps); ioremap maps device memory outside RAM", at: KernelAddress(physical), on: cpu)
                return nil
            }
            let inPage = Int(physical % UInt64(PAGE_SIZE))
            let count = (inPage + size + PAGE_SIZE - 1) / PAGE_SIZE
            guard let range = reserve(pages: count, on: cpu) else { return nil }
            let frames = cpu.call(sites.ioremapPageRange) { allocateFrames(count, gfp: [.kernel, .zero], on: cpu) }
            guard let frames else {
                state.withLock { _ = $0.addFree(range) }
                return nil
            }
            map(frames, at: range.lowerBound)
            kasanUnpoison(range.lowerBound, size: count * PAGE_SIZE)
            state.withLock { s in
                s.busy[range.lowerBound] = VmallocState.Area(
                    start: range.lowerBound, end: range.upperBound, requested: count * PAGE_SIZE, kind: .ioremap,
                    frames: frames, caller: caller)
            }
            checkInvariants(on: cpu)
            return address(range.lowerBound) + inPage
        }
    }

    /// `vmalloc_to_page(addr)`.
    public func vmallocToPage(_ address: KernelAddress, on cpu: KernelCPU) -> KernelAddress {
        cpu.call(sites.vmallocToPage) {
            guard offset(address) != nil, let t = runtime.addressSpace.translate(address) else { return .null }
            return runtime.addressSpace.pageHandle(of: t.frame)
        }
    }

    /// `alloc_vmap_area`: `count` pages plus the guard page, and their KASAN shadow populated.
    func reserve(pages count: Int, on cpu: KernelCPU) -> Range<UInt64>? {
        let bytes = UInt64(count + 1) * UInt64(PAGE_SIZE)
        var range = state.withLock { $0.allocateRange(bytes) }
        if range == nil {
            // Out of address space: purge the lazily freed areas and try once more.
            purge(on: cpu)
            range = state.withLock { $0.allocateRange(bytes) }
        }
        guard let range else { return nil }
        cpu.call(sites.populate) { kasanPopulate(range, on: cpu) }
        return range
    }

    /// `count` order-0 pages, or nil (with every page taken so far given back).
    func allocateFrames(_ count: Int, gfp: GFPFlags, on cpu: KernelCPU) -> [Int]? {
        var frames: [Int] = []
        frames.reserveCapacity(count)
        for _ in 0..<count {
            guard let pfn = pages.allocPages(gfp, order: 0, on: cpu) else {
                for f in frames { pages.freePages(PageFrameNumber(f), order: 0, on: cpu) }
                return nil
            }
            pages.setOwner("vmalloc", ofBlockAt: pfn)
            frames.append(pfn.index)
        }
        return frames
    }

    /// Maps `frames` from region offset `start`, each with its own metadata.
    func map(_ frames: [Int], at start: UInt64) {
        for (i, f) in frames.enumerated() {
            runtime.addressSpace.vmallocPages.map(
                address(start + UInt64(i * PAGE_SIZE)), to: PageMapping(frame: PageFrameNumber(f), metadata: .frame))
        }
    }
}
