/// Per-task (or per-CPU, for interrupts) KMSAN state: the kernel's `struct kmsan_ctx`.
///
/// Owned by one simulated CPU at a time; not shared across host threads. Its counters are read
/// and written on every hook, so their dynamic exclusivity checks are turned off: a context is
/// only ever touched by the thread running its CPU, and never through overlapping accesses.
public final class KMSANContext {
    /// Nesting of the runtime on this context; hooks do nothing while it is nonzero.
    @exclusivity(unchecked) public package(set) var inRuntime = 0
    /// `kmsan_disable_current()` nesting; reports are dropped while it is nonzero.
    @exclusivity(unchecked) public package(set) var depth = 0
    /// RFC v3's per-task reporting switch (`kmsan_task_state.allow_reporting`): true for a new
    /// task, cleared by `kmsan_task_exit()`. Only a task's own context uses it; the per-CPU
    /// contexts' copy is never read.
    @exclusivity(unchecked) public package(set) var allowReporting = true

    /// A fresh context (`kmsan_internal_task_create`).
    public init() {}
}

/// Which kind of interrupt a CPU is handling.
public enum InterruptKind: Sendable {
    /// A hardware interrupt.
    case hardirq
    /// A softirq (bottom half).
    case softirq
    /// A non-maskable interrupt.
    case nmi
}

/// An interrupt armed to arrive inside a runtime hook (`KernelCPU.pendingInterrupt`).
public struct PendingInterrupt {
    /// The hook's function name (`__msan_memset`, `kmsan_slab_alloc`, ...).
    public var hook: String
    /// What arrives: a hardirq or an NMI.
    public var kind: InterruptKind
    /// The handler, run in that context.
    public var handler: () -> Void

    /// Arms `handler` to arrive as `kind` inside the next hook named `hook`.
    public init(hook: String, kind: InterruptKind, handler: @escaping () -> Void) {
        self.hook = hook
        self.kind = kind
        self.handler = handler
    }
}
