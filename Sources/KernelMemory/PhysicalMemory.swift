import Synchronization

/// Simulated physical memory: page frames whose bytes, shadow and origins are real host memory.
///
/// Memory is laid out in sections of `framesPerSection` frames (4 MiB, one MAX_ORDER block).
/// Each section holds three jemalloc allocations from the machine's own `HostArena`:
/// the data of its frames, their shadow pages and their origin pages. Frame `pfn` therefore
/// has its own shadow page and origin page, and the metadata of frames inside one section is
/// contiguous in host memory, like the metadata KMSAN hands out per boot-time memblock range.
/// Any aligned buddy block (order <= 10) lies inside one section; two neighbouring frames in
/// different sections do not have contiguous metadata, which the runtime treats as the
/// kernel does (`kmsan_metadata_is_contiguous`).
///
/// Origin pages hold one 4-byte slot per 4 data bytes, so an origin page is PAGE_SIZE bytes.
public final class PhysicalMemory: @unchecked Sendable {
    // Sendable: section pointers are immutable after init; the bytes they point to are the
    // simulated machine's memory, whose accesses the simulated kernel orders (as real RAM);
    // the per-frame tracking flags are atomics.

    /// Frames per section: one MAX_ORDER (order 10) block, 4 MiB.
    public static let framesPerSection = 1024
    /// Default memory size, like booting with `mem=64M`.
    public static let defaultSize = 64 << 20
    /// Smallest supported memory size.
    public static let minimumSize = 1 << 20
    /// Largest supported memory size.
    public static let maximumSize = 16 << 30

    /// Number of page frames.
    public let frameCount: Int
    /// Size in bytes (`frameCount * PAGE_SIZE`).
    public var size: Int { frameCount * PAGE_SIZE }
    /// The jemalloc arena backing the memory.
    public let arena: HostArena

    private struct Section {
        var data: UnsafeMutableRawPointer
        var shadow: UnsafeMutableRawPointer
        var origin: UnsafeMutableRawPointer
        var bytes: Int
    }
    private let sections: [Section]
    /// One flag per frame: 1 = the frame has metadata (tracked), 0 = untracked.
    private let tracked: UnsafeMutablePointer<Atomic<UInt8>>
    private let released = Atomic<Bool>(false)
    /// Frames touched since `beginJournal()`, and what they held then.
    let journal: FrameJournal

    /// Creates `size` bytes of zero-filled simulated memory, all frames tracked.
    public init(size: Int = PhysicalMemory.defaultSize) throws(MemoryConfigurationError) {
        guard size >= Self.minimumSize, size <= Self.maximumSize, size % PAGE_SIZE == 0 else {
            throw .invalidMemorySize(size)
        }
        let arena = try HostArena()
        frameCount = size / PAGE_SIZE
        var sections: [Section] = []
        var remaining = frameCount
        while remaining > 0 {
            let frames = min(remaining, Self.framesPerSection)
            let bytes = frames * PAGE_SIZE
            let data = arena.allocateZeroed(size: bytes, alignment: PAGE_SIZE)
            let shadow = arena.allocateZeroed(size: bytes, alignment: PAGE_SIZE)
            let origin = arena.allocateZeroed(size: bytes, alignment: PAGE_SIZE)
            guard let data, let shadow, let origin else {
                for block in [data, shadow, origin] { if let block { arena.free(block) } }
                for section in sections {
                    arena.free(section.data); arena.free(section.shadow); arena.free(section.origin)
                }
                arena.destroy()
                throw .hostOutOfMemory(bytes: size * 3)
            }
            sections.append(Section(data: data, shadow: shadow, origin: origin, bytes: bytes))
            remaining -= frames
        }
        self.sections = sections
        self.arena = arena
        tracked = .allocate(capacity: frameCount)
        for i in 0..<frameCount { (tracked + i).initialize(to: Atomic(1)) }
        journal = FrameJournal(frameCount: frameCount)
    }

    deinit { release() }

    /// Returns all host memory to the system. Later accesses are invalid; the owner
    /// (a machine) calls this once, when it is torn down.
    ///
    /// Returns the arena's statistics after every block was freed and before the arena was
    /// destroyed (so `allocatedBytes` shows what teardown failed to give back: 0), or nil if
    /// the memory was already released.
    @discardableResult
    public func release() -> HostArenaStatistics? {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        for section in sections {
            arena.free(section.data); arena.free(section.shadow); arena.free(section.origin)
        }
        journal.disarm()
        tracked.deinitialize(count: frameCount)
        tracked.deallocate()
        let final = arena.statistics()
        arena.destroy()
        return final
    }

