import HarnessCore
import KernelMemory

extension BuddyAllocator {
    /// What the allocator knows about one frame: the parts of `struct page` the buddy
    /// allocator reads and writes.
    enum PageState: Equatable {
        /// Head of a free block on `freeLists[order]` (`PageBuddy`, `buddy_order()`).
        case buddy(order: Int)
        /// A frame inside a free block, not its head.
        case freeTail
        /// Head of a live block, with the order it was allocated with (`compound_order()`
        /// for compound blocks; recorded for the others too).
        case head(order: Int, compound: Bool)
        /// A frame inside a live block, not its head.
        case tail(head: Int)
        /// Head of a block being freed: taken out of the live blocks, not yet on a free list
        /// (between `free_pages_prepare()` and `__free_one_page()`).
        case freeing(order: Int)
        /// Head of a free block of order <= PAGE_ALLOC_COSTLY_ORDER on CPU `cpu`'s per-CPU page
        /// list of `order`: free for every check, but not on the buddy lists, so it does not
        /// merge with its buddy until `free_pcppages_bulk()` returns it.
        case pcp(order: Int, cpu: Int)
    }

    /// Why a free was refused.
    enum FreeRefusal: Equatable {
        /// The block is already free, or being freed.
        case doubleFree(String)
        /// Not the head of a live block, or the wrong order.
        case invalidFree(String)
    }

    /// The zone: free lists, per-CPU page lists, page states and counters, guarded by the
    /// zone lock.
    ///
    /// Buddy free lists are kept sorted by frame number (descending, so the lowest block is
    /// the last entry and taking it is O(1)), and a buddy allocation takes the lowest address
    /// of the smallest order that fits, so the same program gets the same frames on every run.
    ///
    /// Per-CPU page lists (`struct per_cpu_pages`): one set per possible CPU, as the kernel has
    /// one per CPU per zone. Orders 0 through PAGE_ALLOC_COSTLY_ORDER are freed onto the
    /// freeing CPU's list of that order without merging and allocated from the allocating
    /// CPU's, most recently freed first, so a page freed on one CPU is not what another
    /// allocates next; an empty list is refilled with `pcpBatch` blocks from the buddy lists
    /// (`rmqueue_bulk()`), and when a CPU's lists hold `pcpHigh` frames or more after a free,
    /// their oldest blocks go back to the buddy lists, merging (`free_pcppages_bulk()`). Each
    /// CPU's batch and high are sized as for a zone with that one CPU (the kernel divides high
    /// among the CPUs of the node), so one-CPU programs see the lists they always saw.
    /// Everything is decided under the zone lock in program order, so it stays deterministic.
    struct Zone {
        /// MAX_PAGE_ORDER.
        static let maxOrder = 10
        /// PAGE_ALLOC_COSTLY_ORDER: the highest order the per-CPU lists hold.
        static let costlyOrder = 3
        /// Possible CPUs: sets of per-CPU lists.
        static let cpus = PerCPUArea.possibleCPUs

        /// The set of per-CPU lists CPU `id` uses (an id out of range uses CPU 0's).
        static func pcpIndex(_ id: Int) -> Int { (0..<cpus).contains(id) ? id : 0 }

