/// Allocation flags (`gfp_t`), with the kernel's bit values (include/linux/gfp_types.h).
///
/// Only the bits the harness gives meaning to are named; the composite masks
/// (`GFP_KERNEL`, `GFP_ATOMIC`) are spelled as in the kernel.
public struct GFPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw `gfp_t` bits.
    public var rawValue: UInt32
    /// Wraps raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `__GFP_IO`: may start physical I/O.
    public static let io = GFPFlags(rawValue: 0x40)
    /// `__GFP_FS`: may call into the filesystem.
    public static let fs = GFPFlags(rawValue: 0x80)
    /// `__GFP_ZERO`: return zeroed memory.
    public static let zero = GFPFlags(rawValue: 0x100)
    /// `__GFP_DIRECT_RECLAIM`: may sleep to reclaim.
    public static let directReclaim = GFPFlags(rawValue: 0x400)
    /// `__GFP_KSWAPD_RECLAIM`: may wake kswapd.
    public static let kswapdReclaim = GFPFlags(rawValue: 0x800)
    /// `__GFP_NOWARN`: do not warn on failure.
    public static let noWarn = GFPFlags(rawValue: 0x2000)
    /// `__GFP_NOFAIL`: the caller cannot handle failure; retry forever.
    public static let noFail = GFPFlags(rawValue: 0x8000)
    /// `__GFP_COMP`: a compound page (head page plus tail pages).
    public static let comp = GFPFlags(rawValue: 0x40000)
    /// `__GFP_HIGH`: may use emergency reserves.
    public static let high = GFPFlags(rawValue: 0x20)

    /// `__GFP_RECLAIM`.
    public static let reclaim: GFPFlags = [.directReclaim, .kswapdReclaim]
    /// `GFP_KERNEL`: may sleep, reclaim and do I/O.
    public static let kernel: GFPFlags = [.reclaim, .io, .fs]
    /// `GFP_ATOMIC`: must not sleep; may use reserves.
    public static let atomic: GFPFlags = [.high, .kswapdReclaim]
    /// `GFP_NOWAIT`: must not sleep.
    public static let noWait: GFPFlags = [.kswapdReclaim]
    /// `GFP_NOIO`: may reclaim, but must not start I/O.
    public static let noIO: GFPFlags = [.reclaim]
    /// `GFP_NOFS`: may reclaim and do I/O, but must not call into the filesystem.
    public static let noFS: GFPFlags = [.reclaim, .io]

    /// The kernel's names, composite masks first.
    public static let names: [(String, GFPFlags)] = [
        ("GFP_KERNEL", .kernel), ("GFP_NOFS", .noFS), ("GFP_NOIO", .noIO), ("GFP_ATOMIC", .atomic), ("GFP_NOWAIT", .noWait),
        ("__GFP_ZERO", .zero), ("__GFP_NOWARN", .noWarn), ("__GFP_NOFAIL", .noFail),
        ("__GFP_COMP", .comp), ("__GFP_HIGH", .high), ("__GFP_IO", .io), ("__GFP_FS", .fs),
        ("__GFP_DIRECT_RECLAIM", .directReclaim), ("__GFP_KSWAPD_RECLAIM", .kswapdReclaim),
    ]

    /// `GFP_KERNEL|__GFP_ZERO` style, as the kernel's `%pGg` prints.
    public var description: String {
        var rest = self
        var parts: [String] = []
        for (name, flags) in Self.names where !flags.isEmpty && rest.isSuperset(of: flags) {
            parts.append(name)
            rest.subtract(flags)
        }
        if !rest.isEmpty { parts.append("0x" + String(rest.rawValue, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }
}

/// Slab cache flags (`slab_flags_t`) with the kernel's names.
public struct SlabFlags: OptionSet, Hashable, Sendable {
    /// The raw bits (the harness's own numbering; only names are stable).
    public var rawValue: UInt32
    /// Wraps raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SLAB_POISON`: fill objects with poison patterns; free pointer kept outside the object.
    public static let poison = SlabFlags(rawValue: 1 << 0)
    /// `SLAB_HWCACHE_ALIGN`: align objects to cache lines.
    public static let hwcacheAlign = SlabFlags(rawValue: 1 << 1)
    /// `SLAB_TYPESAFE_BY_RCU`: freed objects stay type-stable until an RCU grace period.
    public static let typesafeByRCU = SlabFlags(rawValue: 1 << 2)

    /// The kernel's names.
    public static let names: [(String, SlabFlags)] = [
        ("SLAB_POISON", .poison), ("SLAB_HWCACHE_ALIGN", .hwcacheAlign), ("SLAB_TYPESAFE_BY_RCU", .typesafeByRCU),
    ]
}
