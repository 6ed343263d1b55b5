/// A simulated CPU: the task it runs, its interrupt state and its per-CPU KMSAN context.
///
/// Every hook takes the CPU it runs on, which says which context is current (the task's,
/// or the per-CPU one inside interrupts, as `kmsan_get_context()` decides). A CPU belongs to
/// one host thread at a time; several CPUs of one machine may run on threads at once.
public final class KernelCPU {
    /// CPU number.
    public let id: Int
    /// The runtime this CPU reports to.
    public let runtime: KMSANRuntime
    /// The running task.
    @exclusivity(unchecked) public private(set) var current: KernelTask
    /// The running task's call stack (`current.stack`), kept here so that `call` reaches it
    /// without retaining the task.
    @usableFromInline @exclusivity(unchecked) private(set) var currentStack: UnsafeMutablePointer<CallStack>
    /// The per-CPU context used outside task context (`kmsan_percpu_ctx`).
    public let percpuContext = KMSANContext()
    /// The per-CPU context of hardirq and NMI code when `KMSANOptions.separateIRQContexts` is
    /// on (google/kmsan#92's proposal); unused in mainline, where they share `percpuContext`.
    public let hardirqContext = KMSANContext()
    /// `KMSANOptions.separateIRQContexts`, read once.
    let separateIRQContexts: Bool
    /// An interrupt to deliver inside the next runtime hook whose function is `hook`
    /// (`KMSANRuntime.deliverPendingInterrupt`): where a shared context misbehaves.
    @exclusivity(unchecked) public var pendingInterrupt: PendingInterrupt?
    /// Nesting of hard interrupts.
    @exclusivity(unchecked) public private(set) var hardirqCount = 0
    /// Nesting of softirqs.
    @exclusivity(unchecked) public private(set) var softirqCount = 0
    /// Nesting of NMIs.
    @exclusivity(unchecked) public private(set) var nmiCount = 0

    init(id: Int, runtime: KMSANRuntime, task: KernelTask) {
        self.id = id
        self.runtime = runtime
        self.current = task
        self.currentStack = task.stack
        self.separateIRQContexts = runtime.options.separateIRQContexts
    }

    /// Whether the CPU runs in task context (`in_task()`).
    @inline(__always)
    public var inTask: Bool { hardirqCount == 0 && softirqCount == 0 && nmiCount == 0 }

    /// The current KMSAN context (`kmsan_get_context()`).
    @inline(__always)
    public var context: KMSANContext {
        if inTask { return current.kmsan }
        return separateIRQContexts && (hardirqCount > 0 || nmiCount > 0) ? hardirqContext : percpuContext
    }

    /// Tasks switched away from while calls on their stacks were still running: kept alive
    /// until those calls return (a switched-out task stays on a runqueue in the kernel too),
    /// so `call` always pops from memory that is still there.
    @exclusivity(unchecked) private var suspended: [KernelTask] = []

    /// Switches to another task (a context switch). The old task lives on while frames pushed
    /// by calls still running are on its stack; a task whose stack has emptied is let go.
    public func switchTo(_ task: KernelTask) {
        let old = current
        suspended.removeAll { $0.callDepth == 0 && $0 !== task }
        if old.callDepth > 0, !suspended.contains(where: { $0 === old }) { suspended.append(old) }
        current = task
        currentStack = task.stack
    }

    /// Runs `body` as an interrupt handler of the given kind on this CPU.
    public func withInterrupt<R>(_ kind: InterruptKind, _ body: () throws -> R) rethrows -> R {
        switch kind {
        case .hardirq: hardirqCount += 1
        case .softirq: softirqCount += 1
        case .nmi: nmiCount += 1
        }
        defer {
            switch kind {
            case .hardirq: hardirqCount -= 1
            case .softirq: softirqCount -= 1
            case .nmi: nmiCount -= 1
            }
        }
        return try body()
    }

    /// Calls `body` as the function whose return address is `site`: pushes the frame, runs,
    /// pops the frame and the stack locals it created. A task switch inside `body` does not
    /// confuse it: the frame is popped from the stack it was pushed on.
    @inlinable
    public func call<R>(_ site: CallSite, _ body: () throws -> R) rethrows -> R {
        let stack = currentStack
        let pushed = stack.pointee.push(site.address)
        defer { if pushed { stack.pointee.pop() } }
        return try body()
    }

    /// Moves the innermost frame to another call site of the same function: the statement now
    /// executing, as a return address moves through a function. Scenario interpreters call this
    /// before each statement so that each line is its own stack.
    public func setCurrentSite(_ site: CallSite) {
        current.replaceTop(site.address)
    }

    /// Moves the innermost frame to `file:line` within its own function (see `setCurrentSite`).
    public func step(file: String = #fileID, line: Int = #line) {
        guard let top = current.topFrame, let name = runtime.symbols.functionName(of: CallSite(address: top)) else { return }
        setCurrentSite(runtime.symbols.site(in: name, file: file, line: line))
    }

    /// Calls `body` as function `name`, with this Swift call site as the return address.
    /// Interns the site on every call; hot paths should intern once and use `call(_:_:)`.
    public func call<R>(_ name: String, file: String = #fileID, line: Int = #line, _ body: () throws -> R) rethrows -> R {
        try call(runtime.symbols.site(in: name, file: file, line: line), body)
    }
}