        /// Frames managed: `[0, managed)`.
        let managed: Int
        /// One state per managed frame.
        var pages: [PageState]
        /// Per order, the heads of the free blocks of that order, descending (the lowest last).
        var freeLists: [[Int]]
        /// Per CPU, per order 0...PAGE_ALLOC_COSTLY_ORDER, the heads of the blocks on that CPU's
        /// list of that order, oldest first: the last entry is the next one allocated.
        var pcpLists: [[[Int]]]
        /// Per CPU, the frames on its lists (`pcp->count`); part of `freeCount`.
        var pcpCounts: [Int]
        /// Frames on all CPUs' lists.
        var pcpCount: Int { pcpCounts.reduce(0, +) }
        /// `pcp->batch`: blocks an empty list is refilled with, and the least number of frames
        /// a bulk free returns.
        let pcpBatch: Int
        /// `pcp->high`: when a free leaves this many frames or more on the lists, blocks go back
        /// to the buddy lists until fewer remain.
        let pcpHigh: Int
        /// Per frame, the order it was last freed with as a block's head, or -1 if it has
        /// been (part of) an allocation since, or never was a freed head. Tells a double free
        /// from a free of a frame that was never allocated.
        var lastFreedOrder: [Int8]
        /// Live blocks owned by another subsystem, by head frame (see `setOwner`); an entry
        /// goes when its block is freed.
        var owners: [Int: String] = [:]
        /// Free frames: on the buddy lists and on the per-CPU lists (unlike the kernel's
        /// `NR_FREE_PAGES`, which leaves the per-CPU lists out).
        var freeCount = 0
        /// `alloc_pages` calls since the failure injection was installed.
        var callsSinceInjection = 0
        /// The failure injection in force.
        var injection: FailureInjection
        /// Whether the order > MAX_PAGE_ORDER warning was printed (`WARN_ON_ONCE`).
        var warnedAboutOrder = false

        /// All of `[0, managed)` free, in the largest naturally aligned blocks that fit
        /// (as `memblock_free_all()` hands memory to the buddy allocator).
        init(managed: Int, injection: FailureInjection) {
            self.managed = managed
            self.injection = injection
            pages = [PageState](repeating: .freeTail, count: managed)
            freeLists = [[Int]](repeating: [], count: Self.maxOrder + 1)
            lastFreedOrder = [Int8](repeating: -1, count: managed)
            pcpLists = [[[Int]]](repeating: [[Int]](repeating: [], count: Self.costlyOrder + 1), count: Self.cpus)
            pcpCounts = [Int](repeating: 0, count: Self.cpus)
            (pcpBatch, pcpHigh) = Self.pcpSizes(managed: managed)
            var pfn = 0
            while pfn < managed {
                var order = Self.maxOrder
                while order > 0 && (pfn & ((1 << order) - 1) != 0 || pfn + (1 << order) > managed) { order -= 1 }
                insertFree(pfn, order: order)
                freeCount += 1 << order
                pfn += 1 << order
            }
        }

        /// `zone_batchsize()` and the lower bound of `zone_highsize()` for one CPU: the batch
        /// is about a quarter of a thousandth of the zone (at most 1 MiB), rounded to
        /// 2^n - 1 and at least 1; high is the low watermark (min + min / 4, the min watermark
        /// being 1/64 of the zone), and at least four batches.
        static func pcpSizes(managed: Int) -> (batch: Int, high: Int) {
            var batch = min(managed >> 10, (1 << 20) / PAGE_SIZE) / 4
            if batch < 1 { batch = 1 }
            let scaled = batch + batch / 2
            batch = (1 << (Int.bitWidth - 1 - scaled.leadingZeroBitCount)) - 1
            batch = max(1, batch)
            let minWatermark = max(1, managed / 64)
            return (batch, max(batch << 2, minWatermark + minWatermark / 4))
        }

        /// Index of the first entry <= `pfn` in `freeLists[order]` (sorted descending).
        private func lowerBound(_ pfn: Int, order: Int) -> Int {
            freeLists[order].withUnsafeBufferPointer { list in
                var low = 0, high = list.count
                while low < high {
                    let mid = (low + high) / 2
                    if list[mid] > pfn { low = mid + 1 } else { high = mid }
                }
                return low
            }
        }

        /// Puts the block at `pfn` on `freeLists[order]` and marks its head `PageBuddy`.
        mutating func insertFree(_ pfn: Int, order: Int) {
            freeLists[order].insert(pfn, at: lowerBound(pfn, order: order))
            pages[pfn] = .buddy(order: order)
        }

        /// Takes the block at `pfn` off `freeLists[order]`; its head becomes a plain free frame.
        mutating func removeFree(_ pfn: Int, order: Int) {
            let i = lowerBound(pfn, order: order)
            if i < freeLists[order].count, freeLists[order][i] == pfn { freeLists[order].remove(at: i) }
            pages[pfn] = .freeTail
        }

