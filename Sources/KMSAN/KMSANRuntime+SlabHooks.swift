import KernelMemory

/// What KMSAN needs to know about a slab cache (`struct kmem_cache`).
public struct SlabCacheDescriptor: Sendable, Hashable {
    /// `object_size`: the bytes the caller asked for (not the padded slot size).
    public var objectSize: Int
    /// Whether the cache has a constructor (`s->ctor`).
    public var hasConstructor: Bool
    /// The cache's flags.
    public var flags: SlabFlags

    /// Creates a descriptor.
    public init(objectSize: Int, hasConstructor: Bool = false, flags: SlabFlags = []) {
        self.objectSize = objectSize
        self.hasConstructor = hasConstructor
        self.flags = flags
    }

    /// Caches whose objects KMSAN leaves alone: constructor caches (objects keep their
    /// constructed state across free and reuse) and SLAB_TYPESAFE_BY_RCU caches (freed
    /// objects may still be read by RCU readers).
    var isExempt: Bool { hasConstructor || flags.contains(.typesafeByRCU) }
}

/// Hooks of the slab allocator (mm/kmsan/hooks.c), called by slab plugins.
extension KMSANRuntime {
    /// `kmsan_slab_alloc(cache, object, flags)`: exempt caches: nothing; `__GFP_ZERO`:
    /// unpoison `objectSize` bytes; otherwise poison them with an allocation origin.
    public func slabAlloc(_ cache: SlabCacheDescriptor, object: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) {
        guard !object.isNull, !cache.isExempt else { return }
        hook(cpu, hookSites.slabAlloc) {
            if gfp.contains(.zero) {
                unpoison(object, size: cache.objectSize, checked: true, on: cpu)
            } else {
                poison(object, size: cache.objectSize, flags: [.check], on: cpu)
            }
        }
    }

    /// `kmsan_slab_free(cache, object)`: exempt caches: nothing; otherwise poison
    /// `objectSize` bytes with a use-after-free origin.
    public func slabFree(_ cache: SlabCacheDescriptor, object: KernelAddress, on cpu: KernelCPU) {
        guard !object.isNull, !cache.isExempt else { return }
        hook(cpu, hookSites.slabFree) { poison(object, size: cache.objectSize, flags: [.check, .free], on: cpu) }
    }

    /// `kmsan_kmalloc_large(ptr, size, flags)`: page-backed kmalloc, as `slabAlloc`.
    public func kmallocLarge(_ address: KernelAddress, size: Int, gfp: GFPFlags, on cpu: KernelCPU) {
        guard !address.isNull else { return }
        hook(cpu, hookSites.kmallocLarge) {
            if gfp.contains(.zero) {
                unpoison(address, size: size, checked: true, on: cpu)
            } else {
                poison(address, size: size, flags: [.check], on: cpu)
            }
        }
    }

    /// `kmsan_kfree_large(ptr)`: poisons the whole page block (`blockSize` =
    /// `page_size(virt_to_head_page(ptr))`) with a use-after-free origin.
    public func kfreeLarge(_ address: KernelAddress, blockSize: Int, on cpu: KernelCPU) {
        hook(cpu, hookSites.kfreeLarge) {
            warnOn(address.pageOffset != 0, "kmsan_kfree_large: \(address) is not the start of its page block", on: cpu)
            poison(address, size: blockSize, flags: [.check, .free], on: cpu)
        }
    }
}
