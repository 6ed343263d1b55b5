import KernelMemory
import Testing

/// `PhysicalMemory`: sizing, zero-filled frames, frame bounds, tracking flags and sections.
@Suite("Physical memory")
struct PhysicalMemoryTests {
    // MARK: Sizing

    /// The default memory is 64 MiB, that is 16384 frames of 4 KiB.
    @Test("default size is 64 MiB with 16384 frames")
    func defaultSize() throws {
        let expectedFrames = 16384
        let memory = try PhysicalMemory()
        #expect(PhysicalMemory.defaultSize == 64 << 20)
        #expect(memory.frameCount == expectedFrames)
        #expect(memory.size == 64 << 20)
    }

    /// Valid sizes, including ones that end with a partial 4 MiB section.
    @Test("valid sizes create memory of exactly that size", arguments: [
        1 << 20,          // the minimum
        4 << 20,          // exactly one section
        5 << 20,          // one full section plus a partial one
        (4 << 20) + 64 * 4096, // a 64-frame second section (tiny tails: see HostMemoryAccountingTests)
    ])
    func validSize(size: Int) throws {
        let memory = try PhysicalMemory(size: size)
        #expect(memory.size == size)
        #expect(memory.frameCount == size / PAGE_SIZE)
        #expect(!memory.isReleased)
    }

