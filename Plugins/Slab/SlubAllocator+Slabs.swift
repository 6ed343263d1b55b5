import HarnessCore
import KMSAN
import KernelMemory

/// Slabs: getting pages for a cache (`allocate_slab`) and giving them back (`discard_slab`).
extension SlubAllocator {
    /// `allocate_slab`: pages of the cache's order (or, if that fails, of the smallest order that
    /// holds one object), then every object set up (`SLAB_POISON` patterns, the constructor) and
    /// the free list threaded through the objects' free pointers. Nil if the page allocator fails.
    ///
    /// As in mainline the first try is `__GFP_NOWARN` without `__GFP_NOFAIL` and the fallback
    /// uses the caller's flags. When the cache's order already is the smallest, mainline asks
    /// twice for the same order; here that is one request with the caller's flags (so "fail the
    /// next allocation" injection fails the slab, and real exhaustion still warns once).
    ///
    /// The pages come without `__GFP_ZERO` (`new_slab` keeps only the reclaim and constraint
    /// bits), so `kmsan_alloc_page` poisons them; each free pointer store then makes its 8
    /// bytes initialized, as the instrumented `set_freepointer` does.
    ///
    /// `new_slab` first warns once per boot if the cache has a constructor and the caller
    /// passed `__GFP_ZERO` (`WARN_ON_ONCE(s->ctor && (flags & __GFP_ZERO))`), then goes on.
    func newSlab(for cache: SlubCache, gfp: GFPFlags, on cpu: KernelCPU) -> SlubState.Slab? {
        if cache.constructor != nil, gfp.contains(.zero),
           state.withLock({ s in defer { s.warnedConstructorWithZero = true }; return !s.warnedConstructorWithZero }) {
            cpu.call(sites.newSlabWarnConstructorZero) {
                runtime.reportWarning(.constructorWithGFPZero, [
                    "kmem_cache_alloc: __GFP_ZERO on cache \(cache.name), which has a constructor",
                ], on: cpu)
            }
        }
        return cpu.call(sites.newSlab) {
            cpu.call(sites.allocateSlab) { () -> SlubState.Slab? in
                let layout = cache.layout
                let pageGFP = gfp.subtracting(.zero).union(.comp)
                var order = layout.order
                var head: PageFrameNumber?
                if layout.minOrder < order {
                    // The preferred order may fail quietly: the smallest order is the fallback.
                    head = pages.allocPages(pageGFP.union(.noWarn).subtracting(.noFail), order: order, on: cpu)
                    if head == nil { order = layout.minOrder }
                }
                if head == nil { head = pages.allocPages(pageGFP, order: order, on: cpu) }
                guard let head else { return nil }
                pages.setOwner("slab \(cache.name)", ofBlockAt: head)
                let base = runtime.addressSpace.directMapAddress(of: head)
                let count = (PAGE_SIZE << order) / layout.size
                cpu.setCurrentSite(sites.allocateSlabSetup)
                if cache.poisonsObjects {
                    // setup_slab_debug: memset_no_sanitize_memory(start, POISON_INUSE, ...).
                    try? runtime.addressSpace.fillData(base, byte: SlabPoison.inUse, count: PAGE_SIZE << order)
                }
                for i in 0..<count {
                    let object = base + i * layout.size
                    setupObject(object, of: cache, on: cpu)
                    let next = i + 1 < count ? base + (i + 1) * layout.size : .null
                    runtime.store(.pointer(next), to: object + layout.freePointerOffset, on: cpu)
                }
                return SlubState.Slab(
                    head: head, order: order, base: base, objects: Array(repeating: .free, count: count),
                    freelist: Array((0..<count).reversed()))
            }
        }
    }

    /// `setup_object`: a `SLAB_POISON` cache's object gets the free patterns; a constructor runs
    /// once per object, when its slab is created, never on reuse.
    func setupObject(_ object: KernelAddress, of cache: SlubCache, on cpu: KernelCPU) {
        if cache.poisonsObjects { fillFreePoison(object, of: cache) }
        if let constructor = cache.constructor {
            cpu.call(sites.setupObject) { constructor(object, runtime, cpu) }
        }
    }

    /// `init_object` of a `__OBJECT_POISON` cache: `POISON_FREE` bytes ending in `POISON_END`,
    /// written without touching KMSAN metadata (`memset_no_sanitize_memory`).
    func fillFreePoison(_ object: KernelAddress, of cache: SlubCache) {
        let n = cache.layout.objectSize
        try? runtime.addressSpace.fillData(object, byte: SlabPoison.free, count: n - 1)
        try? runtime.addressSpace.fillData(object + (n - 1), byte: SlabPoison.end, count: 1)
    }

    /// `discard_slab`: the slab's pages go back to the page allocator (whose `kmsan_free_page`
    /// poisons them with the use-after-free bit).
    func discardSlab(_ slab: SlubState.Slab, on cpu: KernelCPU) {
        cpu.call(sites.discardSlab) {
            cpu.call(sites.freeSlab) {
                cpu.call(sites.freeSlabPages) {
                    pages.setOwner(nil, ofBlockAt: slab.head)
                    pages.freePages(slab.head, order: slab.order, on: cpu)
                }
            }
        }
    }

    /// `slab_alloc_node`: an object off the free lists (a new slab if there is none), then
    /// `slab_post_alloc_hook`: zeroed for `__GFP_ZERO` (an instrumented `memset`, as in
    /// mm/slub.c) and `kmsan_slab_alloc`. Nil if the cache is gone or no slab could be had.
    func slabAllocNode(_ cache: SlubCache, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.slabAllocNode) { () -> KernelAddress? in
            var object: KernelAddress?
            switch state.withLock({ $0.takeObject(from: cache.id, size: cache.layout.size) }) {
            case .object(let o): object = o
            case .gone: return nil
            case .empty:
                object = cpu.call(sites.slabAllocSlowNode) {
                    cpu.call(sites.slabAlloc) {
                        cpu.call(sites.slowPath) { () -> KernelAddress? in
                            guard let slab = newSlab(for: cache, gfp: gfp, on: cpu) else { return nil }
                            if let o = state.withLock({ $0.install(slab, in: cache.id) }) { return o }
                            discardSlab(slab, on: cpu)
                            return nil
                        }
                    }
                }
            }
            guard let object else { return nil }
            // alloc_debug_processing → init_object(SLUB_RED_ACTIVE) rewrites the poison patterns.
            if cache.poisonsObjects { fillFreePoison(object, of: cache) }
            cpu.setCurrentSite(sites.slabAllocNodeHook)
            cpu.call(sites.slabPostAllocHook) {
                if gfp.contains(.zero) { runtime.memset(object, 0, count: cache.layout.objectSize, on: cpu) }
                runtime.slabAlloc(cache.descriptor, object: object, gfp: gfp, on: cpu)
            }
            return object
        }
    }
}
