import KernelMemory

/// How SLUB lays out the objects of one cache: what `calculate_alignment`, `calculate_sizes` and
/// `calculate_order` (mm/slub.c, mm/slab_common.c) decide when the cache is created.
///
/// ```
///  slot (size)
///  |<------------------------------------------------------->|
///  | object_size bytes ... | [free pointer, if outside] | pad |
///  |<------ inuse -------->|
/// ```
///
/// The free pointer of an ordinary cache lives *inside* the object, at
/// `ALIGN_DOWN(object_size / 2, 8)`, so that a small overflow does not corrupt it. Caches with a
/// constructor, `SLAB_TYPESAFE_BY_RCU` or `SLAB_POISON` must keep the object's contents while it
/// is free, so their free pointer goes right after the object (`offset == inuse`).
public struct SlabLayout: Sendable, Equatable {
    /// `object_size`: the bytes the creator asked for.
    public var objectSize: Int
    /// `align`: the alignment of every slot.
    public var align: Int
    /// `inuse`: `object_size` rounded up to a word; where metadata after the object starts.
    public var inuse: Int
    /// `offset`: where the free pointer lives, from the start of the object.
    public var freePointerOffset: Int
    /// `size`: the bytes of one slot (object, outside free pointer, padding to `align`).
    public var size: Int
    /// The page order of one slab (`oo`).
    public var order: Int
    /// The smallest order that holds one object (`s->min`), the fallback when `order` fails.
    public var minOrder: Int

    /// `cache_line_size()` on x86-64.
    public static let cacheLineSize = 64
    /// `ARCH_SLAB_MINALIGN` (`__alignof__(unsigned long long)`).
    public static let minimumAlignment = 8
    /// `slub_max_order` (`PAGE_ALLOC_COSTLY_ORDER`).
    public static let maxOrder = 3
    /// `MAX_PAGE_ORDER`: the largest block the page allocator hands out.
    public static let maxPageOrder = 10
    /// `MAX_OBJS_PER_PAGE` (`slab->objects` is 15 bits).
    static let maxObjectsPerSlab = 32767
    /// The CPU count `calculate_order` assumes (`nr_cpu_ids`): the harness models a 2-CPU guest.
    public static let possibleCPUs = 2

    /// Whether the free pointer is kept outside the object.
    public var freePointerIsOutside: Bool { freePointerOffset >= inuse }

    /// Objects in one slab of `order` (`oo_objects`).
    public var objectsPerSlab: Int { slabBytes / size }

    /// Bytes of one slab.
    public var slabBytes: Int { PAGE_SIZE << order }

    /// Lays out a cache of `objectSize`-byte objects, or returns nil when no slab of at most
    /// `MAX_PAGE_ORDER` holds one object. `align` must be 0 or a power of two.
    public init?(objectSize: Int, align: Int, flags: SlabFlags, hasConstructor: Bool) {
        guard objectSize > 0, objectSize <= PAGE_SIZE << Self.maxPageOrder, align >= 0, align <= PAGE_SIZE << Self.maxPageOrder,
              align == 0 || align & (align - 1) == 0 else { return nil }
        self.objectSize = objectSize
        self.align = Self.alignment(flags: flags, align: align, size: objectSize)
        var size = Self.alignUp(objectSize, to: 8)
        inuse = size
        if hasConstructor || !flags.isDisjoint(with: [.typesafeByRCU, .poison]) {
            freePointerOffset = size
            size += 8
        } else {
            freePointerOffset = (objectSize / 2) & ~7
        }
        self.size = Self.alignUp(size, to: self.align)
        minOrder = getOrder(self.size)
        guard let order = Self.slabOrder(forSlot: self.size), minOrder <= Self.maxPageOrder else { return nil }
        self.order = order
    }

    /// `calculate_alignment`: `SLAB_HWCACHE_ALIGN` asks for a cache line, halved while the object
    /// fits in half of it; never below `ARCH_SLAB_MINALIGN`; always a multiple of a word.
    public static func alignment(flags: SlabFlags, align: Int, size: Int) -> Int {
        var align = align
        if flags.contains(.hwcacheAlign) {
            var lineAlign = cacheLineSize
            while size <= lineAlign / 2 { lineAlign /= 2 }
            align = max(align, lineAlign)
        }
        align = max(align, minimumAlignment)
        return alignUp(align, to: 8)
    }

    /// `calculate_order`: the smallest order that holds `min_objects` objects and wastes at most
    /// 1/16 of the slab (then 1/8, 1/4, 1/2), up to `slub_max_order`; else the order of one object.
    static func slabOrder(forSlot size: Int) -> Int? {
        func objects(_ order: Int) -> Int { (PAGE_SIZE << order) / size }
        let maxObjects = max(objects(maxOrder), 1)
        let minObjects = min(4 * (bitWidth(of: possibleCPUs) + 1), maxObjects)
        let minOrder = getOrder(minObjects * size)
        if objects(minOrder) > maxObjectsPerSlab { return getOrder(size * maxObjectsPerSlab) - 1 }
        var fraction = 16
        while fraction > 1 {
            var order = minOrder
            while order <= maxOrder {
                let slab = PAGE_SIZE << order
                if slab % size <= slab / fraction { break }
                order += 1
            }
            if order <= maxOrder { return order }
            fraction /= 2
        }
        let order = getOrder(size)
        return order <= maxPageOrder ? order : nil
    }

    /// `fls(x)`: the 1-based index of the highest set bit (0 for 0).
    static func bitWidth(of x: Int) -> Int { x <= 0 ? 0 : Int.bitWidth - x.leadingZeroBitCount }

    /// `ALIGN(x, a)` for a power of two `a`.
    static func alignUp(_ x: Int, to a: Int) -> Int { (x + a - 1) & ~(a - 1) }
}