    /// Sizes that are zero, negative, not page multiples or outside the limits are rejected.
    @Test("invalid sizes throw invalidMemorySize", arguments: [
        0,
        -4096,
        4097,
        (8 << 20) + 1,
        (1 << 20) - 4096,             // just below the minimum
        PhysicalMemory.maximumSize + 4096, // just above the maximum
    ])
    func invalidSize(size: Int) {
        #expect(throws: MemoryConfigurationError.invalidMemorySize(size)) {
            _ = try PhysicalMemory(size: size)
        }
    }

    /// A 5 MiB memory (not a multiple of the 4 MiB section) is fully usable, last frame included.
    @Test("a partial last section is readable and writable")
    func partialSectionIsUsable() throws {
        let memory = try PhysicalMemory(size: 5 << 20)
        let last = PageFrameNumber(memory.frameCount - 1)
        #expect(memory.frameCount == 1280)
        #expect(memory.section(of: last) == 1)
        try memory.withData(of: last) { $0[PAGE_SIZE - 1] = 0x5a }
        let byte = try memory.withData(of: last) { $0[PAGE_SIZE - 1] }
        #expect(byte == 0x5a)
    }

    // MARK: Fresh memory is zero

    /// Data, shadow and origins of fresh frames are zero, in the first and a later section.
    @Test("fresh memory reads zero in data, shadow and origins",
          arguments: [0, 1023, 1024, 2047])
    func freshMemoryIsZero(frame: Int) throws {
        let memory = try PhysicalMemory(size: 8 << 20)
        let pfn = PageFrameNumber(frame)
        let data = try memory.withData(of: pfn) { buffer in buffer.allSatisfy { $0 == 0 } }
        let shadow = try memory.withShadow(of: pfn) { buffer in buffer.allSatisfy { $0 == 0 } }
        let origins = try memory.withOrigins(of: pfn) { buffer in buffer.allSatisfy { $0 == 0 } }
        #expect(data)
        #expect(shadow)
        #expect(origins)
    }

    /// The closures see a whole page: PAGE_SIZE data and shadow bytes, PAGE_SIZE / 4 origin slots.
    @Test("closure buffers cover exactly one page")
    func bufferSizes() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let pfn = PageFrameNumber(7)
        #expect(try memory.withData(of: pfn) { $0.count } == PAGE_SIZE)
        #expect(try memory.withShadow(of: pfn) { $0.count } == PAGE_SIZE)
        #expect(try memory.withOrigins(of: pfn) { $0.count } == PAGE_SIZE / 4)
    }

    /// Data, shadow and origins of one frame are separate storage, and frames do not alias.
    @Test("writes stay within their frame and their kind of storage")
    func storageIsSeparate() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let pfn = PageFrameNumber(3)
        try memory.withData(of: pfn) { $0[0] = 0x11 }
        try memory.withShadow(of: pfn) { $0[0] = 0xff }
        try memory.withOrigins(of: pfn) { $0[0] = 0xdead_beef }
        #expect(try memory.withData(of: pfn) { $0[0] } == 0x11)
        #expect(try memory.withShadow(of: pfn) { $0[0] } == 0xff)
        #expect(try memory.withOrigins(of: pfn) { $0[0] } == 0xdead_beef)
        #expect(try memory.withData(of: pfn.advanced(by: 1)) { $0[0] } == 0)
        #expect(try memory.withShadow(of: pfn.advanced(by: 1)) { $0[0] } == 0)
        #expect(try memory.withData(of: pfn.advanced(by: -1)) { $0[PAGE_SIZE - 1] } == 0)
    }

    // MARK: Frame bounds

    /// The frames `0..<frameCount` belong to the memory; -1 and `frameCount` do not.
    @Test("contains accepts exactly the frames of the memory")
    func containsFrames() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        #expect(memory.contains(PageFrameNumber(0)))
        #expect(memory.contains(PageFrameNumber(memory.frameCount - 1)))
        #expect(!memory.contains(PageFrameNumber(memory.frameCount)))
        #expect(!memory.contains(PageFrameNumber(-1)))
    }

    /// Accessing a frame beyond the end throws `.frameOutOfRange` for its direct-map address.
    @Test("out-of-range frames throw frameOutOfRange instead of crashing",
          arguments: [1024, 1025, 1 << 40, -1, Int.max, Int.min])
    func outOfRangeFrameThrows(frame: Int) throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let pfn = PageFrameNumber(frame)
        let expected = MemoryFault(kind: .frameOutOfRange, address: PAGE_OFFSET + frame &* PAGE_SIZE, size: PAGE_SIZE)
        var called = false
        #expect(throws: expected) { try memory.withData(of: pfn) { _ in called = true } }
        #expect(throws: expected) { try memory.withShadow(of: pfn) { _ in called = true } }
        #expect(throws: expected) { try memory.withOrigins(of: pfn) { _ in called = true } }
        #expect(!called, "the body must not run for a frame outside memory")
    }

    /// The last frame is in range and does not throw.
    @Test("the last frame is accessible")
    func lastFrameDoesNotThrow() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let last = PageFrameNumber(memory.frameCount - 1)
        #expect(throws: Never.self) { try memory.withData(of: last) { _ in } }
        #expect(throws: Never.self) { try memory.withShadow(of: last) { _ in } }
        #expect(throws: Never.self) { try memory.withOrigins(of: last) { _ in } }
    }

    // MARK: Tracking

    /// Every frame starts tracked (it has KMSAN metadata).
    @Test("frames are tracked by default")
    func trackedByDefault() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let all = (0..<memory.frameCount).allSatisfy { memory.isTracked(PageFrameNumber($0)) }
        #expect(all)
    }

    /// `setTracked(false)` untracks exactly the given frames; `setTracked(true)` restores them.
    @Test("setTracked toggles exactly the given frames")
    func setTrackedToggles() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        try memory.setTracked(false, from: PageFrameNumber(10), count: 3)
        #expect(memory.isTracked(PageFrameNumber(9)))
        #expect(!memory.isTracked(PageFrameNumber(10)))
        #expect(!memory.isTracked(PageFrameNumber(12)))
        #expect(memory.isTracked(PageFrameNumber(13)))

        try memory.setTracked(true, from: PageFrameNumber(11))
        #expect(!memory.isTracked(PageFrameNumber(10)))
        #expect(memory.isTracked(PageFrameNumber(11)))
        #expect(!memory.isTracked(PageFrameNumber(12)))
    }

    /// A zero count changes nothing, even at the end of memory.
    @Test("setTracked with count 0 is a no-op")
    func setTrackedZeroCount() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        try memory.setTracked(false, from: PageFrameNumber(memory.frameCount), count: 0)
        try memory.setTracked(false, from: PageFrameNumber(5), count: 0)
        #expect(memory.isTracked(PageFrameNumber(5)))
    }

    /// Ranges that leave the memory throw and change nothing.
    @Test("setTracked outside memory throws frameOutOfRange and changes nothing")
    func setTrackedOutOfRange() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        let last = memory.frameCount - 1
        let fault = #expect(throws: MemoryFault.self) {
            try memory.setTracked(false, from: PageFrameNumber(last), count: 2)
        }
        #expect(fault?.kind == .frameOutOfRange)
        #expect(fault?.address == PAGE_OFFSET + last * PAGE_SIZE)
        #expect(memory.isTracked(PageFrameNumber(last)), "a failed call must not untrack part of the range")

        #expect(throws: MemoryFault.self) { try memory.setTracked(false, from: PageFrameNumber(-1)) }
        #expect(throws: MemoryFault.self) { try memory.setTracked(false, from: PageFrameNumber(0), count: -1) }
        #expect(memory.isTracked(PageFrameNumber(0)))
    }

    /// Huge frame numbers or counts throw `.frameOutOfRange`; they never trap on overflow.
    @Test("setTracked with huge frames or counts throws instead of trapping")
    func setTrackedHugeArguments() throws {
        let memory = try PhysicalMemory(size: 1 << 20)
        #expect(throws: MemoryFault(kind: .frameOutOfRange, address: PAGE_OFFSET + (Int.max / 2) &* PAGE_SIZE, size: PAGE_SIZE)) {
            try memory.setTracked(false, from: PageFrameNumber(Int.max / 2))
        }
        #expect(throws: MemoryFault.self) { try memory.setTracked(false, from: PageFrameNumber(1), count: Int.max) }
        #expect(memory.isTracked(PageFrameNumber(1)))
    }

    /// Frames outside memory are never tracked.
    @Test("frames outside memory are not tracked")
    func outsideIsUntracked() throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        #expect(!memory.isTracked(PageFrameNumber(memory.frameCount)))
        #expect(!memory.isTracked(PageFrameNumber(-1)))
    }

    // MARK: Sections

    /// A section is 1024 frames (4 MiB): `section(of:)` is pfn / 1024.
    @Test("section(of:) is pfn / 1024", arguments: [
        (0, 0), (1, 0), (1023, 0), (1024, 1), (1025, 1), (2047, 1), (2048, 2), (16383, 15),
    ])
    func sectionOfFrame(frame: Int, section: Int) throws {
        let memory = try PhysicalMemory(size: 4 << 20)
        #expect(PhysicalMemory.framesPerSection == 1024)
        #expect(memory.section(of: PageFrameNumber(frame)) == section)
    }
}
