import HarnessCore
import KMSAN
import KernelMemory

/// The slab plugin's scenario ops. Pointers come back as `.pointer(address)`, 0 on failure;
/// `ksize` returns an initialized integer.
extension SlabPlugin {
    /// `kmem_cache_create`, `kmem_cache_alloc`, `kmem_cache_free`, `kmem_cache_destroy`,
    /// `kmalloc`, `kzalloc`, `krealloc`, `kfree` and `ksize`, with the kernel's argument order.
    public var ops: [ScenarioOp] {
        [
            ScenarioOp(
                "kmem_cache_create", [.init("name", .string), .init("size", .integer), .init("align", .integer), .init("flags", .slabFlags)],
                returnsValue: true,
                help: "a new slab cache; flags may include SLAB_HWCACHE_ALIGN, SLAB_TYPESAFE_BY_RCU, SLAB_POISON and the pseudo flag SLAB_CTOR_ZERO (a zeroing ctor)"
            ) { inv throws(OpError) in
                let cache = try Self.slab(inv).kmemCacheCreate(
                    try inv.string(0), size: try inv.integer(1), align: try inv.integer(2), flags: try inv.slabFlags(3),
                    constructor: nil, on: inv.cpu)
                return .pointer(cache ?? .null)
            },
            ScenarioOp("kmem_cache_alloc", [.init("cache", .pointer), .init("gfp", .gfp)], returnsValue: true,
                       help: "an object of the cache (uninitialized unless __GFP_ZERO, a ctor or SLAB_TYPESAFE_BY_RCU)") { inv throws(OpError) in
                .pointer(try Self.slab(inv).kmemCacheAlloc(try inv.pointer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
            },
            ScenarioOp("kmem_cache_free", [.init("cache", .pointer), .init("obj", .pointer)], returnsValue: false,
                       help: "free an object of the cache (poisoned with the use-after-free bit)") { inv throws(OpError) in
                try Self.slab(inv).kmemCacheFree(try inv.pointer(0), try inv.pointer(1), on: inv.cpu)
                return nil
            },
            ScenarioOp("kmem_cache_destroy", [.init("cache", .pointer)], returnsValue: false,
                       help: "destroy a cache; one with live objects is a HARNESS misuse and stays") { inv throws(OpError) in
                try Self.slab(inv).kmemCacheDestroy(try inv.pointer(0), on: inv.cpu)
                return nil
            },
            ScenarioOp("kmalloc", [.init("size", .integer), .init("gfp", .gfp)], returnsValue: true,
                       help: "size classes kmalloc-8 ... kmalloc-8k, page blocks above 8 KiB; uninitialized unless __GFP_ZERO") { inv throws(OpError) in
                .pointer(try Self.slab(inv).kmalloc(try inv.integer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
            },
            ScenarioOp("kzalloc", [.init("size", .integer), .init("gfp", .gfp)], returnsValue: true,
                       help: "kmalloc with __GFP_ZERO: initialized memory") { inv throws(OpError) in
                .pointer(try Self.slab(inv).kzalloc(try inv.integer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
            },
            ScenarioOp("krealloc", [.init("p", .pointer), .init("size", .integer), .init("gfp", .gfp)], returnsValue: true,
                       help: "resize; kept bytes keep their shadow and origin; size 0 frees") { inv throws(OpError) in
                .pointer(try Self.slab(inv).krealloc(try inv.pointer(0), size: try inv.integer(1), gfp: try inv.gfp(2), on: inv.cpu) ?? .null)
            },
            ScenarioOp("kfree", [.init("p", .pointer)], returnsValue: false,
                       help: "free a kmalloc'ed (or any slab) object; NULL is ignored") { inv throws(OpError) in
                try Self.slab(inv).kfree(try inv.pointer(0), on: inv.cpu)
                return nil
            },
            ScenarioOp("ksize", [.init("p", .pointer)], returnsValue: true,
                       help: "usable size of a live allocation (the whole size class), 0 otherwise") { inv throws(OpError) in
                .initialized(UInt64(try Self.slab(inv).ksize(try inv.pointer(0), on: inv.cpu)), width: .bits64)
            },
        ]
    }

    /// The machine's slab allocator, or an error naming the missing plugin.
    static func slab(_ inv: OpInvocation) throws(OpError) -> any SlabSubsystem {
        guard let slab = inv.machine.slab else { throw OpError("no slab allocator: the machine has no SlabPlugin") }
        return slab
    }
}
