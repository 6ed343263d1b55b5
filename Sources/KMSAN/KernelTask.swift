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
    public static let maxCallDepth = CallStack.capacity
    /// The call stack, in memory the task owns: the CPU running the task pushes and pops
    /// through this pointer, so a call costs no reference counting.
    @usableFromInline let stack: UnsafeMutablePointer<CallStack>
    /// The last few stacks saved to the depot from this task, with their handles: saving one of
    /// them again (the common case: an allocation and a free site in a loop) skips the depot's
    /// lock and hash. Replaced round-robin.
    @exclusivity(unchecked) package var savedStacks: [(frames: [UInt64], handle: OriginHandle)] = []
    /// The next entry of `savedStacks` to replace.
    @exclusivity(unchecked) package var nextSavedStack = 0
    /// How many recent stacks a task remembers.
    package static let savedStackCacheSize = 4
    /// Bytes of stack used by locals.
    package var stackUsed: Int {
        get { stack.pointee.stackUsed }
        set { stack.pointee.stackUsed = newValue }
    }
    /// Whether `exitTask` ran.
    public package(set) var hasExited = false

    init(pid: Int, comm: String, stackFrame: PageFrameNumber?, stackBase: KernelAddress) {
        self.pid = pid
        self.comm = String(comm.prefix(15))
        self.stackFrame = stackFrame
        self.stackBase = stackBase
        stack = .allocate(capacity: 1)
        stack.initialize(to: CallStack())
    }

    deinit {
        stack.pointee.release()
        stack.deinitialize(count: 1)
        stack.deallocate()
    }

    /// Number of frames on the call stack.
    public var callDepth: Int { stack.pointee.depth }

    /// Return addresses of the call stack, outermost first (a copy, for reports).
    package var frames: [UInt64] { withFrames { Array($0) } }

    /// Calls `body` with the call stack's return addresses, outermost first.
    @inline(__always)
    package func withFrames<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        body(UnsafeBufferPointer(start: stack.pointee.frames, count: stack.pointee.depth))
    }

    /// The innermost return address, if any.
    package var topFrame: UInt64? { stack.pointee.frame(fromTop: 0) }

    /// The return address below the innermost one, if any.
    package var callerFrame: UInt64? { stack.pointee.frame(fromTop: 1) }

    /// Pushes a frame; false (and nothing pushed) when the stack is full.
    @inline(__always)
    package func push(_ address: UInt64) -> Bool { stack.pointee.push(address) }

    /// Pops the innermost frame and the stack locals it created.
    @inline(__always)
    package func pop() { stack.pointee.pop() }

    /// Replaces the innermost return address.
    package func replaceTop(_ address: UInt64) {
        let depth = stack.pointee.depth
        if depth > 0 { stack.pointee.frames[depth - 1] = address }
    }
}
