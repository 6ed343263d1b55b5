import Synchronization

/// The undo journal of a `PhysicalMemory`: which frames were touched since the journal was
/// armed, and what those frames held then, so that `PhysicalMemory.rewindJournal()` puts memory
/// back in time proportional to the frames touched, not to the memory's size.
///
/// Every path that hands out host pointers to a frame's data, shadow or origins (segments,
/// contiguous runs, the closure-scoped accessors, metadata tracking) calls `touch` first, so a
/// frame is saved before its first write. Reads count as touches too: the journal cannot tell a
/// pointer that is only read from one that is written, and rewinding an unchanged frame is
/// only wasted work.
///
/// Per frame, `state` encodes:
///
/// | value | meaning                                                              |
/// |-------|----------------------------------------------------------------------|
/// | 0     | not touched since the last rewind                                    |
/// | 1     | touched: on the dirty list, its armed-time contents saved            |
/// | 2     | being saved by one thread (others wait until it reads 1)             |
///
/// A frame's armed-time contents are saved once per arming and kept across rewinds: a frame
/// that was all zeros (data, shadow and origins; the common case) is recorded as such and
/// rewound with a fill, any other frame gets a 12 KiB copy.
final class FrameJournal: @unchecked Sendable {
    // Sendable: `state` is atomic; `saved` entries are written by the one thread that moves
    // their frame from 0 to 2, before it publishes 1; the dirty list is behind a lock.

    /// What a frame held when the journal was armed.
    enum Saved {
        /// Not saved yet (never touched since arming).
        case none
        /// Data, shadow and origins were all zero.
        case zero(tracked: Bool)
        /// A copy of data, shadow and origins, PAGE_SIZE bytes each.
        case copy(UnsafeMutableRawPointer, tracked: Bool)
    }

    let frameCount: Int
    private let armed = Atomic<Bool>(false)
    private let state: UnsafeMutablePointer<Atomic<UInt8>>
    private let saved: UnsafeMutablePointer<Saved>
    private let dirty = Locked<[Int]>([])

    init(frameCount: Int) {
        self.frameCount = frameCount
        state = .allocate(capacity: frameCount)
        for i in 0..<frameCount { (state + i).initialize(to: Atomic(0)) }
        saved = .allocate(capacity: frameCount)
        saved.initialize(repeating: .none, count: frameCount)
    }

    deinit {
        discardSaved()
        saved.deinitialize(count: frameCount)
        saved.deallocate()
        state.deinitialize(count: frameCount)
        state.deallocate()
    }

    /// Whether touches are recorded.
    @inline(__always)
    var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// Starts recording: the current contents become the state `rewind` returns to.
    func arm() {
        discardSaved()
        for i in 0..<frameCount { state[i].store(0, ordering: .relaxed) }
        dirty.withLock { $0.removeAll(keepingCapacity: true) }
        armed.store(true, ordering: .releasing)
    }

    /// Stops recording and forgets the saved contents.
    func disarm() {
        armed.store(false, ordering: .releasing)
        discardSaved()
    }

    /// Number of frames touched since the last rewind.
    var dirtyCount: Int { dirty.withLock { $0.count } }

    /// Records frames `first...last` as touched, saving each one's contents on its first touch
    /// since arming. `save` copies a frame into the buffer (or reports it all zero).
    @inline(__always)
    func touch(_ first: Int, _ last: Int, save: (Int) -> Saved) {
        var f = first
        while f <= last {
            if state[f].load(ordering: .acquiring) != 1 { touchSlow(f, save: save) }
            f += 1
        }
    }

    private func touchSlow(_ f: Int, save: (Int) -> Saved) {
        while true {
            let (exchanged, old) = state[f].compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing)
            if exchanged {
                if case .none = saved[f] { saved[f] = save(f) }
                dirty.withLock { $0.append(f) }
                state[f].store(1, ordering: .releasing)
                return
            }
            if old == 1 { return }
            // Another thread is saving this frame: wait for it to publish.
        }
    }

    /// Hands each dirty frame and its saved contents to `restore`, then marks every frame
    /// clean. The caller must be the only one touching memory.
    func rewind(_ restore: (Int, Saved) -> Void) {
        let frames = dirty.withLock { list -> [Int] in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
        for f in frames {
            restore(f, saved[f])
            state[f].store(0, ordering: .relaxed)
        }
    }

    private func discardSaved() {
        for i in 0..<frameCount {
            if case .copy(let p, _) = saved[i] { p.deallocate() }
            saved[i] = .none
        }
    }
}