    /// Whether `release()` ran.
    public var isReleased: Bool { released.load(ordering: .acquiring) }

    /// Whether `pfn` names a frame of this memory.
    public func contains(_ pfn: PageFrameNumber) -> Bool { pfn.index >= 0 && pfn.index < frameCount }

    /// The section holding `pfn`; frames in one section have contiguous metadata.
    public func section(of pfn: PageFrameNumber) -> Int { pfn.index / Self.framesPerSection }

    // MARK: Package-level raw access (callers keep the pointers inside their own scope).

    /// Host address of the first data byte of `pfn`.
    package func dataBase(_ pfn: PageFrameNumber) -> UnsafeMutableRawPointer {
        let s = sections[pfn.index / Self.framesPerSection]
        return s.data + (pfn.index % Self.framesPerSection) * PAGE_SIZE
    }

    /// Host address of the first shadow byte of `pfn`.
    package func shadowBase(_ pfn: PageFrameNumber) -> UnsafeMutablePointer<UInt8> {
        let s = sections[pfn.index / Self.framesPerSection]
        return (s.shadow + (pfn.index % Self.framesPerSection) * PAGE_SIZE).assumingMemoryBound(to: UInt8.self)
    }

    /// Host address of the first origin slot of `pfn`.
    package func originBase(_ pfn: PageFrameNumber) -> UnsafeMutablePointer<UInt32> {
        let s = sections[pfn.index / Self.framesPerSection]
        return (s.origin + (pfn.index % Self.framesPerSection) * PAGE_SIZE).assumingMemoryBound(to: UInt32.self)
    }

    // MARK: Metadata tracking

    /// Whether `pfn` has metadata. Untracked memory reads as initialized and ignores stores.
    /// Frames outside memory have none.
    public func isTracked(_ pfn: PageFrameNumber) -> Bool {
        contains(pfn) && tracked[pfn.index].load(ordering: .relaxed) != 0
    }

    /// Gives `count` frames starting at `pfn` metadata (`true`) or takes it away (`false`).
    public func setTracked(_ value: Bool, from pfn: PageFrameNumber, count: Int = 1) throws(MemoryFault) {
        guard pfn.index >= 0, count >= 0, pfn.index <= frameCount, count <= frameCount - pfn.index else {
            throw MemoryFault(kind: .frameOutOfRange, address: PAGE_OFFSET + pfn.index &* PAGE_SIZE, size: count &* PAGE_SIZE)
        }
        guard count > 0 else { return }
        touch(pfn.index, pfn.index + count - 1)
        for i in pfn.index..<(pfn.index + count) { tracked[i].store(value ? 1 : 0, ordering: .relaxed) }
    }

    /// Sets a frame's tracking flag without journaling it (the journal's own rewind).
    func restoreTracked(_ f: Int, _ value: Bool) { tracked[f].store(value ? 1 : 0, ordering: .relaxed) }

    // MARK: Closure-scoped access

    private func checked(_ pfn: PageFrameNumber) throws(MemoryFault) {
        guard contains(pfn) else {
            throw MemoryFault(kind: .frameOutOfRange, address: PAGE_OFFSET + pfn.index &* PAGE_SIZE, size: PAGE_SIZE)
        }
        touch(pfn.index, pfn.index)
    }

    /// Calls `body` with the data bytes of `pfn`.
    public func withData<R>(of pfn: PageFrameNumber, _ body: (UnsafeMutableRawBufferPointer) -> R) throws(MemoryFault) -> R {
        try checked(pfn)
        return body(UnsafeMutableRawBufferPointer(start: dataBase(pfn), count: PAGE_SIZE))
    }

    /// Calls `body` with the shadow page of `pfn` (one byte per data byte; set bit = uninitialized).
    public func withShadow<R>(of pfn: PageFrameNumber, _ body: (UnsafeMutableBufferPointer<UInt8>) -> R) throws(MemoryFault) -> R {
        try checked(pfn)
        return body(UnsafeMutableBufferPointer(start: shadowBase(pfn), count: PAGE_SIZE))
    }

    /// Calls `body` with the origin page of `pfn` (one 4-byte slot per 4 data bytes).
    public func withOrigins<R>(of pfn: PageFrameNumber, _ body: (UnsafeMutableBufferPointer<UInt32>) -> R) throws(MemoryFault) -> R {
        try checked(pfn)
        return body(UnsafeMutableBufferPointer(start: originBase(pfn), count: PAGE_SIZE / 4))
    }
}
