import HarnessCore
import KMSAN
import KernelMemory

/// One SLUB cache (`struct kmem_cache`): what stays fixed from `kmem_cache_create` to
/// `kmem_cache_destroy`. The mutable part (slabs, free lists) is `SlubState.CacheState`.
final class SlubCache: Sendable {
    /// Who created a cache.
    enum Kind: Sendable, Equatable {
        /// A `kmalloc-N` size class, created at boot.
        case kmalloc
        /// The `kmem_cache` cache the `struct kmem_cache` of every created cache comes from.
        case bootstrap
        /// A cache made by `kmem_cache_create`, named by its `struct kmem_cache *`.
        case created(KernelAddress)
    }

    /// Index of the cache in `SlubState.caches`.
    let id: Int
    /// `s->name`.
    let name: String
    /// What kind of cache it is.
    let kind: Kind
    /// Object geometry: object size, slot size, alignment, free pointer offset, slab order.
    let layout: SlabLayout
    /// `s->flags` (the pseudo flag `SLAB_CTOR_ZERO` removed).
    let flags: SlabFlags
    /// `s->ctor`.
    let constructor: SlabConstructor?
    /// What KMSAN's slab hooks are told about the cache.
    let descriptor: SlabCacheDescriptor

    /// Creates a cache record.
    init(id: Int, name: String, kind: Kind, layout: SlabLayout, flags: SlabFlags, constructor: SlabConstructor?) {
        self.id = id
        self.name = name
        self.kind = kind
        self.layout = layout
        self.flags = flags
        self.constructor = constructor
        descriptor = SlabCacheDescriptor(objectSize: layout.objectSize, hasConstructor: constructor != nil, flags: flags)
    }

    /// The `struct kmem_cache *` of a created cache.
    var address: KernelAddress? {
        if case .created(let address) = kind { return address }
        return nil
    }

    /// `__OBJECT_POISON`: `SLAB_POISON` without a constructor or RCU type safety, so free
    /// objects are filled with `POISON_FREE` (and `POISON_END` in their last byte).
    var poisonsObjects: Bool { flags.contains(.poison) && constructor == nil && !flags.contains(.typesafeByRCU) }

    /// `slab_ksize`: `SLAB_POISON` caches give only the object; `SLAB_TYPESAFE_BY_RCU` caches
    /// the bytes before the free pointer (`inuse`); every other cache the whole slot.
    var usableSize: Int {
        if flags.contains(.poison) { return layout.objectSize }
        if flags.contains(.typesafeByRCU) { return layout.inuse }
        return layout.size
    }

    /// The name a leak report gives an object of this cache (`kmalloc-64`, or the cache's name).
    var leakKind: String { name }
}

/// SLUB's fill patterns for `SLAB_POISON` caches (include/linux/poison.h).
enum SlabPoison {
    /// `POISON_INUSE`: a new slab's bytes before objects are set up.
    static let inUse: UInt8 = 0x5a
    /// `POISON_FREE`: a free object's bytes.
    static let free: UInt8 = 0x6b
    /// `POISON_END`: the last byte of a free object.
    static let end: UInt8 = 0xa5
}
