import HarnessCore
import KMSAN
import KernelMemory

/// Everything the slab allocator of one machine keeps, guarded by one `Locked` (the
/// `slab_mutex`, `list_lock` and slab locks of mm/slub.c rolled into one).
///
/// The free lists are kept here, not read back from simulated memory: SLUB also writes each
/// free pointer into its object (so that KMSAN sees those bytes become initialized), but a
/// buggy scenario that scribbles over a freed object cannot corrupt the allocator itself.
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

    /// The mutable part of one cache.
    struct CacheState {
        /// The fixed part.
        var cache: SlubCache
        /// Slabs by head frame index.
        var slabs: [Int: Slab] = [:]
        /// The slab allocations come from first (SLUB's cpu slab, shared by all CPUs here).
        var cpuSlab: Int?
        /// Other slabs with free objects (the partial list), oldest first.
        var partial: [Int] = []
        /// Objects allocated or being freed.
        var live = 0
    }

    /// What owns a live frame.
    enum PageOwner: Equatable {
        /// A slab of cache `cache` whose head frame is `head`.
        case slab(cache: Int, head: Int)
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

    /// Caches by id; destroyed caches are removed.
    var caches: [Int: CacheState] = [:]
    /// Created caches by their `struct kmem_cache *`.
    var cacheIDs: [KernelAddress: Int] = [:]
    /// Owners of live slab and `kmalloc_large` frames, by frame index (`struct page` fields).
    var pages: [Int: PageOwner] = [:]
    /// Frames that were ours and went back to the page allocator.
    var retired: [Int: RetiredOwner] = [:]
    /// The next cache id.
    var nextID = 0

    /// Records a new cache and returns it.
    mutating func addCache(
        name: String, kind: SlubCache.Kind, layout: SlabLayout, flags: SlabFlags, constructor: SlabConstructor?
    ) -> SlubCache {
        let cache = SlubCache(id: nextID, name: name, kind: kind, layout: layout, flags: flags, constructor: constructor)
        nextID += 1
        caches[cache.id] = CacheState(cache: cache)
        if let address = cache.address { cacheIDs[address] = cache.id }
        return cache
    }

    /// The live created cache named by `address`.
    func createdCache(_ address: KernelAddress) -> SlubCache? {
        cacheIDs[address].flatMap { caches[$0]?.cache }
    }

    /// Marks frames as owned by us.
    mutating func own(_ head: PageFrameNumber, order: Int, as owner: PageOwner) {
        for i in head.index..<head.index + (1 << order) {
            pages[i] = owner
            retired[i] = nil
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
    /// Mutates the cache and slab in place (`caches[id]!`), never through copies: a copy would
    /// make every allocation copy the cache's slab table and the slab's arrays.
    mutating func takeObject(from cacheID: Int) -> Take {
        guard caches[cacheID] != nil else { return .gone }
        return Self.take(from: &caches[cacheID]!)
    }

    private static func take(from state: inout CacheState) -> Take {
        if state.cpuSlab.map({ state.slabs[$0]?.freelist.isEmpty ?? true }) ?? true {
            guard !state.partial.isEmpty else { return .empty }
            state.cpuSlab = state.partial.removeFirst()
        }
        let head = state.cpuSlab!
        let index = state.slabs[head]!.freelist.removeLast()
        state.slabs[head]!.objects[index] = .allocated
        state.live += 1
        return .object(state.slabs[head]!.base + index * state.cache.layout.size)
    }

    /// Adds a new slab as the cpu slab (the old cpu slab joins the partial list if it has free
    /// objects) and takes its first object; nil if the cache is gone.
    mutating func install(_ slab: Slab, in cacheID: Int) -> KernelAddress? {
        guard var state = caches[cacheID] else { return nil }
        if let old = state.cpuSlab, let s = state.slabs[old], !s.freelist.isEmpty, !state.partial.contains(old) {
            state.partial.append(old)
        }
        state.slabs[slab.head.index] = slab
        state.cpuSlab = slab.head.index
        caches[cacheID] = state
        own(slab.head, order: slab.order, as: .slab(cache: cacheID, head: slab.head.index))
        guard case .object(let object) = takeObject(from: cacheID) else { return nil }
        return object
    }

    /// Puts a freed object at the head of its slab's free list. Returns the previous head (the
    /// value of the object's new free pointer) and a slab to discard, if the slab became empty
    /// while the cache already keeps `minPartial` partial slabs (`__slab_free`).
    mutating func putObject(
        cache cacheID: Int, slab head: Int, index: Int, minPartial: Int
    ) -> (next: KernelAddress, discard: Slab?) {
        guard caches[cacheID]?.slabs[head] != nil else { return (.null, nil) }
        let (next, discard, size, name) = Self.put(into: &caches[cacheID]!, slab: head, index: index, minPartial: minPartial)
        if let discard {
            retire(discard.head, order: discard.order, as: RetiredOwner(head: head, slotSize: size, name: name))
        }
        return (next, discard)
    }

    private static func put(
        into state: inout CacheState, slab head: Int, index: Int, minPartial: Int
    ) -> (KernelAddress, Slab?, Int, String) {
        let size = state.cache.layout.size
        let (next, wasFull, inUse): (KernelAddress, Bool, Int) = {
            let slab = state.slabs[head]!
            return (slab.freelist.last.map { slab.base + $0 * size } ?? .null, slab.freelist.isEmpty, slab.inUse - 1)
        }()
        state.slabs[head]!.freelist.append(index)
        state.slabs[head]!.objects[index] = .free
        state.live -= 1
        var discard: Slab?
        if state.cpuSlab != head {
            if inUse == 0, state.partial.filter({ $0 != head }).count >= minPartial {
                state.partial.removeAll { $0 == head }
                discard = state.slabs.removeValue(forKey: head)
            } else if wasFull {
                state.partial.append(head)
            }
        }
        return (next, discard, size, state.cache.name)
    }
}
