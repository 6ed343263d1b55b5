import KMSAN

/// The frames the page allocator pushes, named after the functions of mm/page_alloc.c and
/// include/linux/highmem.h on the kernel's call path, interned once per machine; the API's entry
/// points are `.subsystemEntry` frames (a HARNESS finding names their caller). Lines matter.
struct PageAllocatorSites: Sendable {
    /// `alloc_pages()`: the entry point.
    let allocPages: CallSite
    /// `__alloc_pages()`: takes the block and calls `kmsan_alloc_page`.
    let allocPagesNodemask: CallSite
    /// `__alloc_pages_slowpath()`: where a failed allocation ends up.
    let allocPagesSlowpath: CallSite
    /// `warn_alloc()`: prints "page allocation failure".
    let warnAlloc: CallSite
    /// `__get_free_pages()`: `alloc_pages` returning the block's address.
    let getFreePages: CallSite
    /// `__free_pages()`: the entry point of a free.
    let freePages: CallSite
    /// `free_unref_page()`: frees of order <= PAGE_ALLOC_COSTLY_ORDER (the per-CPU lists).
    let freeUnrefPage: CallSite
    /// `__free_pages_ok()`: frees of higher orders.
    let freePagesOk: CallSite
    /// `free_pages_prepare()`: calls `kmsan_free_page`.
    let freePagesPrepare: CallSite
    /// `free_pages()`: `__free_pages(virt_to_page(addr), order)`.
    let freePagesAddress: CallSite
    /// `copy_highpage()`: `copy_page` then `kmsan_copy_page_meta`.
    let copyHighpage: CallSite

    /// Interns every site in `symbols`.
    init(symbols: SymbolTable) {
        allocPages = symbols.site(in: "alloc_pages", file: #fileID, line: #line, role: .subsystemEntry)
        allocPagesNodemask = symbols.site(in: "__alloc_pages", file: #fileID, line: #line)
        allocPagesSlowpath = symbols.site(in: "__alloc_pages_slowpath", file: #fileID, line: #line)
        warnAlloc = symbols.site(in: "warn_alloc", file: #fileID, line: #line)
        getFreePages = symbols.site(in: "__get_free_pages", file: #fileID, line: #line, role: .subsystemEntry)
        freePages = symbols.site(in: "__free_pages", file: #fileID, line: #line, role: .subsystemEntry)
        freeUnrefPage = symbols.site(in: "free_unref_page", file: #fileID, line: #line)
        freePagesOk = symbols.site(in: "__free_pages_ok", file: #fileID, line: #line)
        freePagesPrepare = symbols.site(in: "free_pages_prepare", file: #fileID, line: #line)
        freePagesAddress = symbols.site(in: "free_pages", file: #fileID, line: #line, role: .subsystemEntry)
        copyHighpage = symbols.site(in: "copy_highpage", file: #fileID, line: #line, role: .subsystemEntry)
    }
}
