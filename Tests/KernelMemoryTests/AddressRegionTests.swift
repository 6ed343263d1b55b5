import KernelMemory
import Testing

/// The region table of the simulated x86-64 address space (`AddressRegion`).
@Suite("Address regions")
struct AddressRegionTests {
    /// Each region's bounds as documented in `AddressRegion`.
    static let documented: [(AddressRegion, UInt64, UInt64)] = [
        (.user, 0x0000_0000_0001_0000, 0x0000_7fff_ffff_f000),
        (.directMap, 0xffff_8880_0000_0000, 0xffff_c880_0000_0000),
        (.vmalloc, 0xffff_c900_0000_0000, 0xffff_e900_0000_0000),
        (.vmemmap, 0xffff_ea00_0000_0000, 0xffff_eb00_0000_0000),
    ]

    /// The table above covers every region exactly once.
    @Test("the documented table lists every region")
    func tableIsComplete() {
        #expect(Self.documented.map(\.0) == AddressRegion.allCases)
    }

    /// Every region starts and ends where the documentation says.
    @Test("region bounds match the documentation", arguments: documented)
    func bounds(region: AddressRegion, start: UInt64, end: UInt64) {
        #expect(region.start == KernelAddress(start))
        #expect(region.end == KernelAddress(end))
        #expect(region.start < region.end)
    }

    /// The exported kernel constants alias the region bounds.
    @Test("PAGE_OFFSET, TASK_SIZE, VMALLOC_*, VMEMMAP_START have the kernel's values")
    func kernelConstants() {
        #expect(PAGE_OFFSET == KernelAddress(0xffff_8880_0000_0000))
        #expect(TASK_SIZE == KernelAddress(0x0000_7fff_ffff_f000))
        #expect(VMALLOC_START == KernelAddress(0xffff_c900_0000_0000))
        #expect(VMALLOC_END == KernelAddress(0xffff_e900_0000_0000))
        #expect(VMEMMAP_START == KernelAddress(0xffff_ea00_0000_0000))
        #expect(STRUCT_PAGE_SIZE == 64)
    }

    /// A region contains its first byte and its last byte.
    @Test("a region contains its first and last byte", arguments: AddressRegion.allCases)
    func containsItsBounds(region: AddressRegion) {
        #expect(region.contains(region.start))
        #expect(region.contains(region.end - 1))
        #expect(AddressRegion.containing(region.start) == region)
        #expect(AddressRegion.containing(region.end - 1) == region)
    }

    /// A region does not contain the byte before its start or its (exclusive) end.
    @Test("a region does not contain the byte before it or its end", arguments: AddressRegion.allCases)
    func doesNotContainOutside(region: AddressRegion) {
        #expect(!region.contains(region.start - 1))
        #expect(!region.contains(region.end))
    }

    /// No two regions overlap: sorted by start, each ends at or before the next begins.
    @Test("regions do not overlap")
    func noOverlap() {
        let sorted = AddressRegion.allCases.sorted { $0.start < $1.start }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            #expect(a.end <= b.start, "\(a) [\(a.start), \(a.end)) overlaps \(b) [\(b.start), \(b.end))")
        }
        for a in AddressRegion.allCases {
            for b in AddressRegion.allCases where a != b {
                #expect(!b.contains(a.start), "\(b) contains the start of \(a)")
                #expect(!b.contains(a.end - 1), "\(b) contains the last byte of \(a)")
            }
        }
    }

    /// Addresses in the holes between regions belong to no region.
    @Test("containing returns nil for holes", arguments: [
        UInt64(0),                       // NULL page
        UInt64(0xffff),                  // last byte below the user range
        UInt64(0x0000_7fff_ffff_f000),   // TASK_SIZE itself (guard page)
        UInt64(0x0000_8000_0000_0000),   // non-canonical
        UInt64(0xffff_8000_0000_0000),   // below PAGE_OFFSET (guard hole / LDT)
        UInt64(0xffff_887f_ffff_ffff),   // last byte before PAGE_OFFSET
        UInt64(0xffff_c880_0000_0000),   // end of the direct map
        UInt64(0xffff_c8ff_ffff_ffff),   // last byte before VMALLOC_START
        UInt64(0xffff_e900_0000_0000),   // VMALLOC_END
        UInt64(0xffff_e9ff_ffff_ffff),   // last byte before VMEMMAP_START
        UInt64(0xffff_eb00_0000_0000),   // end of vmemmap
        UInt64(0xffff_ffff_8100_0000),   // kernel text: not modelled
        UInt64.max,
    ])
    func holesHaveNoRegion(raw: UInt64) {
        #expect(AddressRegion.containing(KernelAddress(raw)) == nil)
    }

    /// Addresses inside a region map to that region.
    @Test("containing finds the region of an inner address", arguments: [
        (UInt64(0x0000_5555_5555_4000), AddressRegion.user),
        (UInt64(0xffff_8880_0123_4567), AddressRegion.directMap),
        (UInt64(0xffff_c900_0000_1000), AddressRegion.vmalloc),
        (UInt64(0xffff_ea00_0000_0040), AddressRegion.vmemmap),
    ])
    func innerAddressHasRegion(raw: UInt64, region: AddressRegion) {
        #expect(AddressRegion.containing(KernelAddress(raw)) == region)
    }

    /// The direct map is large enough for the biggest supported memory.
    @Test("the direct map can hold the maximum memory size")
    func directMapHoldsMaximumMemory() {
        let span = AddressRegion.directMap.end - AddressRegion.directMap.start
        #expect(span >= PhysicalMemory.maximumSize)
        let handles = AddressRegion.vmemmap.end - AddressRegion.vmemmap.start
        #expect(handles / STRUCT_PAGE_SIZE >= PhysicalMemory.maximumSize / PAGE_SIZE)
    }
}
