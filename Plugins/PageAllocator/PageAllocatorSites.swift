import KMSAN

/// The frames the page allocator pushes: Linux 6.18's call path through mm/mempolicy.c,
/// mm/page_alloc.c and include/linux/highmem.h, interned once per machine.
///
/// Each frame is the function the kernel runs, at the line where it calls the next frame in
/// (where the KMSAN hook or the warning is, for the innermost), and `.inlined` where a clang-built
/// 6.18 kernel inlines it. A page's origin so reads as in a 6.18 report:
///
/// ```
/// Uninit was created at:
///  __alloc_frozen_pages_noprof+0x.../0x... mm/page_alloc.c:5201
///  alloc_pages_mpol+0x.../0x... mm/mempolicy.c:2416
///  alloc_frozen_pages_noprof+0x.../0x... mm/mempolicy.c:2487
///  alloc_pages_noprof+0x.../0x... mm/mempolicy.c:2507
///  <caller>
/// ```
///
/// The API's entry points are `.subsystemEntry` frames (a HARNESS finding names their caller).
/// Documentation/KernelFrames.md lists every frame; a test keeps it in step with this table.
struct PageAllocatorSites: Sendable {
    /// `alloc_pages_noprof()`: the entry point (CONFIG_NUMA's, in mm/mempolicy.c).
    let allocPages: CallSite
    /// `alloc_frozen_pages_noprof()`: the task's mempolicy, then `alloc_pages_mpol`.
    let allocFrozenPages: CallSite
    /// `alloc_pages_mpol()`: the preferred node, then `__alloc_frozen_pages_noprof`.
    let allocPagesMpol: CallSite
    /// `__alloc_frozen_pages_noprof()`: takes the block and calls `kmsan_alloc_page`.
    let allocFrozenPagesCore: CallSite
    /// `__alloc_frozen_pages_noprof()` where `WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER)` fires.
    let allocFrozenPagesOrderWarning: CallSite
    /// `__alloc_frozen_pages_noprof()` calling the slow path.
    let allocFrozenPagesSlowpath: CallSite
    /// `__alloc_pages_slowpath()`: where a failed allocation ends up (`warn_alloc` on `nopage`).
    let allocPagesSlowpath: CallSite
    /// `warn_alloc()`: prints "page allocation failure".
    let warnAlloc: CallSite
    /// `get_free_pages_noprof()`: `alloc_pages` returning the block's address.
    let getFreePages: CallSite
    /// `__free_pages()`: the entry point of a free.
    let freePages: CallSite
    /// `___free_pages()`: drops the reference, then `__free_frozen_pages`.
    let freePagesInner: CallSite
    /// `__free_frozen_pages()` on per-CPU-list orders: `free_pages_prepare` itself.
    let freeFrozenPages: CallSite
    /// `__free_frozen_pages()` on orders the per-CPU lists refuse: `__free_pages_ok`.
    let freeFrozenPagesHighOrder: CallSite
    /// `__free_pages_ok()`: frees of orders above PAGE_ALLOC_COSTLY_ORDER.
    let freePagesOk: CallSite
    /// `free_pages_prepare()`: calls `kmsan_free_page`.
    let freePagesPrepare: CallSite
    /// `free_pages()`: `__free_pages(virt_to_page(addr), order)`.
    let freePagesAddress: CallSite
    /// `copy_highpage()`: `copy_page` then `kmsan_copy_page_meta`.
    let copyHighpage: CallSite

    /// Interns every site in `symbols`.
    init(symbols: SymbolTable) {
        func site(_ name: String, _ file: String, _ line: Int, _ inlining: FrameInlining = .outOfLine,
                  _ role: FrameRole = .ordinary) -> CallSite {
            symbols.site(in: name, file: file, line: line, role: role, inlining: inlining)
        }
        let mempolicy = "mm/mempolicy.c", pageAlloc = "mm/page_alloc.c"
        allocPages = site("alloc_pages_noprof", mempolicy, 2507, .outOfLine, .subsystemEntry)
        allocFrozenPages = site("alloc_frozen_pages_noprof", mempolicy, 2487)
        allocPagesMpol = site("alloc_pages_mpol", mempolicy, 2416)
        allocFrozenPagesCore = site("__alloc_frozen_pages_noprof", pageAlloc, 5201)
        allocFrozenPagesOrderWarning = site("__alloc_frozen_pages_noprof", pageAlloc, 5150)
        allocFrozenPagesSlowpath = site("__alloc_frozen_pages_noprof", pageAlloc, 5191)
        allocPagesSlowpath = site("__alloc_pages_slowpath", pageAlloc, 4918, .inlined)
        warnAlloc = site("warn_alloc", pageAlloc, 3956)
        getFreePages = site("get_free_pages_noprof", pageAlloc, 5237, .outOfLine, .subsystemEntry)
        freePages = site("__free_pages", pageAlloc, 5297, .outOfLine, .subsystemEntry)
        freePagesInner = site("___free_pages", pageAlloc, 5259, .inlined)
        freeFrozenPages = site("__free_frozen_pages", pageAlloc, 2901)
        freeFrozenPagesHighOrder = site("__free_frozen_pages", pageAlloc, 2897)
        freePagesOk = site("__free_pages_ok", pageAlloc, 1585)
        freePagesPrepare = site("free_pages_prepare", pageAlloc, 1316, .inlined)
        freePagesAddress = site("free_pages", pageAlloc, 5323, .outOfLine, .subsystemEntry)
        copyHighpage = site("copy_highpage", "include/linux/highmem.h", 425, .inlined, .subsystemEntry)
    }
}
