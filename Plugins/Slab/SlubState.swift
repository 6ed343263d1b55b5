import HarnessCore
import KMSAN
import KernelMemory

/// Everything the slab allocator of one machine keeps, guarded by one `Locked` (the
/// `slab_mutex`, `list_lock` and slab locks of mm/slub.c rolled into one).
///
/// The free lists are kept here, not read back from simulated memory: SLUB also writes each
/// free pointer into its object (so that KMSAN sees those bytes become initialized), but a
/// buggy scenario that scribbles over a freed object cannot corrupt the allocator itself.
///
/// Hot-path layout: caches live in an array indexed by cache id, slabs in an array of slots
/// (with a free-slot list) referenced by slot index, and frame owners in flat arrays indexed
/// by frame number, so that an allocation or a free does no hashing and copies no arrays.
struct SlubState {
    /// The state of one object slot.
    enum ObjectState: UInt8 {
        /// On its slab's free list.
        case free
        /// Handed out and not yet freed.
        case allocated
        /// Being freed: off the caller's hands, KMSAN hooks running, not yet on a free list.
        case freeing
    }

    /// One slab: `1 << order` pages cut into objects.
    struct Slab {
        /// The head frame.
        var head: PageFrameNumber
        /// The page order actually allocated (`oo` or the `s->min` fallback).
        var order: Int
        /// The direct-map address of the first object.
        var base: KernelAddress
        /// Per-object state.
        var objects: [ObjectState]
        /// Free object indices; the last one is the free list's head.
        var freelist: [Int]

        /// Objects not on the free list.
        var inUse: Int { objects.count - freelist.count }
    }

    /// A slab in the slot table, with the cache it belongs to.
    struct SlabSlot {
        /// The owning cache's id.
        var cache: Int
        /// The slab.
        var slab: Slab
    }

    /// The mutable part of one cache.
    struct CacheState {
        /// The fixed part.
        var cache: SlubCache
        /// Slots of other slabs with free objects (the partial list), oldest first.
        var partial: [Int] = []
        /// Objects allocated or being freed.
        var live = 0
        /// Slabs the cache owns.
        var slabCount = 0

        /// Takes the oldest partial slab's slot.
        mutating func popPartial() -> Int? {
            partial.isEmpty ? nil : partial.removeFirst()
        }
    }

    /// What owns a live frame.
    enum PageOwner: Equatable {
        /// A slab of cache `cache` kept in slab slot `slot`.
        case slab(cache: Int, slot: Int)
        /// A `kmalloc_large` block of `1 << order` frames for `size` requested bytes.
        case large(head: Int, order: Int, size: Int)
    }

    /// What a frame used to hold, to tell a double free from a wild free after the frames went
    /// back to the page allocator.
    struct RetiredOwner: Equatable {
        /// The head frame of the block.
        var head: Int
        /// The slot size of the slab, or nil for a `kmalloc_large` block.
        var slotSize: Int?
        /// The cache's name, or `kmalloc_large`.
        var name: String
    }

    /// Caches by id; destroyed caches are nil.
    var caches: [CacheState?] = []
    /// Whether each cache id is live (read without touching `caches`' reference-counted fields).
    var cacheAlive: [Bool] = []
    /// The slot each cache's allocations come from first (SLUB's cpu slab, shared by all CPUs
    /// here), -1 if none; by cache id.
    var cpuSlab: [Int] = []
    /// Created caches by their `struct kmem_cache *`.
    var cacheIDs: [KernelAddress: Int] = [:]
    /// Slabs by slot; free slots are nil.
    var slabs: [SlabSlot?] = []
    /// The cache id of each slab slot, -1 for a free slot.
    var slabCache: [Int] = []
    /// Free slots of `slabs`, reused last freed first.
    var freeSlots: [Int] = []
    /// Owners of live slab and `kmalloc_large` frames, by frame index (`struct page` fields).
    var pages: [PageOwner?]
    /// Frames that were ours and went back to the page allocator, by frame index: sparse (a
    /// dictionary), so that booting a machine costs nothing per frame for it.
    var retired: [Int: RetiredOwner] = [:]
    /// The next cache id.
    var nextID = 0
    /// Whether `new_slab`'s WARN_ON_ONCE for a constructor with `__GFP_ZERO` has fired (once
    /// per boot, as a `WARN_ON_ONCE` site's static flag).
    var warnedConstructorWithZero = false

    /// Empty state for a machine of `frameCount` frames.
    init(frameCount: Int) {
        pages = Array(repeating: nil, count: frameCount)
    }

    /// Records a new cache and returns it.
    mutating func addCache(
        name: String, kind: SlubCache.Kind, layout: SlabLayout, flags: SlabFlags, constructor: SlabConstructor?
    ) -> SlubCache {
        let cache = SlubCache(id: nextID, name: name, kind: kind, layout: layout, flags: flags, constructor: constructor)
        nextID += 1
        caches.append(CacheState(cache: cache))
        cacheAlive.append(true)
        cpuSlab.append(-1)
        if let address = cache.address { cacheIDs[address] = cache.id }
        return cache
    }

    /// Whether cache `id` exists.
    @inline(__always)
    func hasCache(_ id: Int) -> Bool { id >= 0 && id < cacheAlive.count && cacheAlive[id] }

    /// Forgets cache `id`.
    mutating func removeCache(_ id: Int) {
        caches[id] = nil
        cacheAlive[id] = false
    }

    /// Whether slot `slot` holds a slab of cache `id`.
    @inline(__always)
    func slot(_ slot: Int, belongsTo id: Int) -> Bool { slot >= 0 && slot < slabCache.count && slabCache[slot] == id }

    /// The live created cache named by `address`.
    func createdCache(_ address: KernelAddress) -> SlubCache? {
        cacheIDs[address].flatMap { caches[$0]?.cache }
    }

