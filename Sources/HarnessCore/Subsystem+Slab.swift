import KMSAN
import KernelMemory

/// A slab constructor (`ctor` of `kmem_cache_create`): initializes a new object in place.
public typealias SlabConstructor = @Sendable (_ object: KernelAddress, _ runtime: KMSANRuntime, _ cpu: KernelCPU) -> Void

/// The slab allocator: object caches and kmalloc on top of a page allocator.
///
/// Caches are named by their `struct kmem_cache *` (an address). An implementation calls
/// `kmsan_slab_alloc`/`kmsan_slab_free` (and `kmsan_kmalloc_large`/`kmsan_kfree_large` for
/// page-backed kmalloc) exactly where mm/slub.c does.
public protocol SlabSubsystem: Subsystem {
    /// `kmem_cache_create(name, size, align, flags, ctor)`: the cache, or nil on failure.
    func kmemCacheCreate(
        _ name: String, size: Int, align: Int, flags: SlabFlags, constructor: SlabConstructor?, on cpu: KernelCPU
    ) -> KernelAddress?
    /// `kmem_cache_alloc(cache, gfp)`.
    func kmemCacheAlloc(_ cache: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `kmem_cache_free(cache, object)`.
    func kmemCacheFree(_ cache: KernelAddress, _ object: KernelAddress, on cpu: KernelCPU)
    /// `kmem_cache_destroy(cache)`.
    func kmemCacheDestroy(_ cache: KernelAddress, on cpu: KernelCPU)
    /// `kmalloc(size, gfp)`.
    func kmalloc(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `krealloc(p, size, gfp)`: bytes kept keep their metadata.
    func krealloc(_ pointer: KernelAddress, size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `kfree(p)`.
    func kfree(_ pointer: KernelAddress, on cpu: KernelCPU)
    /// `ksize(p)`: the usable size of the allocation `p` points into, as `__ksize` gives it in a
    /// KMSAN kernel (no KASAN check first, so freed and interior pointers of a slab object give
    /// its cache's size too); 0 for NULL, `ZERO_SIZE_PTR` and memory the allocator does not own.
    func ksize(_ pointer: KernelAddress, on cpu: KernelCPU) -> Int
}

extension SlabSubsystem {
    /// `kzalloc(size, gfp)`: `kmalloc` with `__GFP_ZERO`.
    public func kzalloc(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        kmalloc(size, gfp: gfp.union(.zero), on: cpu)
    }
}
