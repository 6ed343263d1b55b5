import KernelMemory

/// The bookkeeping of mm/vmalloc.c and KASAN's vmalloc shadow, as one value (saved and
/// restored whole): busy areas by start, the free-area list, the lazily freed areas, and the
/// shadow pages installed.
///
/// Addresses are offsets from VMALLOC_START (so 0 is the region's first byte); areas are
/// page-aligned and `[start, end)` includes the guard page.
struct VmallocState: Sendable {
    /// What an area maps.
    enum Kind: Sendable, Equatable {
        /// `vmalloc`: fresh pages the area owns.
        case vmalloc
        /// `vmap`: the caller's pages (they stay allocated after `vunmap`).
        case vmap
        /// `ioremap`: device memory, with frames the area owns standing in for it.
        case ioremap
    }

    /// One vmap area (`struct vmap_area` with its `vm_struct`).
    struct Area: Sendable, Equatable {
        var start: UInt64
        var end: UInt64
        /// The size asked for (`vmalloc(size)`), and what KASAN unpoisons.
        var requested: Int
        var kind: Kind
        /// The frames mapped, in order.
        var frames: [Int]
        /// The return address of the caller (`vm_struct.caller`), for KASAN's "created by".
        var caller: UInt64
        /// Whether a guard page follows (every area here: none passes VM_NO_GUARD).
        var guarded: Bool { true }
        /// Bytes mapped (without the guard page).
        var mappedBytes: Int { frames.count * PAGE_SIZE }
    }

    /// Live areas by start offset.
    var busy: [UInt64: Area] = [:]
    /// Free ranges `[start, end)`, sorted and never adjacent (merged on insert).
    var free: [Range<UInt64>]
    /// Freed areas whose ranges the next purge returns to `free`.
    var lazy: [Area] = []
    /// Pages of `lazy` (`vmap_lazy_nr`).
    var lazyPages = 0
    /// Installed KASAN shadow pages: shadow page number (offset >> 15) -> frame.
    var shadow: [UInt64: Int] = [:]
    /// Whether KASAN printed a report already (`KASAN_BIT_REPORTED`).
    var kasanReported = false
    /// Whether the plugin warned about a broken invariant already (WARN_ON_ONCE).
    var warnedInvariant = false

    /// An empty region of `size` bytes.
    init(size: UInt64) { free = [0..<size] }

    /// `alloc_vmap_area`: the lowest free range that fits `bytes` (page-aligned), taken out of
    /// the free list; nil when none fits.
    mutating func allocateRange(_ bytes: UInt64) -> Range<UInt64>? {
        guard let i = free.firstIndex(where: { $0.count >= bytes }) else { return nil }
        let range = free[i].lowerBound..<(free[i].lowerBound + bytes)
        if free[i].count == bytes { free.remove(at: i) } else { free[i] = range.upperBound..<free[i].upperBound }
        return range
    }

    /// `merge_or_add_vmap_area`: puts `range` back, merging it with free neighbours on both
    /// sides; returns the merged free range (what Linux 5.5-6.8 hands to KASAN's release).
    @discardableResult
    mutating func addFree(_ range: Range<UInt64>) -> Range<UInt64> {
        var merged = range
        // The first free range at or after `range` (binary search: the list stays sorted).
        var lo = 0, hi = free.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if free[mid].lowerBound < range.upperBound { lo = mid + 1 } else { hi = mid }
        }
        let i = lo
        var insertAt = i
        if i < free.count, free[i].lowerBound == range.upperBound {
            merged = merged.lowerBound..<free[i].upperBound
            free.remove(at: i)
        }
        if insertAt > 0, free[insertAt - 1].upperBound == range.lowerBound {
            merged = free[insertAt - 1].lowerBound..<merged.upperBound
            free.remove(at: insertAt - 1)
            insertAt -= 1
        }
        free.insert(merged, at: insertAt)
        return merged
    }

    /// The live area holding `offset` in its mapped pages or guard page, if any.
    func area(containing offset: UInt64) -> Area? {
        // Areas are few per scenario; a linear scan keeps the value simple to save.
        busy.values.first { $0.start <= offset && offset < $0.end }
    }
}
