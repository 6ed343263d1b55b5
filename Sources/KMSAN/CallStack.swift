/// A task's simulated call stack: return addresses, outermost first, and the stack usage at
/// each push (so that popping a frame frees the locals it created).
///
/// Kept in memory its task allocates once and frees in its `deinit`; `KernelCPU.call` pushes
/// and pops through a plain pointer to it, which is what makes a simulated call cost a few
/// nanoseconds instead of a retain and a release of the task.
@usableFromInline
struct CallStack {
    /// Most frames a call stack holds.
    @usableFromInline static let capacity = 256

    /// Return addresses, outermost first (`depth` of them).
    @usableFromInline let frames: UnsafeMutablePointer<UInt64>
    /// Stack usage at each push.
    @usableFromInline let marks: UnsafeMutablePointer<Int>
    /// Frames on the stack.
    @usableFromInline var depth = 0
    /// Bytes of kernel stack used by locals.
    @usableFromInline var stackUsed = 0

    /// An empty stack with room for `capacity` frames.
    init() {
        frames = .allocate(capacity: Self.capacity)
        marks = .allocate(capacity: Self.capacity)
    }

    /// Frees the frame buffers (the owning task's `deinit`).
    func release() {
        frames.deallocate()
        marks.deallocate()
    }

    /// Pushes a frame and remembers the stack usage; false (and nothing pushed) when full.
    @inlinable @inline(__always)
    mutating func push(_ address: UInt64) -> Bool {
        guard depth < Self.capacity else { return false }
        frames[depth] = address
        marks[depth] = stackUsed
        depth += 1
        return true
    }

    /// Pops the innermost frame and the locals it created.
    @inlinable @inline(__always)
    mutating func pop() {
        depth -= 1
        stackUsed = marks[depth]
    }

    /// The return address `n` frames below the innermost one, if there is one.
    func frame(fromTop n: Int) -> UInt64? {
        depth > n ? frames[depth - 1 - n] : nil
    }
}
