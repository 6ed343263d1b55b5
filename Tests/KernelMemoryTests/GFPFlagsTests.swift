import KernelMemory
import Testing

/// `GFPFlags` bit values (include/linux/gfp_types.h) and `%pGg`-style printing.
@Suite("GFP flags")
struct GFPFlagsTests {
    /// Each named single bit has the kernel's value.
    @Test("single bits match the kernel", arguments: [
        (GFPFlags.high, UInt32(0x20), "__GFP_HIGH"),
        (GFPFlags.io, UInt32(0x40), "__GFP_IO"),
        (GFPFlags.fs, UInt32(0x80), "__GFP_FS"),
        (GFPFlags.zero, UInt32(0x100), "__GFP_ZERO"),
        (GFPFlags.directReclaim, UInt32(0x400), "__GFP_DIRECT_RECLAIM"),
        (GFPFlags.kswapdReclaim, UInt32(0x800), "__GFP_KSWAPD_RECLAIM"),
        (GFPFlags.noWarn, UInt32(0x2000), "__GFP_NOWARN"),
        (GFPFlags.noFail, UInt32(0x8000), "__GFP_NOFAIL"),
        (GFPFlags.comp, UInt32(0x40000), "__GFP_COMP"),
    ])
    func singleBits(flag: GFPFlags, raw: UInt32, name: String) {
        #expect(flag.rawValue == raw, "\(name)")
        #expect(raw.nonzeroBitCount == 1)
    }

    /// The composite masks are spelled as in the kernel.
    @Test("GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT and __GFP_RECLAIM have the kernel's values")
    func compositeMasks() {
        #expect(GFPFlags.reclaim.rawValue == 0xc00)
        #expect(GFPFlags.reclaim == [.directReclaim, .kswapdReclaim])
        #expect(GFPFlags.kernel.rawValue == 0xcc0)
        #expect(GFPFlags.kernel == [.reclaim, .io, .fs])
        #expect(GFPFlags.atomic.rawValue == 0x820)
        #expect(GFPFlags.atomic == [.high, .kswapdReclaim])
        #expect(GFPFlags.noWait.rawValue == 0x800)
    }

    /// GFP_KERNEL may sleep; GFP_ATOMIC may not.
    @Test("GFP_KERNEL allows direct reclaim and GFP_ATOMIC does not")
    func sleepability() {
        #expect(GFPFlags.kernel.contains(.directReclaim))
        #expect(!GFPFlags.atomic.contains(.directReclaim))
        #expect(GFPFlags.atomic.contains(.high))
        #expect(!GFPFlags.kernel.contains(.high))
    }

    /// No two single-bit names share a bit.
    @Test("single-bit flags are distinct")
    func distinctBits() {
        let bits: [GFPFlags] = [.high, .io, .fs, .zero, .directReclaim, .kswapdReclaim, .noWarn, .noFail, .comp]
        let union = bits.reduce(GFPFlags()) { $0.union($1) }
        #expect(union.rawValue.nonzeroBitCount == bits.count)
    }

    // MARK: description

    /// Composite masks print by name first, then the remaining single bits.
    @Test("descriptions use kernel names", arguments: [
        (GFPFlags([.kernel, .zero]), "GFP_KERNEL|__GFP_ZERO"),
        (GFPFlags.kernel, "GFP_KERNEL"),
        (GFPFlags.atomic, "GFP_ATOMIC"),
        (GFPFlags([.atomic, .noWarn]), "GFP_ATOMIC|__GFP_NOWARN"),
        (GFPFlags([.kernel, .comp, .noFail]), "GFP_KERNEL|__GFP_NOFAIL|__GFP_COMP"),
        (GFPFlags.zero, "__GFP_ZERO"),
        (GFPFlags.directReclaim, "__GFP_DIRECT_RECLAIM"),
    ])
    func descriptions(flags: GFPFlags, expected: String) {
        #expect(flags.description == expected)
        #expect("\(flags)" == expected)
    }

    /// A partial composite is not printed under the composite's name.
    @Test("an incomplete GFP_KERNEL is not called GFP_KERNEL")
    func partialCompositeIsNotNamed() {
        let flags: GFPFlags = [.directReclaim, .io, .fs] // GFP_KERNEL without __GFP_KSWAPD_RECLAIM
        #expect(!flags.description.contains("GFP_KERNEL"))
        #expect(flags.description == "__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM")
    }

    /// The empty set prints as "0".
    @Test("empty flags print as 0")
    func emptyDescription() {
        #expect(GFPFlags().description == "0")
        #expect(GFPFlags(rawValue: 0).description == "0")
    }

    /// Bits without a name are printed in hex after the named ones.
    @Test("unnamed bits print as hex")
    func unnamedBits() {
        #expect(GFPFlags(rawValue: 0x1).description == "0x1")
        #expect(GFPFlags(rawValue: 0xcc0 | 0x10_0000).description == "GFP_KERNEL|0x100000")
    }

    /// Every printed name is one of the kernel's names and each name appears at most once.
    @Test("names are unique and non-empty masks")
    func namesTable() {
        let names = GFPFlags.names.map(\.0)
        #expect(Set(names).count == names.count)
        #expect(GFPFlags.names.allSatisfy { !$0.1.isEmpty })
        #expect(names.first == "GFP_KERNEL")
    }

    /// Slab flags are distinct bits with the kernel's names.
    @Test("slab flags are distinct and named")
    func slabFlags() {
        let all: SlabFlags = [.poison, .hwcacheAlign, .typesafeByRCU]
        #expect(all.rawValue.nonzeroBitCount == 3)
        #expect(SlabFlags.names.map(\.0) == ["SLAB_POISON", "SLAB_HWCACHE_ALIGN", "SLAB_TYPESAFE_BY_RCU"])
    }
}
