import HarnessCore
import KMSAN
import KernelMemory

/// Freeing: `kfree`, `kmem_cache_free`, `slab_free` and `free_large_kmalloc`, with misuse
/// caught before anything changes.
extension SlubAllocator {
    /// `kfree(p)`: NULL and `ZERO_SIZE_PTR` are ignored; a slab object (of any cache) goes back
    /// to its cache, a `kmalloc_large` block to the page allocator.
    public func kfree(_ pointer: KernelAddress, on cpu: KernelCPU) {
        guard pointer.raw > Self.zeroSizePointer.raw else { return }
        cpu.call(sites.kfree) { free(pointer, expecting: nil, api: "kfree", on: cpu) }
    }

    /// `kmem_cache_free(cache, object)`: the object must be the start of a live object of
    /// `cache`. NULL is ignored. An object of another cache is an invalid free and stays
    /// allocated (mainline's `cache_from_obj` warns "Wrong slab cache").
    public func kmemCacheFree(_ cache: KernelAddress, _ object: KernelAddress, on cpu: KernelCPU) {
        guard !object.isNull else { return }
        cpu.call(sites.kmemCacheFree) {
            guard let expected = state.withLock({ $0.createdCache(cache) }) else {
                finding(.misuse, "kmem_cache_free: \(cache) is not a live struct kmem_cache (never created, or destroyed)",
                        at: cache, on: cpu)
                return
            }
            free(object, expecting: expected, api: "kmem_cache_free", on: cpu)
        }
    }

    /// What a validated free does.
    enum FreePlan {
        /// Put object `index` of slab `slab` back into `cache`.
        case object(SlubCache, slab: Int, index: Int)
        /// Give a `kmalloc_large` block back to the page allocator.
        case large(head: PageFrameNumber, order: Int)
        /// Nothing: report this finding instead.
        case misuse(HarnessErrorKind, String)
    }

    /// Validates and performs a free; `expected` is the cache `kmem_cache_free` was given.
    func free(_ pointer: KernelAddress, expecting expected: SlubCache?, api: String, on cpu: KernelCPU) {
        switch plan(freeing: pointer, expecting: expected, api: api) {
        case .object(let cache, let slab, let index):
            slabFree(cache, slab: slab, index: index, object: pointer, on: cpu)
        case .large(let head, let order):
            cpu.setCurrentSite(sites.kfreeLarge)
            cpu.call(sites.freeLargeKmalloc) {
                runtime.kfreeLarge(pointer, blockSize: PAGE_SIZE << order, on: cpu)
                pages.setOwner(nil, ofBlockAt: head)
                cpu.setCurrentSite(sites.freeLargeKmallocPages)
                pages.freePages(head, order: order, on: cpu)
            }
        case .misuse(let kind, let message):
            finding(kind, message, at: pointer, on: cpu)
        }
    }

    /// Checks a free under the lock and, if it is valid, takes the object or block off the
    /// live set so that a second free of it is a double free. The `struct kmem_cache` of a live
    /// cache cannot be freed this way (`kmem_cache_destroy` forgets the cache before it frees it).
    func plan(freeing pointer: KernelAddress, expecting expected: SlubCache?, api: String) -> FreePlan {
        let space = runtime.addressSpace
        let pfn = space.directMapFrame(pointer)
        // Built only on the error paths: formatting it for every free would dominate kfree.
        func never() -> FreePlan { .misuse(.invalidFree, "\(api): \(pointer) was never returned by the slab allocator") }
        return state.withLock { s in
            switch s.lookup(pointer, pfn: pfn, space: space) {
            case .object(let cache, let slab, let index, let objectState):
                if let expected, expected !== cache {
                    return .misuse(.invalidFree, "\(api)(\(expected.name)): object \(pointer) belongs to cache \(cache.name) (wrong slab cache)")
                }
                guard objectState == .allocated else {
                    return .misuse(.doubleFree, "\(api): double free of object \(pointer) in cache \(cache.name)")
                }
                if cache.kind == .bootstrap, s.cacheIDs[pointer] != nil {
                    return .misuse(.invalidFree, "\(api): \(pointer) is a live struct kmem_cache; only kmem_cache_destroy frees it")
                }
                s.beginFree(cache: cache.id, slab: slab, index: index)
                return .object(cache, slab: slab, index: index)
            case .interior(let cache, let object):
                return .misuse(.invalidFree, "\(api): \(pointer) points \(pointer - object) bytes into object \(object) of cache \(cache.name)")
            case .large(let head, let order, _, let isStart):
                if let expected {
                    return .misuse(.invalidFree, "\(api)(\(expected.name)): \(pointer) is a kmalloc_large block, not an object of the cache")
                }
                guard isStart else {
                    return .misuse(.invalidFree, "\(api): \(pointer) is not the start of its kmalloc_large block \(space.directMapAddress(of: head))")
                }
                s.endLarge(head, order: order)
                return .large(head: head, order: order)
            case .retired(let old, let atObject):
                guard atObject, pages.allocationOrder(of: PageFrameNumber(old.head)) == nil else { return never() }
                return .misuse(.doubleFree, "\(api): double free of \(pointer) (\(old.name)); its pages are already free")
            case .unknown:
                return never()
            }
        }
    }

    /// `slab_free`: `slab_free_hook` (`kmsan_slab_free` poisons `object_size` bytes with the
    /// use-after-free bit), the `SLAB_POISON` patterns, then `do_slab_free` stores the free
    /// pointer (an initialized word, so those 8 bytes read as initialized again) and puts the
    /// object at the head of its slab's free list.
    func slabFree(_ cache: SlubCache, slab: Int, index: Int, object: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.slabFree) {
            cpu.call(sites.slabFreeHook) { runtime.slabFree(cache.descriptor, object: object, on: cpu) }
            if cache.poisonsObjects { fillFreePoison(object, of: cache) }
            cpu.setCurrentSite(sites.slabFreeDo)
            let discard = cpu.call(sites.doSlabFree) { () -> SlubState.Slab? in
                state.withLock { s in
                    let (next, discard) = s.putObject(cache: cache.id, slot: slab, index: index, size: cache.layout.size, minPartial: Self.minPartial)
                    // Under the lock: nobody may take the object before its free pointer is written.
                    runtime.store(.pointer(next), to: object + cache.layout.freePointerOffset, on: cpu)
                    return discard
                }
            }
            if let discard { discardSlab(discard, on: cpu) }
        }
    }
}
