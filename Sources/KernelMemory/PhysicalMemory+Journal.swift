/// Rewinding memory to an earlier state in time proportional to what changed (`FrameJournal`):
/// what a fuzz loop does between runs instead of booting a new machine.
extension PhysicalMemory {
    /// Records every frame touched from now on, so that `rewindJournal()` returns memory to its
    /// present state. Calling it again moves that point to the new present.
    public func beginJournal() { journal.arm() }

    /// Stops recording and frees the saved contents.
    public func endJournal() { journal.disarm() }

    /// Whether a journal is recording.
    public var isJournaling: Bool { journal.isArmed }

    /// Frames touched since `beginJournal()` or the last rewind.
    public var journaledFrameCount: Int { journal.dirtyCount }

    /// Returns every touched frame (data, shadow, origins and its tracking flag) to what it held
    /// when `beginJournal()` was called. No other thread may use the memory meanwhile.
    public func rewindJournal() {
        journal.rewind { f, saved in
            let pfn = PageFrameNumber(f)
            switch saved {
            case .none:
                return
            case .zero(let wasTracked):
                dataBase(pfn).initializeMemory(as: UInt8.self, repeating: 0, count: PAGE_SIZE)
                shadowBase(pfn).initialize(repeating: 0, count: PAGE_SIZE)
                originBase(pfn).initialize(repeating: 0, count: PAGE_SIZE / 4)
                restoreTracked(f, wasTracked)
            case .copy(let buffer, let wasTracked):
                dataBase(pfn).copyMemory(from: buffer, byteCount: PAGE_SIZE)
                UnsafeMutableRawPointer(shadowBase(pfn)).copyMemory(from: buffer + PAGE_SIZE, byteCount: PAGE_SIZE)
                UnsafeMutableRawPointer(originBase(pfn)).copyMemory(from: buffer + 2 * PAGE_SIZE, byteCount: PAGE_SIZE)
                restoreTracked(f, wasTracked)
            }
        }
    }

    /// Notes that host pointers into frames `first...last` are being handed out (see
    /// `FrameJournal`); nothing when no journal records.
    @inline(__always)
    package func touch(_ first: Int, _ last: Int) {
        guard journal.isArmed else { return }
        journal.touch(first, last) { f in saveFrame(f) }
    }

    /// A frame's contents for the journal: `.zero` when data, shadow and origins are all zero.
    private func saveFrame(_ f: Int) -> FrameJournal.Saved {
        let pfn = PageFrameNumber(f)
        let wasTracked = isTracked(pfn)
        let parts = [dataBase(pfn), UnsafeMutableRawPointer(shadowBase(pfn)), UnsafeMutableRawPointer(originBase(pfn))]
        let allZero = parts.allSatisfy { p in
            UnsafeRawBufferPointer(start: p, count: PAGE_SIZE).withMemoryRebound(to: UInt64.self) { $0.allSatisfy { $0 == 0 } }
        }
        if allZero { return .zero(tracked: wasTracked) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 3 * PAGE_SIZE, alignment: 64)
        for (i, p) in parts.enumerated() { (buffer + i * PAGE_SIZE).copyMemory(from: p, byteCount: PAGE_SIZE) }
        return .copy(buffer, tracked: wasTracked)
    }
}
