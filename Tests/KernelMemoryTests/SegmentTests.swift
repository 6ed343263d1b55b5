import KernelMemory
import Testing

/// Range validation, byte access and the segment walk (`forEachSegment`) of `AddressSpace`.
@Suite("Segments and data access")
struct SegmentTests {
    let memory: PhysicalMemory
    let space: AddressSpace

    init() throws {
        memory = try PhysicalMemory(size: 8 << 20) // two 4 MiB sections
        space = AddressSpace(memory: memory)
    }

    /// What a segment looked like, copied out of the closure.
    struct Seen: Equatable {
        var address: KernelAddress
        var count: Int
        var region: AddressRegion?
        var data: UnsafeMutableRawPointer?
        var shadow: UnsafeMutablePointer<UInt8>?
        var origin: UnsafeMutablePointer<UInt32>?
    }

    func segments(_ address: KernelAddress, count: Int, unmappedAsUntracked: Bool = false) throws -> [Seen] {
        var seen: [Seen] = []
        try space.forEachSegment(address, count: count, unmappedAsUntracked: unmappedAsUntracked) { s in
            seen.append(Seen(address: s.address, count: s.count, region: s.region, data: s.data, shadow: s.shadow, origin: s.origin))
        }
        return seen
    }

    func frameAddress(_ frame: Int) -> KernelAddress { space.directMapAddress(of: PageFrameNumber(frame)) }

