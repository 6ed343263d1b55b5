import HarnessCore
import KMSAN
import KernelMemory

/// Caches: `kmem_cache_create`, `kmem_cache_alloc` and `kmem_cache_destroy`.
extension SlubAllocator {
    /// `kmem_cache_create(name, size, align, flags, ctor)`: lays the cache out (see `SlabLayout`)
    /// and returns its `struct kmem_cache *`, a zeroed object of the `kmem_cache` cache.
    ///
    /// `SlabPlugin.ctorZero` in `flags` (a harness pseudo flag) asks for a constructor that
    /// zero-fills each object through the instrumented `memset`, when no `constructor` is given.
    /// A size of 0 or above `KMALLOC_MAX_SIZE`, or an alignment that is not a power of two, is a
    /// HARNESS `misuse` and returns nil; so does an empty name. Nil also when memory runs out.
    public func kmemCacheCreate(
        _ name: String, size: Int, align: Int, flags: SlabFlags, constructor: SlabConstructor?, on cpu: KernelCPU
    ) -> KernelAddress? {
        return cpu.call(sites.kmemCacheCreate) { () -> KernelAddress? in
            var flags = flags
            var constructor = constructor
            if flags.contains(SlabPlugin.ctorZero) {
                flags.remove(SlabPlugin.ctorZero)
                if constructor == nil { constructor = Self.zeroingConstructor(size: size, site: sites.slabCtorZero) }
            }
            guard !name.isEmpty,
                  let layout = SlabLayout(objectSize: size, align: align, flags: flags, hasConstructor: constructor != nil)
            else {
                finding(.misuse, "kmem_cache_create(\(name.isEmpty ? "(null)" : name)): integrity check failed (size \(size), align \(align))",
                        at: nil, on: cpu)
                return nil
            }
            // create_cache: the struct kmem_cache comes from kmem_cache_zalloc(kmem_cache, GFP_KERNEL).
            guard let address = cpu.call(sites.createCache, {
                cpu.call(sites.kmemCacheAlloc) { slabAllocNode(bootstrapCache, gfp: [.kernel, .zero], on: cpu) }
            }) else { return nil }
            _ = state.withLock { s in
                s.addCache(name: name, kind: .created(address), layout: layout, flags: flags, constructor: constructor)
            }
            return address
        }
    }

    /// The constructor `SlabPlugin.ctorZero` requests: `memset(object, 0, size)`, instrumented,
    /// under a frame `slab_ctor_zero`.
    static func zeroingConstructor(size: Int, site: CallSite) -> SlabConstructor {
        { object, runtime, cpu in
            cpu.call(site) { runtime.memset(object, 0, count: size, on: cpu) }
        }
    }

    /// `kmem_cache_alloc(cache, gfp)`: an object of `cache` (`kmsan_slab_alloc` poisons its
    /// `object_size` bytes unless the cache has a constructor or is `SLAB_TYPESAFE_BY_RCU`).
    /// A cache that does not exist (never created, or destroyed) is a HARNESS `misuse`; nil.
    public func kmemCacheAlloc(_ cache: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        return cpu.call(sites.kmemCacheAlloc) { () -> KernelAddress? in
            guard let target = state.withLock({ $0.createdCache(cache) }) else {
                finding(.misuse, "kmem_cache_alloc: \(cache) is not a live struct kmem_cache (never created, or destroyed)",
                        at: cache, on: cpu)
                return nil
            }
            return slabAllocNode(target, gfp: gfp, on: cpu)
        }
    }

    /// `kmem_cache_destroy(cache)`: NULL is ignored. A cache with live objects is left as it is
    /// and reported as a HARNESS `misuse` (mainline: "Objects remaining in ... on
    /// `__kmem_cache_shutdown()`" and a `WARN`; the objects stay valid and can still be freed,
    /// and a later leak check lists them). Otherwise its slabs go back to the page allocator and
    /// its `struct kmem_cache` is freed; later use of the pointer is a HARNESS `misuse`.
    public func kmemCacheDestroy(_ cache: KernelAddress, on cpu: KernelCPU) {
        guard !cache.isNull else { return }
        cpu.call(sites.kmemCacheDestroy) {
            enum Outcome { case unknown, busy(String, Int), destroyed([SlubState.Slab]) }
            let outcome: Outcome = state.withLock { s in
                guard let id = s.cacheIDs[cache], let target = s.caches[id] else { return .unknown }
                guard target.live == 0 else { return .busy(target.cache.name, target.live) }
                s.cacheIDs[cache] = nil
                s.removeCache(id)
                var slabs: [SlubState.Slab] = []
                for slot in s.slabCache.indices where s.slabCache[slot] == id { slabs.append(s.removeSlab(slot)) }
                slabs.sort { $0.head < $1.head }
                for slab in slabs {
                    s.retire(slab.head, order: slab.order, as: SlubState.RetiredOwner(
                        head: slab.head.index, slotSize: target.cache.layout.size, name: target.cache.name))
                }
                return .destroyed(slabs)
            }
            switch outcome {
            case .unknown:
                finding(.misuse, "kmem_cache_destroy: \(cache) is not a live struct kmem_cache (never created, or destroyed)",
                        at: cache, on: cpu)
            case .busy(let name, let live):
                finding(.misuse, "kmem_cache_destroy \(name): Slab cache still has objects (\(live) remaining on __kmem_cache_shutdown())",
                        at: cache, on: cpu)
            case .destroyed(let slabs):
                cpu.call(sites.shutdownCache) {
                    for slab in slabs { discardSlab(slab, on: cpu) }
                }
                cpu.setCurrentSite(sites.kmemCacheDestroyRelease)
                cpu.call(sites.kmemCacheRelease) {
                    cpu.call(sites.slabKmemCacheRelease) {
                        cpu.call(sites.kmemCacheFree) {
                            free(cache, expecting: nil, api: "kmem_cache_free", on: cpu)
                        }
                    }
                }
            }
        }
    }
}
