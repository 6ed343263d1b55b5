import KernelMemory
import Testing

/// `moveData` (memmove semantics) and `fillData` on simulated memory.
@Suite("Data movement")
struct DataMovementTests {
    let memory: PhysicalMemory
    let space: AddressSpace

    init() throws {
        memory = try PhysicalMemory(size: 8 << 20) // two 4 MiB sections
        space = AddressSpace(memory: memory)
    }

    func frameAddress(_ frame: Int) -> KernelAddress { space.directMapAddress(of: PageFrameNumber(frame)) }

    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
    }

    /// What memmove does on a plain array: the model the simulated memory must match.
    static func memmove(_ bytes: [UInt8], to dst: Int, from src: Int, count: Int) -> [UInt8] {
        var out = bytes
        let chunk = Array(bytes[src..<(src + count)])
        out.replaceSubrange(dst..<(dst + count), with: chunk)
        return out
    }

    /// Fills a window with a pattern, moves inside it, and compares against the array model.
    func checkMove(window: KernelAddress, length: Int, dst: Int, src: Int, count: Int) throws {
        let before = Self.pattern(length)
        try space.writeBytes(before, at: window)
        let expected = Self.memmove(before, to: dst, from: src, count: count)
        try space.moveData(to: window + dst, from: window + src, count: count)
        #expect(try space.readBytes(window, count: length) == expected)
    }

    // MARK: moveData

    /// Overlapping moves inside one page work in both directions (the single-segment path).
    @Test("overlapping moves within a page", arguments: [
        (100, 0, 200),   // forwards: destination above source
        (0, 100, 200),   // backwards: destination below source
        (1, 0, 511),     // forwards by one byte
        (0, 1, 511),     // backwards by one byte
    ])
    func overlapWithinPage(dst: Int, src: Int, count: Int) throws {
        try checkMove(window: frameAddress(3) + 64, length: 512, dst: dst, src: src, count: count)
    }

    /// Overlapping moves that straddle frames 1023/1024 take the staging path and still match memmove.
    @Test("overlapping moves across a section boundary", arguments: [
        (300, 0, 600),   // forwards
        (0, 300, 600),   // backwards
        (7, 0, 1000),
        (0, 7, 1000),
    ])
    func overlapAcrossSections(dst: Int, src: Int, count: Int) throws {
        let window = frameAddress(1024) - 500 // the window straddles the boundary
        try checkMove(window: window, length: 1100, dst: dst, src: src, count: count)
    }

    /// Non-overlapping moves between distant frames, across a page boundary, copy exactly `count` bytes.
    @Test("a disjoint move copies exactly count bytes")
    func disjointMove() throws {
        let src = frameAddress(40) + PAGE_SIZE - 10
        let dst = frameAddress(1500) + PAGE_SIZE - 30
        let bytes = Self.pattern(50)
        try space.writeBytes(bytes, at: src)
        try space.moveData(to: dst, from: src, count: 50)
        #expect(try space.readBytes(dst, count: 50) == bytes)
        #expect(try space.readBytes(src, count: 50) == bytes, "the source is unchanged")
        #expect(try space.readBytes(dst - 1, count: 1) == [0])
        #expect(try space.readBytes(dst + 50, count: 1) == [0])
    }

    /// A move from the direct map into a vmalloc alias lands in the aliased frame.
    @Test("moving into a vmalloc alias writes the aliased frame")
    func moveIntoVmalloc() throws {
        space.vmallocPages.map(VMALLOC_START, to: PageMapping(frame: PageFrameNumber(600), metadata: .frame))
        space.vmallocPages.map(VMALLOC_START + PAGE_SIZE, to: PageMapping(frame: PageFrameNumber(7), metadata: .untracked))
        let bytes = Self.pattern(40)
        try space.writeBytes(bytes, at: frameAddress(2))
        try space.moveData(to: VMALLOC_START + PAGE_SIZE - 20, from: frameAddress(2), count: 40)
        #expect(try space.readBytes(frameAddress(600) + PAGE_SIZE - 20, count: 20) == Array(bytes[0..<20]))
        #expect(try space.readBytes(frameAddress(7), count: 20) == Array(bytes[20...]))
    }

    /// An unmapped destination throws and nothing moves.
    @Test("moving to an unmapped destination throws and moves nothing")
    func moveToUnmapped() throws {
        let src = frameAddress(1)
        let dst = frameAddress(memory.frameCount - 1) + PAGE_SIZE - 8 // runs off the end
        try space.writeBytes(Self.pattern(16), at: src)
        let fault = #expect(throws: MemoryFault.self) { try space.moveData(to: dst, from: src, count: 16) }
        #expect(fault?.kind == .unmapped)
        #expect(fault?.address == PAGE_OFFSET + memory.size)
        #expect(try space.readBytes(dst, count: 8) == [UInt8](repeating: 0, count: 8))
    }

    /// An unmapped source throws and the destination keeps its bytes.
    @Test("moving from an unmapped source throws and leaves the destination")
    func moveFromUnmapped() throws {
        let dst = frameAddress(1)
        try space.writeBytes([9, 9, 9, 9], at: dst)
        #expect(throws: MemoryFault(kind: .unmapped, address: VMALLOC_START, size: 4)) {
            try space.moveData(to: dst, from: VMALLOC_START, count: 4)
        }
        #expect(try space.readBytes(dst, count: 4) == [9, 9, 9, 9])
    }

    /// Zero-length moves and moves onto themselves change nothing; negative counts are invalid.
    @Test("empty, self and negative moves")
    func degenerateMoves() throws {
        let address = frameAddress(4)
        let bytes = Self.pattern(8)
        try space.writeBytes(bytes, at: address)
        try space.moveData(to: address + 1, from: address, count: 0)
        try space.moveData(to: address, from: address, count: 8)
        #expect(try space.readBytes(address, count: 8) == bytes)
        #expect(throws: MemoryFault(kind: .invalidRange, address: address, size: -1)) {
            try space.moveData(to: address + 1, from: address, count: -1)
        }
    }

    // MARK: fillData

    /// `fillData` sets exactly the range, across a section boundary, and not a byte more.
    @Test("fillData fills exactly the range, across a section boundary")
    func fillAcrossSections() throws {
        let start = frameAddress(1024) - 100
        try space.fillData(start, byte: 0xa5, count: 300)
        #expect(try space.readBytes(start, count: 300) == [UInt8](repeating: 0xa5, count: 300))
        #expect(try space.readBytes(start - 1, count: 1) == [0])
        #expect(try space.readBytes(start + 300, count: 1) == [0])
    }

    /// `fillData` touches only data, never shadow or origins.
    @Test("fillData leaves metadata alone")
    func fillLeavesMetadata() throws {
        try space.fillData(frameAddress(8), byte: 0xff, count: PAGE_SIZE)
        let shadowClean = try memory.withShadow(of: PageFrameNumber(8)) { $0.allSatisfy { $0 == 0 } }
        let originsClean = try memory.withOrigins(of: PageFrameNumber(8)) { $0.allSatisfy { $0 == 0 } }
        #expect(shadowClean)
        #expect(originsClean)
    }

    /// Filling a range that leaves memory throws and fills nothing.
    @Test("fillData over an unmapped page throws and fills nothing")
    func fillUnmapped() throws {
        let start = frameAddress(memory.frameCount - 1) + PAGE_SIZE - 4
        #expect(throws: MemoryFault.self) { try space.fillData(start, byte: 0x11, count: 8) }
        #expect(try space.readBytes(start, count: 4) == [0, 0, 0, 0])
    }
}