    static func pattern(_ count: Int, seed: Int = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    // MARK: validate

    /// A fully mapped range validates; so does an empty range anywhere.
    @Test("mapped ranges and empty ranges validate")
    func validRanges() {
        #expect(throws: Never.self) { try space.validate(frameAddress(0), count: memory.size) }
        #expect(throws: Never.self) { try space.validate(frameAddress(1023) + 100, count: 2 * PAGE_SIZE) }
        #expect(throws: Never.self) { try space.validate(.null, count: 0) }
    }

    /// A range running off the end of memory faults at the first byte past it.
    @Test("validate reports the first unmapped address")
    func validateFirstUnmapped() {
        let start = frameAddress(memory.frameCount - 1) + 10
        let expected = MemoryFault(kind: .unmapped, address: PAGE_OFFSET + memory.size, size: 3 * PAGE_SIZE)
        #expect(throws: expected) { try space.validate(start, count: 3 * PAGE_SIZE) }
    }

    /// A range starting inside an unmapped page faults at its own start, not the page start.
    @Test("validate of an unmapped start reports the start itself")
    func validateUnmappedStart() {
        let start = VMALLOC_START + 0x123
        let expected = MemoryFault(kind: .unmapped, address: start, size: 8)
        #expect(throws: expected) { try space.validate(start, count: 8) }
    }

    /// A hole between mapped vmalloc pages is found.
    @Test("validate finds a hole in the middle of a range")
    func validateHole() {
        space.vmallocPages.map(VMALLOC_START, to: PageMapping(frame: PageFrameNumber(1), metadata: .frame))
        space.vmallocPages.map(VMALLOC_START + 2 * PAGE_SIZE, to: PageMapping(frame: PageFrameNumber(2), metadata: .frame))
        let fault = #expect(throws: MemoryFault.self) { try space.validate(VMALLOC_START, count: 3 * PAGE_SIZE) }
        #expect(fault?.kind == .unmapped)
        #expect(fault?.address == VMALLOC_START + PAGE_SIZE)
    }

    /// Negative sizes and ranges that wrap past the top of the address space are invalid.
    @Test("negative size and wrap-around are invalidRange")
    func validateInvalidRange() {
        let mapped = frameAddress(0)
        #expect(throws: MemoryFault(kind: .invalidRange, address: mapped, size: -1)) {
            try space.validate(mapped, count: -1)
        }
        let top = KernelAddress(UInt64.max - 10)
        #expect(throws: MemoryFault(kind: .invalidRange, address: top, size: 100)) {
            try space.validate(top, count: 100)
        }
    }

    /// Fault descriptions use the kernel's wording and `%px` addresses.
    @Test("fault descriptions name the address and size")
    func faultDescription() {
        let fault = MemoryFault(kind: .unmapped, address: VMALLOC_START, size: 8)
        #expect(fault.description == "unable to handle page fault for address: ffffc90000000000 (access of size 8)")
    }

    // MARK: readBytes / writeBytes

    /// Bytes written across a page boundary read back unchanged, and land in both frames.
    @Test("writeBytes/readBytes round-trip across a page boundary")
    func roundTripAcrossPage() throws {
        let bytes = Self.pattern(300)
        let start = frameAddress(5) + PAGE_SIZE - 100
        try space.writeBytes(bytes, at: start)
        #expect(try space.readBytes(start, count: 300) == bytes)
        #expect(try memory.withData(of: PageFrameNumber(5)) { $0[PAGE_SIZE - 100] } == bytes[0])
        #expect(try memory.withData(of: PageFrameNumber(6)) { $0[0] } == bytes[100])
        #expect(try space.readBytes(start - 1, count: 1) == [0], "the byte before is untouched")
        #expect(try space.readBytes(start + 300, count: 1) == [0], "the byte after is untouched")
    }

    /// Through vmalloc, consecutive virtual pages may sit on far-apart frames.
    @Test("writeBytes/readBytes through a vmalloc mapping of scattered frames")
    func roundTripThroughVmalloc() throws {
        space.vmallocPages.map(VMALLOC_START, to: PageMapping(frame: PageFrameNumber(1500), metadata: .frame))
        space.vmallocPages.map(VMALLOC_START + PAGE_SIZE, to: PageMapping(frame: PageFrameNumber(20), metadata: .frame))
        let bytes = Self.pattern(64, seed: 9)
        try space.writeBytes(bytes, at: VMALLOC_START + PAGE_SIZE - 32)
        #expect(try space.readBytes(frameAddress(1500) + PAGE_SIZE - 32, count: 32) == Array(bytes[0..<32]))
        #expect(try space.readBytes(frameAddress(20), count: 32) == Array(bytes[32...]))
    }

    /// A write that would touch an unmapped page throws and writes nothing at all.
    @Test("writeBytes into a partly unmapped range throws and writes nothing")
    func writePartlyUnmapped() throws {
        let start = frameAddress(memory.frameCount - 1) + PAGE_SIZE - 4
        #expect(throws: MemoryFault.self) { try space.writeBytes([1, 2, 3, 4, 5, 6, 7, 8], at: start) }
        #expect(try space.readBytes(start, count: 4) == [0, 0, 0, 0])
    }

    /// Reading an unmapped page throws; reading zero bytes anywhere returns nothing.
    @Test("readBytes of unmapped memory throws; of zero bytes returns []")
    func readUnmapped() throws {
        #expect(throws: MemoryFault.self) { try space.readBytes(VMALLOC_START, count: 1) }
        #expect(try space.readBytes(VMALLOC_START, count: 0) == [])
        #expect(throws: MemoryFault.self) { try space.readBytes(frameAddress(0), count: -1) }
    }

    // MARK: forEachSegment

    /// Consecutive frames of one section form a single segment with contiguous host pointers.
    @Test("consecutive frames in one section merge into one segment")
    func mergeWithinSection() throws {
        let start = frameAddress(2) + 8
        let seen = try segments(start, count: 4 * PAGE_SIZE)
        try #require(seen.count == 1)
        #expect(seen[0].address == start)
        #expect(seen[0].count == 4 * PAGE_SIZE)
        #expect(seen[0].region == .directMap)
        #expect(seen[0].data == memory.dataBase(PageFrameNumber(2)) + 8)
        #expect(seen[0].shadow == memory.shadowBase(PageFrameNumber(2)) + 8)
        #expect(seen[0].origin == memory.originBase(PageFrameNumber(2)) + 2)
    }

    /// Frames 1023 and 1024 are in different sections, so the walk splits between them.
    @Test("a 4 MiB section boundary splits the segment")
    func splitAtSectionBoundary() throws {
        let seen = try segments(frameAddress(1022), count: 4 * PAGE_SIZE)
        try #require(seen.count == 2)
        #expect(seen[0].address == frameAddress(1022))
        #expect(seen[0].count == 2 * PAGE_SIZE)
        #expect(seen[1].address == frameAddress(1024))
        #expect(seen[1].count == 2 * PAGE_SIZE)
        #expect(seen[1].data == memory.dataBase(PageFrameNumber(1024)))
        #expect(seen[1].shadow == memory.shadowBase(PageFrameNumber(1024)))
    }

    /// A change from tracked to untracked and back splits, and the untracked run has no metadata.
    @Test("a tracked/untracked change splits the segment")
    func splitAtTrackingChange() throws {
        try memory.setTracked(false, from: PageFrameNumber(11), count: 2)
        let seen = try segments(frameAddress(10), count: 4 * PAGE_SIZE)
        try #require(seen.count == 3)
        #expect(seen.map(\.count) == [PAGE_SIZE, 2 * PAGE_SIZE, PAGE_SIZE])
        #expect(seen[0].shadow != nil && seen[0].origin != nil)
        #expect(seen[1].shadow == nil && seen[1].origin == nil)
        #expect(seen[1].data == memory.dataBase(PageFrameNumber(11)))
        #expect(seen[2].shadow == memory.shadowBase(PageFrameNumber(13)))
    }

    /// vmalloc pages on consecutive frames merge; on non-consecutive frames they split.
    @Test("vmalloc runs merge only over consecutive frames")
    func vmallocMerging() throws {
        for (i, frame) in [100, 101, 300].enumerated() {
            space.vmallocPages.map(VMALLOC_START + i * PAGE_SIZE, to: PageMapping(frame: PageFrameNumber(frame), metadata: .frame))
        }
        let seen = try segments(VMALLOC_START, count: 3 * PAGE_SIZE)
        #expect(seen.map(\.count) == [2 * PAGE_SIZE, PAGE_SIZE])
        #expect(seen.map(\.region) == [.vmalloc, .vmalloc])
        #expect(seen.last?.data == memory.dataBase(PageFrameNumber(300)))
    }

    /// With `unmappedAsUntracked`, an unmapped run becomes one data-less segment and nothing throws.
    @Test("unmappedAsUntracked yields a nil-data segment for an unmapped run")
    func unmappedAsUntracked() throws {
        space.vmallocPages.map(VMALLOC_START, to: PageMapping(frame: PageFrameNumber(1), metadata: .frame))
        space.vmallocPages.map(VMALLOC_START + 3 * PAGE_SIZE, to: PageMapping(frame: PageFrameNumber(2), metadata: .frame))
        let seen = try segments(VMALLOC_START + 16, count: 4 * PAGE_SIZE - 32, unmappedAsUntracked: true)
        try #require(seen.count == 3)
        #expect(seen[1].address == VMALLOC_START + PAGE_SIZE)
        #expect(seen[1].count == 2 * PAGE_SIZE)
        #expect(seen[1].region == nil)
        #expect(seen[1].data == nil && seen[1].shadow == nil && seen[1].origin == nil)
        #expect(seen.map(\.count).reduce(0, +) == 4 * PAGE_SIZE - 32)
    }

    /// Without `unmappedAsUntracked` the same walk throws before calling the body at all.
    @Test("without unmappedAsUntracked an unmapped run throws and calls nothing")
    func unmappedThrows() throws {
        space.vmallocPages.map(VMALLOC_START, to: PageMapping(frame: PageFrameNumber(1), metadata: .frame))
        var calls = 0
        let fault = #expect(throws: MemoryFault.self) {
            try space.forEachSegment(VMALLOC_START, count: 2 * PAGE_SIZE) { _ in calls += 1 }
        }
        #expect(fault?.address == VMALLOC_START + PAGE_SIZE)
        #expect(calls == 0)
    }

    /// `unmappedAsUntracked` does not excuse invalid ranges.
    @Test("unmappedAsUntracked still rejects invalid ranges")
    func unmappedAsUntrackedInvalidRange() {
        #expect(throws: MemoryFault(kind: .invalidRange, address: VMALLOC_START, size: -5)) {
            _ = try segments(VMALLOC_START, count: -5, unmappedAsUntracked: true)
        }
    }

    /// An empty range produces no segments.
    @Test("an empty range yields no segments")
    func emptyRange() throws {
        #expect(try segments(frameAddress(0), count: 0).isEmpty)
    }

    /// `originSlot(ofByte:)` counts 4-byte slots from the segment's first byte.
    @Test("originSlot maps bytes to 4-byte origin slots")
    func originSlots() throws {
        var slots: [UnsafeMutablePointer<UInt32>] = []
        try space.forEachSegment(frameAddress(0) + 6, count: 10) { s in
            slots = [0, 1, 2, 6, 9].map { s.originSlot(ofByte: $0) }
        }
        let base = memory.originBase(PageFrameNumber(0))
        #expect(slots == [base + 1, base + 1, base + 2, base + 3, base + 3])
    }
}
