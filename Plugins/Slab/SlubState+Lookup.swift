import HarnessCore
import KMSAN
import KernelMemory

/// Finding what an address is (`virt_to_slab`, `slab->slab_cache`, the object index) and
/// starting a free.
extension SlubState {
    /// What an address points at.
    enum Lookup {
        /// The start of object `index` of the slab in slot `slab`, in `cache`.
        case object(cache: SlubCache, slab: Int, index: Int, state: ObjectState)
        /// A byte inside object `object` of `cache` (an interior pointer).
        case interior(cache: SlubCache, object: KernelAddress)
        /// A `kmalloc_large` block: its head frame, order and requested size; `isStart` if the
        /// address is the block's first byte.
        case large(head: PageFrameNumber, order: Int, size: Int, isStart: Bool)
        /// Frames that were ours and went back to the page allocator; `atObject` if the address
        /// is where an object (or block) started.
        case retired(RetiredOwner, atObject: Bool)
        /// Nothing the slab allocator knows.
        case unknown
    }

    /// What `address` (a direct-map address whose frame is `pfn`) points at.
    func lookup(_ address: KernelAddress, pfn: PageFrameNumber?, space: AddressSpace) -> Lookup {
        guard let pfn, pfn.index >= 0, pfn.index < pages.count else { return .unknown }
        if let owner = pages[pfn.index] {
            switch owner {
            case .large(let head, let order, let size):
                let start = space.directMapAddress(of: PageFrameNumber(head))
                return .large(head: PageFrameNumber(head), order: order, size: size, isStart: address == start)
            case .slab(let cacheID, let slot):
                guard hasCache(cacheID), self.slot(slot, belongsTo: cacheID) else { return .unknown }
                let cache = caches[cacheID]!.cache
                let size = cache.layout.size
                return slabs.withUnsafeBufferPointer { table in
                    let base = table[slot]!.slab.base
                    let offset = address - base
                    let index = offset / size
                    guard offset >= 0, index < table[slot]!.slab.objects.count else { return .unknown }
                    if offset % size != 0 {
                        return .interior(cache: cache, object: base + index * size)
                    }
                    return .object(cache: cache, slab: slot, index: index, state: table[slot]!.slab.objects[index])
                }
            }
        }
        if let old = retired[pfn.index] {
            let offset = address - space.directMapAddress(of: PageFrameNumber(old.head))
            return .retired(old, atObject: offset % (old.slotSize ?? Int.max) == 0)
        }
        return .unknown
    }

    /// Marks a live object as being freed (it stays counted as live until `putObject`).
    mutating func beginFree(cache cacheID: Int, slab slot: Int, index: Int) {
        guard self.slot(slot, belongsTo: cacheID) else { return }
        slabs[slot]!.slab.objects[index] = .freeing
    }

    /// Forgets a `kmalloc_large` block that is being freed.
    mutating func endLarge(_ head: PageFrameNumber, order: Int) {
        retire(head, order: order, as: RetiredOwner(head: head.index, slotSize: nil, name: "kmalloc_large"))
    }

    /// Every object not on a free list, and every `kmalloc_large` block, by address.
    func liveAllocations(space: AddressSpace) -> [OutstandingAllocation] {
        var out: [OutstandingAllocation] = []
        for case let entry? in slabs {
            guard let state = caches[entry.cache], state.cache.kind != .bootstrap else { continue }
            let layout = state.cache.layout
            do {
                let slab = entry.slab
                for (i, s) in slab.objects.enumerated() where s != .free {
                    out.append(OutstandingAllocation(
                        address: (slab.base + i * layout.size).raw, size: layout.objectSize, kind: state.cache.leakKind))
                }
            }
        }
        for (pfn, owner) in pages.enumerated() {
            guard case .large(let head, let order, let size)? = owner, head == pfn else { continue }
            out.append(OutstandingAllocation(
                address: space.directMapAddress(of: PageFrameNumber(head)).raw, size: size, kind: "kmalloc_large order \(order)"))
        }
        return out.sorted { $0.address < $1.address }
    }
}
