import HarnessCore
import KMSAN
import KernelMemory

/// A binary buddy allocator over the frames a machine leaves to its page allocator
/// (`[0, bootMemory.firstFrame)`), modelled on mm/page_alloc.c.
///
/// - Orders 0 through MAX_PAGE_ORDER (10); one free list per order, kept sorted, and a buddy
///   allocation takes the lowest address of the smallest order that fits, so the same program
///   gets the same frames. Larger blocks are split on allocation; a freed block merges with its
///   buddy (`pfn ^ (1 << order)`) for as long as the buddy is free with the same order.
/// - Per-CPU page lists for orders 0 through PAGE_ALLOC_COSTLY_ORDER (3), as
///   `free_frozen_page_commit()` / `rmqueue_pcplist()`: such a block is freed onto its list without
///   merging, and allocations of its order take the most recently freed block first. An empty
///   list is refilled with `pcpBatch` blocks from the buddy lists; a free that leaves
///   `pcpHigh` frames or more on the lists returns the oldest blocks to the buddy lists, where
///   they merge; a failing allocation drains the lists (`drain_all_pages()`) and retries
///   before it fails. Each possible CPU has its own set of lists: a block goes on the freeing
///   CPU's and comes off the allocating CPU's.
///   A block on a per-CPU list is free for every check: freeing it again is a double free,
///   it has no allocation order and is no outstanding allocation.
/// - The order of every live block is recorded (and `__GFP_COMP` marks it compound), so a
///   double free, a free with the wrong order, of a tail page or of a frame never allocated is
///   a HARNESS finding that leaves the allocator untouched, never a crash.
/// - `kmsan_alloc_page` runs after the block left the free lists (and after `__GFP_ZERO`
///   cleared it); `kmsan_free_page` runs before it goes back.
/// - A min watermark (1/64 of the managed frames) keeps a reserve that only `__GFP_HIGH`
///   allocations (and `__GFP_NOFAIL` as a last resort) may take, with the kernel's arithmetic.
///
/// Thread-safe: the zone state is behind one lock (the zone lock); the KMSAN hooks run
/// outside it, as in the kernel.
public final class BuddyAllocator: PageAllocatorSubsystem {
    /// MAX_PAGE_ORDER: the largest order of a block.
    public static let maxOrder = Zone.maxOrder
    /// PAGE_ALLOC_COSTLY_ORDER: frees of higher orders skip the per-CPU lists.
    public static let costlyOrder = Zone.costlyOrder

    /// The machine's runtime.
    public let runtime: KMSANRuntime
    /// Frames the allocator manages: `[0, managedFrames)`.
    public let managedFrames: Int
    /// The min watermark, in frames: allocations without `__GFP_HIGH` fail rather than leave
    /// fewer free frames than this.
    public let minWatermark: Int
    let sites: PageAllocatorSites
    let zone: Locked<Zone>

    /// Builds the allocator of `runtime`'s machine, with all managed frames free.
    public init(runtime: KMSANRuntime, failureInjection: FailureInjection = .none) {
        self.runtime = runtime
        managedFrames = runtime.bootMemory.firstFrame.index
        minWatermark = max(1, managedFrames / 64)
        sites = PageAllocatorSites(symbols: runtime.symbols)
        zone = Locked(Zone(managed: managedFrames, injection: failureInjection))
    }

    /// The failure injection in force. Setting it restarts the count of `alloc_pages` calls.
    public var failureInjection: FailureInjection {
        get { zone.withLock { $0.injection } }
        set {
            zone.withLock { z in
                z.injection = newValue
                z.callsSinceInjection = 0
            }
        }
    }

    /// Frames currently free: on the buddy lists and on the per-CPU lists. (The kernel's
    /// `NR_FREE_PAGES` leaves the per-CPU lists out; here they count, so a program that frees
    /// everything it allocated sees all managed frames free, and the watermark check counts
    /// them too.)
    public var freeFrames: Int { zone.withLock { $0.freeCount } }

    /// The zone (free lists, per-CPU lists, owners, failure injection), for `restoreState(_:)`.
    public func saveState() -> SavedState? { zone.saveState() }