        /// `__rmqueue_smallest()` + `expand()`: takes the lowest block of the smallest order
        /// >= `order` off the buddy lists and splits it, putting the upper halves back on the
        /// lists. The head is left a plain free frame; nil if no block is large enough.
        private mutating func rmqueueSmallest(order: Int) -> Int? {
            var found = order
            while found <= Self.maxOrder && freeLists[found].isEmpty { found += 1 }
            guard found <= Self.maxOrder else { return nil }
            let pfn = freeLists[found].removeLast()
            pages[pfn] = .freeTail
            var high = found
            while high > order {
                high -= 1
                insertFree(pfn + (1 << high), order: high)
            }
            return pfn
        }

        /// `rmqueue_bulk()`: refills CPU `cpu`'s empty list of `order` with up to `pcpBatch`
        /// blocks (fewer for higher orders, as `nr_pcp_alloc()`), taken lowest first and
        /// allocated in that order. False if the buddy lists had none.
        private mutating func rmqueueBulk(order: Int, cpu: Int) -> Bool {
            let count = pcpBatch > 1 ? max(pcpBatch >> order, 2) : 1
            var taken: [Int] = []
            for _ in 0..<count {
                guard let pfn = rmqueueSmallest(order: order) else { break }
                pages[pfn] = .pcp(order: order, cpu: cpu)
                taken.append(pfn)
            }
            pcpLists[cpu][order].append(contentsOf: taken.reversed())
            pcpCounts[cpu] += taken.count << order
            return !taken.isEmpty
        }

        /// Takes a free block of `order` and records it as a live block: from CPU `cpu`'s list
        /// for orders <= PAGE_ALLOC_COSTLY_ORDER (`rmqueue_pcplist()`, refilled when empty),
        /// else from the buddy lists. Nil if that would leave fewer than `minimumFree` frames
        /// free (the watermark check, on all free frames) or no block is large enough; the
        /// caller drains the per-CPU lists before giving up.
        mutating func take(order: Int, compound: Bool, minimumFree: Int, cpu: Int) -> Int? {
            let n = 1 << order, cpu = Self.pcpIndex(cpu)
            guard freeCount - n >= minimumFree else { return nil }
            let pfn: Int
            if order <= Self.costlyOrder {
                if pcpLists[cpu][order].isEmpty, !rmqueueBulk(order: order, cpu: cpu) { return nil }
                pfn = pcpLists[cpu][order].removeLast()
                pcpCounts[cpu] -= n
            } else {
                guard let found = rmqueueSmallest(order: order) else { return nil }
                pfn = found
            }
            pages[pfn] = .head(order: order, compound: compound)
            lastFreedOrder[pfn] = -1
            for i in 1..<n {
                pages[pfn + i] = .tail(head: pfn)
                lastFreedOrder[pfn + i] = -1
            }
            freeCount -= n
            return pfn
        }

        /// `drain_all_pages()`: returns every block on every CPU's lists to the buddy lists,
        /// CPU by CPU, merging. False if the lists were empty.
        mutating func drainPCP() -> Bool {
            guard pcpCount > 0 else { return false }
            for cpu in 0..<Self.cpus { freePCPBulk(frames: pcpCounts[cpu], cpu: cpu) }
            return true
        }

        /// `free_pcppages_bulk()`: returns at least `frames` frames (or all there are) from CPU
        /// `cpu`'s lists to the buddy lists, the oldest block of the lowest non-empty order
        /// first, each merging with its buddies.
        private mutating func freePCPBulk(frames: Int, cpu: Int) {
            var left = min(frames, pcpCounts[cpu])
            var order = 0
            while left > 0 {
                while pcpLists[cpu][order].isEmpty { order += 1 }
                let pfn = pcpLists[cpu][order].removeFirst()
                pcpCounts[cpu] -= 1 << order
                left -= 1 << order
                pages[pfn] = .freeTail
                mergeIntoBuddy(pfn, order: order)
            }
        }

