import HarnessCore
import KMSAN
import KernelMemory

/// kmalloc: size classes, `kmalloc_large`, `krealloc` and `ksize`.
extension SlubAllocator {
    /// `kmalloc(size, gfp)`: up to 8 KiB an object of the smallest size class that fits
    /// (`kmsan_slab_alloc` poisons the class's whole `object_size`); above, a `kmalloc_large`
    /// block of `get_order(size)` pages. 0 bytes: `ZERO_SIZE_PTR`. Nil when memory runs out.
    public func kmalloc(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.kmalloc) {
            if size > Self.kmallocMaxCacheSize || size < 0 {
                cpu.setCurrentSite(sites.kmallocToLarge)
                return cpu.call(sites.kmallocLarge) { kmallocLargeNode(size, gfp: gfp, on: cpu) }
            }
            return cpu.call(sites.kmallocCache) { kmallocSmall(size, gfp: gfp, on: cpu) }
        }
    }

    /// `__do_kmalloc_node`, the path of `kmalloc_node_track_caller` (`krealloc` takes it):
    /// above 8 KiB through `__kmalloc_large_node_noprof`.
    func doKmallocNode(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.kmallocTrackCaller) {
            if size > Self.kmallocMaxCacheSize || size < 0 {
                return cpu.call(sites.doKmallocNodeLarge) {
                    cpu.call(sites.kmallocLargeNodeEntry) { kmallocLargeNode(size, gfp: gfp, on: cpu) }
                }
            }
            return cpu.call(sites.doKmallocNode) { kmallocSmall(size, gfp: gfp, on: cpu) }
        }
    }

    /// An object of the size class of `size` (at most 8 KiB), or `ZERO_SIZE_PTR` for 0.
    func kmallocSmall(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        guard size > 0 else { return Self.zeroSizePointer }
        return slabAllocNode(kmallocCaches[Self.kmallocIndex(size)], gfp: gfp, on: cpu)
    }

    /// `kmalloc_index`: the index in `kmallocSizes` of the smallest class holding `size` bytes
    /// (1...8192), without a search: a table up to 192 bytes, powers of two above.
    @inline(__always)
    static func kmallocIndex(_ size: Int) -> Int {
        if size <= 192 { return smallClassIndex[(size - 1) >> 3] }
        // 256 ... 8192: index 7 is 256.
        let log2 = Int.bitWidth - (size - 1).leadingZeroBitCount
        return log2 - 1
    }

    /// `kmallocIndex` for sizes 1...192, by `(size - 1) / 8`.
    static let smallClassIndex: [Int] = (0..<24).map { i in kmallocSizes.firstIndex { $0 >= i * 8 + 1 }! }

    /// `___kmalloc_large_node`: a compound block of `get_order(size)` pages (with `__GFP_ZERO`
    /// if asked), then `kmsan_kmalloc_large` poisons (or unpoisons) the `size` bytes asked for.
    func kmallocLargeNode(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.kmallocLargeNode) { () -> KernelAddress? in
            // No size check of slub's own: above KMALLOC_MAX_SIZE the order exceeds MAX_PAGE_ORDER
            // and the page allocator's WARN_ON_ONCE_GFP fails it (whatever __GFP_NOFAIL says).
            guard size > 0 else { return nil }
            let order = getOrder(size)
            guard let head = pages.allocPages(gfp.union(.comp), order: order, on: cpu) else { return nil }
            pages.setOwner("kmalloc_large", ofBlockAt: head)
            state.withLock { $0.own(head, order: order, as: .large(head: head.index, order: order, size: size)) }
            let address = runtime.addressSpace.directMapAddress(of: head)
            runtime.kmallocLarge(address, size: size, gfp: gfp, on: cpu)
            return address
        }
    }

    /// What a live allocation is, for `krealloc`.
    enum LiveAllocation {
        /// A live allocation with `ksize` usable bytes.
        case live(usable: Int)
        /// Something that was freed.
        case freed
        /// Something the allocator never returned, or a pointer into the middle of it.
        case invalid
    }

    /// Classifies `pointer`.
    func liveAllocation(_ pointer: KernelAddress) -> LiveAllocation {
        let pfn = runtime.addressSpace.directMapFrame(pointer)
        return state.withLock { s in
            switch s.lookup(pointer, pfn: pfn, space: runtime.addressSpace) {
            case .object(let cache, _, _, let objectState):
                return objectState == .allocated ? .live(usable: cache.usableSize) : .freed
            case .large(_, let order, _, let isStart):
                return isStart ? .live(usable: PAGE_SIZE << order) : .invalid
            case .retired(_, let atObject):
                return atObject ? .freed : .invalid
            case .interior, .unknown:
                return .invalid
            }
        }
    }

    /// `ksize(p)` (mm/slab_common.c): 0 for NULL and `ZERO_SIZE_PTR`; otherwise `__ksize`, as a
    /// KMSAN kernel runs it. KMSAN excludes KASAN (lib/Kconfig.kmsan: `depends on !KASAN`), so
    /// `kasan_check_byte` is the stub that returns true and no pointer is refused first: any
    /// pointer into a slab page, to a live object, a freed one or the middle of one, gives
    /// `slab_ksize` of its cache. A `kmalloc_large` block gives its folio size from its first
    /// byte and 0 from inside (the kernel WARNs there); memory the slab allocator does not own
    /// gives 0.
    public func ksize(_ pointer: KernelAddress, on cpu: KernelCPU) -> Int {
        guard pointer.raw > Self.zeroSizePointer.raw else { return 0 }
        let pfn = runtime.addressSpace.directMapFrame(pointer)
        return state.withLock { s in
            switch s.lookup(pointer, pfn: pfn, space: runtime.addressSpace) {
            case .object(let cache, _, _, _), .interior(let cache, _): cache.usableSize
            case .large(_, let order, _, let isStart): isStart ? PAGE_SIZE << order : 0
            case .retired, .unknown: 0
            }
        }
    }

    /// `krealloc(p, size, gfp)`:
    /// - size 0: `kfree(p)`, returns `ZERO_SIZE_PTR`;
    /// - NULL or `ZERO_SIZE_PTR`: `kmalloc(size)`;
    /// - `size <= ksize(p)`: the same object (with `__GFP_ZERO`, the bytes from `size` to
    ///   `ksize` are zeroed by an instrumented `memset`);
    /// - else a new allocation, an instrumented `memcpy` of `ksize(p)` bytes (the kept bytes keep
    ///   their shadow and origins), and `kfree(p)`. On failure p is untouched and nil returned.
    ///
    /// A freed p is a HARNESS `double-free`, a foreign or interior one an `invalid-free`; both
    /// return nil and change nothing.
    public func krealloc(_ pointer: KernelAddress, size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        return cpu.call(sites.krealloc) { () -> KernelAddress? in
            if size == 0 {
                kfree(pointer, on: cpu)
                return Self.zeroSizePointer
            }
            let old = pointer.raw > Self.zeroSizePointer.raw ? pointer : nil
            var kept = 0
            if let old {
                switch liveAllocation(old) {
                case .live(let usable): kept = usable
                case .freed:
                    finding(.doubleFree, "krealloc: \(old) was already freed", at: old, on: cpu)
                    return nil
                case .invalid:
                    finding(.invalidFree, "krealloc: \(old) was never returned by the slab allocator", at: old, on: cpu)
                    return nil
                }
            }
            let result = cpu.call(sites.doKrealloc) { () -> KernelAddress? in
                if let old, kept >= size {
                    cpu.setCurrentSite(sites.doKreallocZero)
                    if gfp.contains(.zero), kept > size { runtime.memset(old + size, 0, count: kept - size, on: cpu) }
                    return old
                }
                guard let new = doKmallocNode(size, gfp: gfp, on: cpu) else { return nil }
                cpu.setCurrentSite(sites.doKreallocCopy)
                if let old { runtime.memcpy(new, old, count: kept, on: cpu) }
                return new
            }
            if let old, let result, result != old { kfree(old, on: cpu) }
            return result
        }
    }
}