    /// The slabs of cache `id`, by head frame.
    func slabs(of id: Int) -> [Slab] {
        slabCache.indices.filter { slabCache[$0] == id }.map { slabs[$0]!.slab }.sorted { $0.head < $1.head }
    }

    /// Stores a slab in a free slot and returns the slot.
    mutating func addSlab(_ slab: Slab, cache: Int) -> Int {
        if let slot = freeSlots.popLast() {
            slabs[slot] = SlabSlot(cache: cache, slab: slab)
            slabCache[slot] = cache
            return slot
        }
        slabs.append(SlabSlot(cache: cache, slab: slab))
        slabCache.append(cache)
        return slabs.count - 1
    }

    /// Empties a slot and returns its slab.
    mutating func removeSlab(_ slot: Int) -> Slab {
        let slab = slabs[slot]!.slab
        slabs[slot] = nil
        slabCache[slot] = -1
        freeSlots.append(slot)
        return slab
    }

    /// Marks frames as owned by us.
    mutating func own(_ head: PageFrameNumber, order: Int, as owner: PageOwner) {
        for i in head.index..<head.index + (1 << order) { pages[i] = owner }
        if !retired.isEmpty {
            for i in head.index..<head.index + (1 << order) { retired.removeValue(forKey: i) }
        }
    }

    /// Marks frames as given back to the page allocator.
    mutating func retire(_ head: PageFrameNumber, order: Int, as owner: RetiredOwner) {
        for i in head.index..<head.index + (1 << order) {
            pages[i] = nil
            retired[i] = owner
        }
    }
}

/// Free lists: taking an object, putting one back, adding and dropping slabs.
extension SlubState {
    /// What `takeObject` found.
    enum Take {
        /// An object, now allocated.
        case object(KernelAddress)
        /// The cache has no free object: a new slab is needed.
        case empty
        /// The cache no longer exists.
        case gone
    }

    /// Takes the head of the cpu slab's free list, moving to a partial slab when the cpu slab
    /// is full (`slab_alloc_node`'s fast path and `___slab_alloc` without a new slab).
    ///
    /// Mutates the cache and slab in place, never through copies: a copy would make every
    /// allocation copy the slab's arrays.
    mutating func takeObject(from cacheID: Int, size: Int) -> Take {
        guard hasCache(cacheID) else { return .gone }
        var slot = cpuSlab[cacheID]
        if slot < 0 || slabs.withUnsafeBufferPointer({ $0[slot]!.slab.freelist.isEmpty }) {
            guard let next = caches[cacheID]!.popPartial() else { return .empty }
            slot = next
            cpuSlab[cacheID] = slot
        }
        caches[cacheID]!.live += 1
        return slabs.withUnsafeMutableBufferPointer { table in
            let index = table[slot]!.slab.freelist.removeLast()
            table[slot]!.slab.objects[index] = .allocated
            return .object(table[slot]!.slab.base + index * size)
        }
    }

    /// Adds a new slab as the cpu slab (the old cpu slab joins the partial list if it has free
    /// objects) and takes its first object; nil if the cache is gone.
    mutating func install(_ slab: Slab, in cacheID: Int) -> KernelAddress? {
        guard hasCache(cacheID) else { return nil }
        let old = cpuSlab[cacheID]
        if old >= 0, !slabs[old]!.slab.freelist.isEmpty, !caches[cacheID]!.partial.contains(old) {
            caches[cacheID]!.partial.append(old)
        }
        let slot = addSlab(slab, cache: cacheID)
        cpuSlab[cacheID] = slot
        caches[cacheID]!.slabCount += 1
        own(slab.head, order: slab.order, as: .slab(cache: cacheID, slot: slot))
        guard case .object(let object) = takeObject(from: cacheID, size: caches[cacheID]!.cache.layout.size) else { return nil }
        return object
    }

    /// Puts a freed object at the head of its slab's free list. Returns the previous head (the
    /// value of the object's new free pointer) and a slab to discard, if the slab became empty
    /// while the cache already keeps `minPartial` partial slabs (`__slab_free`).
    mutating func putObject(
        cache cacheID: Int, slot: Int, index: Int, size: Int, minPartial: Int
    ) -> (next: KernelAddress, discard: Slab?) {
        guard hasCache(cacheID), self.slot(slot, belongsTo: cacheID) else { return (.null, nil) }
        let (next, wasFull, inUse): (KernelAddress, Bool, Int) = slabs.withUnsafeMutableBufferPointer { table in
            let last = table[slot]!.slab.freelist.last
            let next = last.map { table[slot]!.slab.base + $0 * size } ?? .null
            let wasFull = last == nil
            table[slot]!.slab.freelist.append(index)
            table[slot]!.slab.objects[index] = .free
            return (next, wasFull, table[slot]!.slab.inUse)
        }
        caches[cacheID]!.live -= 1
        guard cpuSlab[cacheID] != slot else { return (next, nil) }
        if inUse == 0, Self.count(caches[cacheID]!.partial, excluding: slot) >= minPartial {
            caches[cacheID]!.partial.removeAll { $0 == slot }
            caches[cacheID]!.slabCount -= 1
            let discard = removeSlab(slot)
            retire(discard.head, order: discard.order, as: RetiredOwner(
                head: discard.head.index, slotSize: size, name: caches[cacheID]!.cache.name))
            return (next, discard)
        } else if wasFull {
            caches[cacheID]!.partial.append(slot)
        }
        return (next, nil)
    }

    /// Elements of `list` other than `slot`.
    private static func count(_ list: [Int], excluding slot: Int) -> Int {
        var n = 0
        for s in list where s != slot { n += 1 }
        return n
    }
}
