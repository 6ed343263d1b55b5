import KMSAN

/// The frames the slab allocator pushes, named after mainline's call path (Linux 6.12,
/// `_noprof` variants) and interned once per machine. The API's entry points (`kmalloc`,
/// `kmem_cache_alloc_noprof`, `kfree`, `kmem_cache_free`, cache creation and destruction,
/// `krealloc_noprof`, `ksize`) are `.subsystemEntry` frames: a HARNESS finding names their caller.
///
/// `kmalloc`, `kzalloc` and `kmem_cache_zalloc` are inline in the kernel; the symbolizer still
/// prints them as inlined frames, so `kmalloc` is a frame here too and origins read
/// "Uninit was created at: slab_post_alloc_hook, slab_alloc_node, __kmalloc_cache_noprof,
/// kmalloc, <caller>".
struct SlubSites: Sendable {
    // Allocation.
    let kmalloc, kmallocCache, kmallocLarge, kmallocLargeNode: CallSite
    let kmallocTrackCaller, doKmallocNode: CallSite
    let kmemCacheAlloc, slabAllocNode, slabPostAllocHook: CallSite
    let slowPath, newSlab, allocateSlab, setupObject, slabCtorZero: CallSite
    // Free.
    let kfree, kmemCacheFree, slabFree, slabFreeHook, doSlabFree, freeLargeKmalloc: CallSite
    let discardSlab, freeSlab: CallSite
    // Caches.
    let kmemCacheCreate, createCache, kmemCacheDestroy, shutdownCache, kmemCacheRelease: CallSite
    // krealloc and ksize.
    let krealloc, doKrealloc, ksize: CallSite

    /// Interns every frame in `symbols`.
    init(symbols: SymbolTable) {
        func slab(_ name: String, _ line: Int, _ role: FrameRole = .ordinary) -> CallSite {
            symbols.site(in: name, file: "mm/slub.c", line: line, role: role)
        }
        func common(_ name: String, _ line: Int, _ role: FrameRole = .ordinary) -> CallSite {
            symbols.site(in: name, file: "mm/slab_common.c", line: line, role: role)
        }
        kmalloc = symbols.site(in: "kmalloc", file: "include/linux/slab.h", line: 878, role: .subsystemEntry)
        kmallocCache = slab("__kmalloc_cache_noprof", 4320)
        kmallocLarge = slab("__kmalloc_large_noprof", 4241)
        kmallocLargeNode = slab("___kmalloc_large_node", 4222)
        kmallocTrackCaller = slab("__kmalloc_node_track_caller_noprof", 4305)
        doKmallocNode = slab("__do_kmalloc_node", 4277)
        kmemCacheAlloc = slab("kmem_cache_alloc_noprof", 4141, .subsystemEntry)
        slabAllocNode = slab("slab_alloc_node", 4125)
        slabPostAllocHook = slab("slab_post_alloc_hook", 4085)
        slowPath = slab("___slab_alloc", 3779)
        newSlab = slab("new_slab", 2602)
        allocateSlab = slab("allocate_slab", 2537)
        setupObject = slab("setup_object", 2441)
        slabCtorZero = symbols.site(in: "slab_ctor_zero", file: "harness/slab_ctor.c", line: 1)
        kfree = slab("kfree", 4720, .subsystemEntry)
        kmemCacheFree = slab("kmem_cache_free", 4650, .subsystemEntry)
        slabFree = slab("slab_free", 4600)
        slabFreeHook = slab("slab_free_hook", 2260)
        doSlabFree = slab("do_slab_free", 4560)
        freeLargeKmalloc = slab("free_large_kmalloc", 4690)
        discardSlab = slab("discard_slab", 2700)
        freeSlab = slab("__free_slab", 2660)
        kmemCacheCreate = common("__kmem_cache_create_args", 330, .subsystemEntry)
        createCache = common("create_cache", 240)
        kmemCacheDestroy = common("kmem_cache_destroy", 510, .subsystemEntry)
        shutdownCache = common("shutdown_cache", 470)
        kmemCacheRelease = common("slab_kmem_cache_release", 450)
        krealloc = common("krealloc_noprof", 1270, .subsystemEntry)
        doKrealloc = common("__do_krealloc", 1230)
        ksize = common("ksize", 1340, .subsystemEntry)
    }
}
