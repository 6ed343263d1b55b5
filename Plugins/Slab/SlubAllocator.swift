import HarnessCore
import KMSAN
import KernelMemory

/// A SLUB-like slab allocator for one machine: caches of fixed-size objects carved out of
/// slabs from the page allocator, kmalloc size classes on top, and KMSAN's slab hooks where
/// mm/slub.c calls them.
///
/// - Caches are named by their `struct kmem_cache *`, an object of the bootstrap `kmem_cache`
///   cache (zeroed, as `kmem_cache_zalloc` returns it). There is no cache merging
///   (as with `slab_nomerge`).
/// - `kmalloc` serves sizes up to 8 KiB from `kmalloc-8` ... `kmalloc-8k` and larger sizes
///   straight from the page allocator (`kmalloc_large`).
/// - Misuse (double free, invalid free, wrong cache, destroying a busy cache, using a dead
///   cache) is a HARNESS report naming the caller; the allocator's state is left as it was.
///
/// Thread-safe: one `Locked` guards all state. KMSAN hooks, constructors and page allocator
/// calls run outside it, except the store of a free pointer, which must not race with the
/// object being handed out again.
public final class SlubAllocator: SlabSubsystem {
    /// `ZERO_SIZE_PTR`: what `kmalloc(0)` and `krealloc(p, 0)` return. Not mapped, so any
    /// access through it is a HARNESS `bad-access`, as in the kernel it faults.
    public static let zeroSizePointer = KernelAddress(16)
    /// `KMALLOC_MAX_CACHE_SIZE`: larger kmalloc requests go to the page allocator.
    public static let kmallocMaxCacheSize = 2 * PAGE_SIZE
    /// `KMALLOC_MAX_SIZE`: the largest kmalloc (a `MAX_PAGE_ORDER` block).
    public static let kmallocMaxSize = PAGE_SIZE << SlabLayout.maxPageOrder
    /// The kmalloc size classes, `kmalloc_info[]` from `kmalloc-8` to `kmalloc-8k`.
    public static let kmallocSizes = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]
    /// Object size of the bootstrap `kmem_cache` cache (`sizeof(struct kmem_cache)`).
    static let kmemCacheStructSize = 256
    /// `MIN_PARTIAL`: slabs a cache keeps on its partial list before empty ones go back.
    static let minPartial = 5

    /// The machine's runtime.
    let runtime: KMSANRuntime
    /// The page allocator slabs come from.
    let pages: any PageAllocatorSubsystem
    /// Interned frames.
    let sites: SlubSites
    /// All mutable state.
    let state: Locked<SlubState>
    /// The kmalloc caches, in `kmallocSizes` order.
    let kmallocCaches: [SlubCache]
    /// The `kmem_cache` cache.
    let bootstrapCache: SlubCache

    /// Sets up the allocator: the bootstrap `kmem_cache` cache and the kmalloc caches. No memory
    /// is taken yet; each cache gets its first slab on its first allocation, as in SLUB.
    public init(runtime: KMSANRuntime, pageAllocator: any PageAllocatorSubsystem) {
        self.runtime = runtime
        pages = pageAllocator
        sites = SlubSites(symbols: runtime.symbols)
        state = Locked(SlubState(frameCount: runtime.memory.frameCount))
        (bootstrapCache, kmallocCaches) = state.withLock { s in
            let boot = s.addCache(
                name: "kmem_cache", kind: .bootstrap,
                layout: SlabLayout(objectSize: Self.kmemCacheStructSize, align: 0, flags: .hwcacheAlign, hasConstructor: false)!,
                flags: .hwcacheAlign, constructor: nil)
            let kmalloc = Self.kmallocSizes.map { size in
                // create_kmalloc_cache: power-of-two classes are naturally aligned.
                let align = size & (size - 1) == 0 ? size : 0
                return s.addCache(
                    name: Self.kmallocName(size), kind: .kmalloc,
                    layout: SlabLayout(objectSize: size, align: align, flags: [], hasConstructor: false)!,
                    flags: [], constructor: nil)
            }
            return (boot, kmalloc)
        }
    }

    /// The caches, slabs and objects, for `restoreState(_:)` (the caches themselves are
    /// immutable; a cache created later is simply not in the saved state).
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// `kmalloc-96`, `kmalloc-1k`, ...: the kernel's names of the size classes.
    public static func kmallocName(_ size: Int) -> String {
        size >= 1024 ? "kmalloc-\(size / 1024)k" : "kmalloc-\(size)"
    }

    /// `kmalloc_index`: the size class of a request of `size` bytes (1...8192), or nil.
    public static func kmallocClass(for size: Int) -> Int? {
        guard size > 0, size <= kmallocMaxCacheSize else { return nil }
        return kmallocSizes.first { $0 >= size }
    }

    /// The layout of the live cache named by `cache`, or nil.
    public func layout(ofCache cache: KernelAddress) -> SlabLayout? {
        state.withLock { $0.createdCache(cache)?.layout }
    }

    /// The layout of the kmalloc size class serving `size`-byte requests, or nil above 8 KiB.
    public func kmallocLayout(for size: Int) -> SlabLayout? {
        Self.kmallocClass(for: size).flatMap { c in kmallocCaches.first { $0.layout.objectSize == c }?.layout }
    }

    /// The name of the cache that owns the object at `object` (`kmalloc-64`, a created cache's
    /// name, or `kmalloc_large`), or nil if it is not a live allocation's start.
    public func cacheName(of object: KernelAddress) -> String? {
        let pfn = runtime.addressSpace.directMapFrame(object)
        switch state.withLock({ $0.lookup(object, pfn: pfn, space: runtime.addressSpace) }) {
        case .object(let cache, _, _, let s) where s == .allocated: return cache.name
        case .large(_, _, _, let isStart) where isStart: return "kmalloc_large"
        default: return nil
        }
    }

    /// Live objects of every cache but `kmem_cache`, and live `kmalloc_large` blocks, by address.
    public func outstandingAllocations() -> [OutstandingAllocation] {
        state.withLock { $0.liveAllocations(space: runtime.addressSpace) }
    }

    /// Raises a HARNESS finding; its header names the caller of the slab API, the frame
    /// outside the API's entry frame (`SlubSites` marks them `.subsystemEntry`).
    func finding(_ kind: HarnessErrorKind, _ message: String, at address: KernelAddress?, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(kind, message, on: cpu, address: address)
    }
}