        /// The checks of `free_pages_prepare()`: `pfn` must head a live block of exactly
        /// `order`. On success the block is marked as being freed; on refusal nothing changes.
        mutating func beginFree(_ pfn: Int, order: Int) -> FreeRefusal? {
            guard pfn >= 0, pfn < managed else {
                return .invalidFree("pfn:0x\(String(pfn, radix: 16)) is not managed by the page allocator (frames 0x0-0x\(String(managed - 1, radix: 16)))")
            }
            switch pages[pfn] {
            case .head(let allocated, _):
                guard allocated == order else {
                    return .invalidFree("pfn:0x\(String(pfn, radix: 16)) freed with order \(order), but it was allocated with order \(allocated)")
                }
                pages[pfn] = .freeing(order: order)
                return nil
            case .tail(let head):
                return .invalidFree("pfn:0x\(String(pfn, radix: 16)) is a tail page of the order-\(blockOrder(head)) block at pfn:0x\(String(head, radix: 16))")
            case .freeing:
                return .doubleFree("pfn:0x\(String(pfn, radix: 16)) is already being freed")
            case .buddy, .freeTail, .pcp:
                if lastFreedOrder[pfn] >= 0 {
                    return .doubleFree("pfn:0x\(String(pfn, radix: 16)) order \(order): the block was already freed (with order \(lastFreedOrder[pfn]))")
                }
                return .invalidFree("pfn:0x\(String(pfn, radix: 16)) was never allocated")
            }
        }

        /// The order of the block headed by `head`, whatever its state.
        private func blockOrder(_ head: Int) -> Int {
            switch pages[head] {
            case .head(let order, _), .freeing(let order), .buddy(let order), .pcp(let order, _): order
            case .tail, .freeTail: 0
            }
        }

        /// Returns a block marked by `beginFree`: orders <= PAGE_ALLOC_COSTLY_ORDER go on CPU
        /// `cpu`'s list (`free_frozen_page_commit()`), and when its lists then hold `pcpHigh`
        /// frames or more, the oldest blocks go back to the buddy lists until at least
        /// `pcpBatch` frames went and fewer than `pcpHigh` remain; higher orders go straight to
        /// the buddy lists (`__free_one_page()`).
        mutating func finishFree(_ head: Int, order: Int, cpu: Int) {
            let n = 1 << order, cpu = Self.pcpIndex(cpu)
            lastFreedOrder[head] = Int8(order)
            if !owners.isEmpty { owners[head] = nil }
            for i in 1..<n { pages[head + i] = .freeTail }
            freeCount += n
            if order <= Self.costlyOrder {
                pages[head] = .pcp(order: order, cpu: cpu)
                pcpLists[cpu][order].append(head)
                pcpCounts[cpu] += n
                if pcpCounts[cpu] >= pcpHigh { freePCPBulk(frames: max(pcpBatch, pcpCounts[cpu] - pcpHigh + 1), cpu: cpu) }
            } else {
                pages[head] = .freeTail
                mergeIntoBuddy(head, order: order)
            }
        }

        /// `__free_one_page()`: puts a free block (head a plain free frame) on the buddy lists,
        /// merging it with its buddy (`pfn ^ (1 << order)`) while the buddy is a free block of
        /// the same order.
        private mutating func mergeIntoBuddy(_ head: Int, order: Int) {
            var pfn = head, order = order
            while order < Self.maxOrder {
                let buddy = pfn ^ (1 << order)
                guard buddy < managed, pages[buddy] == .buddy(order: order) else { break }
                removeFree(buddy, order: order)
                pfn = min(pfn, buddy)
                order += 1
            }
            insertFree(pfn, order: order)
        }

        /// Heads and orders of the live blocks, ascending.
        var liveBlocks: [(pfn: Int, order: Int, compound: Bool)] {
            var out: [(pfn: Int, order: Int, compound: Bool)] = []
            var pfn = 0
            while pfn < managed {
                if case .head(let order, let compound) = pages[pfn] {
                    out.append((pfn, order, compound))
                    pfn += 1 << order
                } else {
                    pfn += 1
                }
            }
            return out
        }
    }
}
