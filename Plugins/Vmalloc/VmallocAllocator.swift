import HarnessCore
import KMSAN
import KernelMemory

/// One machine's vmalloc space: vmap areas over the page allocator's pages, mapped in the
/// vmalloc page table, with KASAN's vmalloc shadow (see `VmallocState` for the bookkeeping and
/// `VmallocAllocator+KASAN` for the shadow). Thread-safe: one lock guards the state, as
/// `free_vmap_area_lock` and `init_mm.page_table_lock` do; populating a shadow page allocates
/// outside it and installs under it, as `kasan_populate_vmalloc_pte` does.
public final class VmallocAllocator: VmallocSubsystem, MemoryAccessChecking {
    /// The runtime.
    public let runtime: KMSANRuntime
    /// Where pages come from.
    let pages: any PageAllocatorSubsystem
    /// The config keys' values.
    public let options: VmallocOptions
    let sites: VmallocSites
    let state: Locked<VmallocState>

    /// `lazy_max_pages()`: 32 MiB of lazily freed address space per `fls(num_online_cpus())`,
    /// one CPU here, before a purge.
    static let lazyMaxPages = (32 << 20) / PAGE_SIZE
    /// Bytes of vmalloc space one KASAN shadow page covers (KASAN_MEMORY_PER_SHADOW_PAGE).
    static let memoryPerShadowPage: UInt64 = 8 << 12
    /// KASAN_VMALLOC_INVALID: the shadow of vmalloc space no area holds.
    static let invalidShadow: UInt8 = 0xf8
    /// Largest request: more than any machine's memory (`vmalloc` fails above it, as the
    /// kernel does above `totalram_pages()`).
    static let maxSize = 64 << 20

    init(runtime: KMSANRuntime, pages: any PageAllocatorSubsystem, options: VmallocOptions) {
        self.runtime = runtime
        self.pages = pages
        self.options = options
        sites = VmallocSites(symbols: runtime.symbols)
        state = Locked(VmallocState(size: VMALLOC_END.raw - VMALLOC_START.raw))
    }

    /// The state, for the fuzzer's restore.
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// vmalloc areas and ioremap mappings still live (vmap aliases map the caller's pages,
    /// which the page allocator accounts for).
    public func outstandingAllocations() -> [OutstandingAllocation] {
        state.withLock { s in
            s.busy.values.filter { $0.kind != .vmap }.sorted { $0.start < $1.start }.map {
                OutstandingAllocation(address: VMALLOC_START.raw + $0.start, size: $0.requested,
                                      kind: $0.kind == .vmalloc ? "vmalloc" : "ioremap")
            }
        }
    }

    /// Number of KASAN shadow pages installed.
    public var shadowPageCount: Int { state.withLock { $0.shadow.count } }
    /// Number of live areas.
    public var liveAreaCount: Int { state.withLock { $0.busy.count } }
    /// Pages of lazily freed areas waiting for the purge.
    public var lazyPageCount: Int { state.withLock { $0.lazyPages } }

    /// The offset of `address` in the vmalloc region, if it lies there.
    func offset(_ address: KernelAddress) -> UInt64? {
        AddressRegion.vmalloc.contains(address) ? address.raw - VMALLOC_START.raw : nil
    }

    /// The virtual address of a region offset.
    func address(_ offset: UInt64) -> KernelAddress { KernelAddress(VMALLOC_START.raw + offset) }

    /// A HARNESS finding in the caller of the API.
    func finding(_ kind: HarnessErrorKind, _ message: String, at address: KernelAddress, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(kind, message, on: cpu, address: address)
    }
}
