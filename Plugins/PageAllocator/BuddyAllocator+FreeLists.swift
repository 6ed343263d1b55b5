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
    }

    /// Why a free was refused.
    enum FreeRefusal: Equatable {
        /// The block is already free, or being freed.
        case doubleFree(String)
        /// Not the head of a live block, or the wrong order.
        case invalidFree(String)
    }

    /// The zone: free lists, page states and counters, guarded by the zone lock.
    ///
    /// Free lists are kept sorted by frame number, and allocation takes the lowest address of
    /// the smallest order that fits, so the same program gets the same frames on every run.
    struct Zone {
        /// MAX_PAGE_ORDER.
        static let maxOrder = 10

        /// Frames managed: `[0, managed)`.
        let managed: Int
        /// One state per managed frame.
        var pages: [PageState]
        /// Per order, the heads of the free blocks of that order, ascending.
        var freeLists: [[Int]]
        /// Per frame, the order it was last freed with as a block's head, or -1 if it has
        /// been (part of) an allocation since, or never was a freed head. Tells a double free
        /// from a free of a frame that was never allocated.
        var lastFreedOrder: [Int8]
        /// Free frames (`NR_FREE_PAGES`).
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
            var pfn = 0
            while pfn < managed {
                var order = Self.maxOrder
                while order > 0 && (pfn & ((1 << order) - 1) != 0 || pfn + (1 << order) > managed) { order -= 1 }
                insertFree(pfn, order: order)
                freeCount += 1 << order
                pfn += 1 << order
            }
        }

        /// Index of the first entry >= `pfn` in `freeLists[order]`.
        private func lowerBound(_ pfn: Int, order: Int) -> Int {
            let list = freeLists[order]
            var low = 0, high = list.count
            while low < high {
                let mid = (low + high) / 2
                if list[mid] < pfn { low = mid + 1 } else { high = mid }
            }
            return low
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
        /// >= `order` and splits it, putting the upper halves back on the lists; records the
        /// result as a live block. Nil if that would leave fewer than `minimumFree` frames free
        /// (the watermark check) or no block is large enough.
        mutating func take(order: Int, compound: Bool, minimumFree: Int) -> Int? {
            let n = 1 << order
            guard freeCount - n >= minimumFree,
                  let found = (order...Self.maxOrder).first(where: { !freeLists[$0].isEmpty }) else { return nil }
            let pfn = freeLists[found].removeFirst()
            var high = found
            while high > order {
                high -= 1
                insertFree(pfn + (1 << high), order: high)
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
            case .buddy, .freeTail:
                if lastFreedOrder[pfn] >= 0 {
                    return .doubleFree("pfn:0x\(String(pfn, radix: 16)) order \(order): the block was already freed (with order \(lastFreedOrder[pfn]))")
                }
                return .invalidFree("pfn:0x\(String(pfn, radix: 16)) was never allocated")
            }
        }

        /// The order of the block headed by `head`, whatever its state.
        private func blockOrder(_ head: Int) -> Int {
            switch pages[head] {
            case .head(let order, _), .freeing(let order), .buddy(let order): order
            case .tail, .freeTail: 0
            }
        }

        /// `__free_one_page()`: returns a block marked by `beginFree` to the free lists,
        /// merging it with its buddy (`pfn ^ (1 << order)`) while the buddy is a free block
        /// of the same order.
        mutating func finishFree(_ head: Int, order: Int) {
            let n = 1 << order
            lastFreedOrder[head] = Int8(order)
            for i in 0..<n { pages[head + i] = .freeTail }
            freeCount += n
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