    /// Puts back a zone `saveState()` returned.
    public func restoreState(_ saved: SavedState) { zone.restoreState(saved) }

    /// Free blocks per order on the buddy lists, 0 through MAX_PAGE_ORDER (a line of
    /// `/proc/buddyinfo`): blocks on the per-CPU lists are not included (see `drainPages()`).
    public var freeBlocksPerOrder: [Int] { zone.withLock { $0.freeLists.map(\.count) } }

    /// Frames on all CPUs' per-CPU lists (the sum of their `pcp->count`), included in `freeFrames`.
    public var perCPUFrames: Int { zone.withLock { $0.pcpCount } }

    /// Frames on CPU `cpu`'s per-CPU lists (its `pcp->count`); 0 for a CPU that is not possible.
    public func perCPUFrames(onCPU cpu: Int) -> Int {
        zone.withLock { z in z.pcpCounts.indices.contains(cpu) ? z.pcpCounts[cpu] : 0 }
    }

    /// Blocks on all CPUs' per-CPU lists, per order 0 through PAGE_ALLOC_COSTLY_ORDER.
    public var perCPUBlocksPerOrder: [Int] {
        zone.withLock { z in (0...Zone.costlyOrder).map { order in z.pcpLists.reduce(0) { $0 + $1[order].count } } }
    }

    /// `pcp->batch`: blocks an empty per-CPU list is refilled with (fewer for orders > 0),
    /// and the least number of frames a bulk free returns to the buddy lists.
    public var perCPUBatch: Int { zone.withLock { $0.pcpBatch } }

    /// `pcp->high` of each CPU: a free that leaves this many frames or more on that CPU's lists
    /// returns the oldest blocks to the buddy lists until fewer remain.
    public var perCPUHigh: Int { zone.withLock { $0.pcpHigh } }

    /// `drain_all_pages()`: returns every block on the per-CPU lists to the buddy lists,
    /// merging with their buddies. `freeFrames` does not change.
    public func drainPages() {
        zone.withLock { _ = $0.drainPCP() }
    }

    /// The order `pfn` was allocated with, if it heads a live block.
    public func allocationOrder(of pfn: PageFrameNumber) -> Int? {
        zone.withLock { z in
            guard pfn.index >= 0, pfn.index < z.managed, case .head(let order, _) = z.pages[pfn.index] else { return nil }
            return order
        }
    }

    /// Whether `pfn` heads a live compound block (allocated with `__GFP_COMP`, order > 0).
    public func isCompoundHead(_ pfn: PageFrameNumber) -> Bool {
        zone.withLock { z in
            guard pfn.index >= 0, pfn.index < z.managed, case .head(_, let compound) = z.pages[pfn.index] else { return false }
            return compound
        }
    }

    /// The head of the live block containing `pfn` (`compound_head()`, for compound and
    /// plain blocks alike), or nil if `pfn` is in no live block.
    public func blockHead(of pfn: PageFrameNumber) -> PageFrameNumber? {
        zone.withLock { z in
            guard pfn.index >= 0, pfn.index < z.managed else { return nil }
            switch z.pages[pfn.index] {
            case .head: return pfn
            case .tail(let head): return PageFrameNumber(head)
            case .buddy, .freeTail, .freeing, .pcp: return nil
            }
        }
    }

    /// Records that another subsystem owns a live block (slab pages, a large kmalloc): the
    /// leak check leaves it to that subsystem. Cleared with nil, and when the block is freed.
    public func setOwner(_ owner: String?, ofBlockAt pfn: PageFrameNumber) {
        zone.withLock { $0.owners[pfn.index] = owner }
    }

    /// Every live block no other subsystem owns, as `alloc_pages order N` at its direct-map
    /// address, lowest first.
    public func outstandingAllocations() -> [OutstandingAllocation] {
        let (blocks, owned) = zone.withLock { ($0.liveBlocks, $0.owners) }
        return blocks.filter { owned[$0.pfn] == nil }.map { block in
            OutstandingAllocation(
                address: runtime.addressSpace.directMapAddress(of: PageFrameNumber(block.pfn)).raw,
                size: PAGE_SIZE << block.order, kind: "alloc_pages order \(block.order)")
        }
    }
}
