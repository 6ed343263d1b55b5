import KMSAN

/// The frames the slab allocator pushes: Linux 6.18's call path through mm/slub.c,
/// mm/slab_common.c and include/linux/slab.h, interned once per machine.
///
/// Each frame is the function the kernel runs, at the line where it calls the next frame in
/// (where the KMSAN hook or the WARN is, for the innermost), and marked `.inlined` where a
/// clang-built 6.18 kernel inlines it (`static inline`, `__always_inline`, `__fastpath_inline`,
/// and the single-caller statics that syzbot's symbolized KMSAN reports show as `[inline]`).
/// So a kmalloc'ed object's origin reads as in a 6.18 report:
///
/// ```
/// Uninit was created at:
///  slab_post_alloc_hook mm/slub.c:4985 [inline]
///  slab_alloc_node mm/slub.c:5288 [inline]
///  __kmalloc_cache_noprof+0x.../0x... mm/slub.c:5766
///  kmalloc_noprof include/linux/slab.h:957 [inline]
///  <caller>
/// ```
///
/// The API's entry points (`kmalloc_noprof`, `kmem_cache_alloc_noprof`, `kfree`,
/// `kmem_cache_free`, cache creation and destruction, `krealloc_node_align_noprof`, `ksize`)
/// are `.subsystemEntry` frames: a HARNESS finding names their caller. Documentation/
/// KernelFrames.md lists every frame; a test keeps it in step with this table.
struct SlubSites: Sendable {
    // Allocation.
    let kmalloc, kmallocToLarge, kmallocCache, kmallocLarge, kmallocLargeNode: CallSite
    let kmallocTrackCaller, doKmallocNode, doKmallocNodeLarge, kmallocLargeNodeEntry: CallSite
    let kmemCacheAlloc, slabAllocNode, slabAllocNodeHook, slabPostAllocHook: CallSite
    let slabAllocSlowNode, slabAlloc, slowPath, newSlab, newSlabWarnConstructorZero: CallSite
    let allocateSlab, allocateSlabSetup, setupObject: CallSite
    let slabCtorZero: CallSite
    // Free.
    let kfree, kfreeLarge, kmemCacheFree, slabFree, slabFreeHook, slabFreeDo, doSlabFree: CallSite
    let freeLargeKmalloc, freeLargeKmallocPages: CallSite
    let slabFreeSlow, discardSlab, freeSlab, freeSlabPages: CallSite
    // Caches.
    let kmemCacheCreate, createCache, kmemCacheDestroy, kmemCacheDestroyRelease, shutdownCache: CallSite
    let kmemCacheRelease, slabKmemCacheRelease: CallSite
    // krealloc and ksize.
    let krealloc, doKrealloc, doKreallocCopy, doKreallocZero, ksize: CallSite

    /// Interns every frame in `symbols`.
    init(symbols: SymbolTable) {
        func slub(_ name: String, _ line: Int, _ inlining: FrameInlining = .outOfLine,
                  _ role: FrameRole = .ordinary) -> CallSite {
            symbols.site(in: name, file: "mm/slub.c", line: line, role: role, inlining: inlining)
        }
        func common(_ name: String, _ line: Int, _ inlining: FrameInlining = .outOfLine,
                    _ role: FrameRole = .ordinary) -> CallSite {
            symbols.site(in: name, file: "mm/slab_common.c", line: line, role: role, inlining: inlining)
        }
        kmalloc = symbols.site(in: "kmalloc_noprof", file: "include/linux/slab.h", line: 957,
                               role: .subsystemEntry, inlining: .inlined)
        kmallocToLarge = symbols.site(in: "kmalloc_noprof", file: "include/linux/slab.h", line: 954,
                                      role: .subsystemEntry, inlining: .inlined)
        kmallocCache = slub("__kmalloc_cache_noprof", 5766)
        kmallocLarge = slub("__kmalloc_large_noprof", 5612)
        kmallocLargeNode = slub("___kmalloc_large_node", 5605)
        kmallocTrackCaller = slub("__kmalloc_node_track_caller_noprof", 5759)
        doKmallocNode = slub("__do_kmalloc_node", 5649, .inlined)
        doKmallocNodeLarge = slub("__do_kmalloc_node", 5638, .inlined)
        kmallocLargeNodeEntry = slub("__kmalloc_large_node_noprof", 5622)
        kmemCacheAlloc = slub("kmem_cache_alloc_noprof", 5295, .outOfLine, .subsystemEntry)
        slabAllocNode = slub("slab_alloc_node", 5276, .inlined)
        slabAllocNodeHook = slub("slab_alloc_node", 5288, .inlined)
        slabPostAllocHook = slub("slab_post_alloc_hook", 4985, .inlined)
        slabAllocSlowNode = slub("__slab_alloc_node", 4854, .inlined)
        slabAlloc = slub("__slab_alloc", 4778)
        slowPath = slub("___slab_alloc", 4655)
        newSlab = slub("new_slab", 3286, .inlined)
        newSlabWarnConstructorZero = slub("new_slab", 3284, .inlined)
        allocateSlab = slub("allocate_slab", 3232)
        allocateSlabSetup = slub("allocate_slab", 3265)
        setupObject = slub("setup_object", 2596, .inlined)
        slabCtorZero = symbols.site(in: "slab_ctor_zero", file: "harness/slab_ctor.c", line: 1)
        kfree = slub("kfree", 6849, .outOfLine, .subsystemEntry)
        kfreeLarge = slub("kfree", 6843, .outOfLine, .subsystemEntry)
        kmemCacheFree = slub("kmem_cache_free", 6752, .outOfLine, .subsystemEntry)
        slabFree = slub("slab_free", 6642, .inlined)
        slabFreeHook = slub("slab_free_hook", 2469, .inlined)
        slabFreeDo = slub("slab_free", 6651, .inlined)
        doSlabFree = slub("do_slab_free", 6582, .inlined)
        freeLargeKmalloc = slub("free_large_kmalloc", 6770)
        freeLargeKmallocPages = slub("free_large_kmalloc", 6775)
        slabFreeSlow = slub("__slab_free", 5970)
        discardSlab = slub("discard_slab", 3330, .inlined)
        freeSlab = slub("free_slab", 3324, .inlined)
        freeSlabPages = slub("__free_slab", 3301)
        kmemCacheCreate = common("__kmem_cache_create_args", 340, .outOfLine, .subsystemEntry)
        createCache = common("create_cache", 239, .inlined)
        kmemCacheDestroy = common("kmem_cache_destroy", 529, .outOfLine, .subsystemEntry)
        kmemCacheDestroyRelease = common("kmem_cache_destroy", 549, .outOfLine, .subsystemEntry)
        shutdownCache = slub("__kmem_cache_shutdown", 8120)
        kmemCacheRelease = common("kmem_cache_release", 477, .inlined)
        slabKmemCacheRelease = common("slab_kmem_cache_release", 484)
        krealloc = slub("krealloc_node_align_noprof", 7050, .outOfLine, .subsystemEntry)
        doKrealloc = slub("__do_krealloc", 6991, .inlined)
        doKreallocCopy = slub("__do_krealloc", 6995, .inlined)
        doKreallocZero = slub("__do_krealloc", 6975, .inlined)
        ksize = common("ksize", 1257, .outOfLine, .subsystemEntry)
    }
}
