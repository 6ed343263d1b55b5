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

    /// Return addresses of the call stack, outermost first.
    @exclusivity(unchecked) package var frames: [UInt64] = []
    /// Stack usage at each push, to pop the locals of a returning frame.
    @exclusivity(unchecked) package var frameMarks: [Int] = []
    /// The stack last saved to the depot from this task, and its handle: saving the same stack
    /// again (the common case: one allocation site in a loop) skips the depot's lock.
    @exclusivity(unchecked) package var lastSavedStack: [UInt64] = []
    /// Depot handle (no extra bits) of `lastSavedStack`.
    @exclusivity(unchecked) package var lastSavedHandle = OriginHandle.none
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

    /// Number of frames on the call stack.
    public var callDepth: Int { frames.count }
}
