import KMSAN
import KernelMemory

extension StandardOps {
    /// Sizes worth asking kmalloc for: up to KMALLOC_MAX_SIZE (order-10 pages).
    static let kmallocSizes: ClosedRange<Int64> = 0...(4 << 20)
    /// Object sizes worth giving a cache.
    static let objectSizes: ClosedRange<Int64> = 1...8192
    /// Alignments worth asking for (0 is the default).
    static let alignments: ClosedRange<Int64> = 0...4096

    /// The slab allocator's ops. Pointers come back as `.pointer(address)`, 0 on failure;
    /// `ksize` returns an initialized integer.
    static let slab: [ScenarioOp] = [
        ScenarioOp(
            "kmem_cache_create",
            [.init("name", .string), .init("size", .integer, range: objectSizes), .init("align", .integer, range: alignments),
             .init("flags", .slabFlags)],
            returnsValue: true, result: .kmemCache,
            help: "a new slab cache; flags may include SLAB_HWCACHE_ALIGN, SLAB_TYPESAFE_BY_RCU, SLAB_POISON and the pseudo flag SLAB_CTOR_ZERO (a zeroing ctor)"
        ) { inv throws(OpError) in
            let cache = try slab(inv).kmemCacheCreate(
                try inv.string(0), size: try inv.integer(1), align: try inv.integer(2), flags: try inv.slabFlags(3),
                constructor: nil, on: inv.cpu)
            return .pointer(cache ?? .null)
        },
        ScenarioOp("kmem_cache_alloc", [.init("cache", .pointer, resource: .kmemCache), .init("gfp", .gfp)], returnsValue: true,
                   result: .slabObject,
                   help: "an object of the cache, poisoned (unpoisoned with __GFP_ZERO); with a ctor or "
                       + "SLAB_TYPESAFE_BY_RCU kmsan_slab_alloc does nothing, so it keeps its last use's state "
                       + "(a fresh one: the ctor's or the new slab's); __GFP_ZERO still zeroes it, and warns on "
                       + "a new ctor slab") { inv throws(OpError) in
            .pointer(try slab(inv).kmemCacheAlloc(try inv.pointer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("kmem_cache_free", [.init("cache", .pointer, resource: .kmemCache), .init("obj", .pointer, resource: .slabObject)],
                   returnsValue: false, help: "free an object of the cache (poisoned with the use-after-free bit)") { inv throws(OpError) in
            try slab(inv).kmemCacheFree(try inv.pointer(0), try inv.pointer(1), on: inv.cpu)
            return nil
        },
        ScenarioOp("kmem_cache_destroy", [.init("cache", .pointer, resource: .kmemCache)], returnsValue: false,
                   help: "destroy a cache; one with live objects is a HARNESS misuse and stays") { inv throws(OpError) in
            try slab(inv).kmemCacheDestroy(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("kmalloc", [.init("size", .integer, range: kmallocSizes), .init("gfp", .gfp)], returnsValue: true, result: .slabObject,
                   help: "size classes kmalloc-8 ... kmalloc-8k, page blocks above 8 KiB; uninitialized unless __GFP_ZERO") { inv throws(OpError) in
            .pointer(try slab(inv).kmalloc(try inv.size(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("kzalloc", [.init("size", .integer, range: kmallocSizes), .init("gfp", .gfp)], returnsValue: true, result: .slabObject,
                   help: "kmalloc with __GFP_ZERO: initialized memory") { inv throws(OpError) in
            .pointer(try slab(inv).kzalloc(try inv.size(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("krealloc", [.init("p", .pointer, resource: .slabObject), .init("size", .integer, range: kmallocSizes), .init("gfp", .gfp)],
                   returnsValue: true, result: .slabObject,
                   help: "resize; kept bytes keep their shadow and origin; size 0 frees") { inv throws(OpError) in
            .pointer(try slab(inv).krealloc(try inv.pointer(0), size: try inv.size(1), gfp: try inv.gfp(2), on: inv.cpu) ?? .null)
        },
        ScenarioOp("kfree", [.init("p", .pointer, resource: .slabObject)], returnsValue: false,
                   help: "free a kmalloc'ed (or any slab) object; NULL is ignored") { inv throws(OpError) in
            try slab(inv).kfree(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("ksize", [.init("p", .pointer, resource: .slabObject)], returnsValue: true,
                   help: "__ksize: slab_ksize of the cache for any pointer into a slab page (live, freed or "
                       + "interior, as with KMSAN and no KASAN); a kmalloc_large block's size from its start; "
                       + "0 for NULL and memory the slab allocator does not own") { inv throws(OpError) in
            .initialized(UInt64(try slab(inv).ksize(try inv.pointer(0), on: inv.cpu)), width: .bits64)
        },
    ]

    /// The machine's slab allocator, or an `OpError` naming the missing subsystem.
    private static func slab(_ inv: OpInvocation) throws(OpError) -> any SlabSubsystem { try inv.subsystem(.slab) }
}
