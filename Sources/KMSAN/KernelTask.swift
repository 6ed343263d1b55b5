import KernelMemory

/// A simulated task (`struct task_struct`): identity, KMSAN context, call stack and kernel stack.
///
/// A task runs on one simulated CPU at a time and is not shared across host threads. The call
/// stack is pushed and popped on every hook, so its dynamic exclusivity checks are off (only
/// the owning CPU's thread touches it, never through overlapping accesses).
public final class KernelTask {
    /// THREAD_SIZE: 16 KiB of kernel stack, 4 pages.
    public static let stackSize = 4 * PAGE_SIZE
    /// Order of the stack allocation.
    static let stackOrder = 2

    /// Process id.
    public let pid: Int
    /// Task name (`comm`), at most 15 characters as in the kernel.
    public let comm: String
    /// The task's KMSAN context.
    public let kmsan = KMSANContext()
    /// Lowest address of the kernel stack (in the direct map), or null if the task has none.
    public let stackBase: KernelAddress
    /// The frame backing the stack.
    let stackFrame: PageFrameNumber?

    /// Most frames a call stack holds. Calls nested deeper run without a frame of their own
    /// (a runaway recursion in a scenario must not take the host down).
    public static let maxCallDepth = 256
    /// Return addresses of the call stack, outermost first (`depth` of them).
    private let frameStorage = UnsafeMutablePointer<UInt64>.allocate(capacity: KernelTask.maxCallDepth)
    /// Stack usage at each push, to pop the locals of a returning frame.
    private let markStorage = UnsafeMutablePointer<Int>.allocate(capacity: KernelTask.maxCallDepth)
    /// Frames on the call stack.
    @exclusivity(unchecked) private var depth = 0
    /// The last few stacks saved to the depot from this task, with their handles: saving one of
    /// them again (the common case: an allocation and a free site in a loop) skips the depot's
    /// lock and hash. Replaced round-robin.
    @exclusivity(unchecked) package var savedStacks: [(frames: [UInt64], handle: OriginHandle)] = []
    /// The next entry of `savedStacks` to replace.
    @exclusivity(unchecked) package var nextSavedStack = 0
    /// How many recent stacks a task remembers.
    package static let savedStackCacheSize = 4
    /// Bytes of stack used by locals.
    @exclusivity(unchecked) package var stackUsed = 0
    /// Whether `exitTask` ran.
    public package(set) var hasExited = false

    init(pid: Int, comm: String, stackFrame: PageFrameNumber?, stackBase: KernelAddress) {
        self.pid = pid
        self.comm = String(comm.prefix(15))
        self.stackFrame = stackFrame
        self.stackBase = stackBase
    }

    deinit {
        frameStorage.deallocate()
        markStorage.deallocate()
    }

    /// Number of frames on the call stack.
    public var callDepth: Int { depth }

    /// Return addresses of the call stack, outermost first (a copy, for reports).
    package var frames: [UInt64] { Array(UnsafeBufferPointer(start: frameStorage, count: depth)) }

    /// Calls `body` with the call stack's return addresses, outermost first.
    @inline(__always)
    package func withFrames<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        body(UnsafeBufferPointer(start: frameStorage, count: depth))
    }

    /// The innermost return address, if any.
    package var topFrame: UInt64? { depth > 0 ? frameStorage[depth - 1] : nil }

    /// The return address below the innermost one, if any.
    package var callerFrame: UInt64? { depth > 1 ? frameStorage[depth - 2] : nil }

    /// Pushes a frame and remembers the stack usage; false (and nothing pushed) when the
    /// stack is at `maxCallDepth`.
    @inline(__always)
    package func push(_ address: UInt64) -> Bool {
        guard depth < Self.maxCallDepth else { return false }
        frameStorage[depth] = address
        markStorage[depth] = stackUsed
        depth += 1
        return true
    }

    /// Pops the innermost frame and the stack locals it created.
    @inline(__always)
    package func pop() {
        depth -= 1
        stackUsed = markStorage[depth]
    }

    /// Replaces the innermost return address.
    package func replaceTop(_ address: UInt64) {
        if depth > 0 { frameStorage[depth - 1] = address }
    }
}
