/// Per-task (or per-CPU, for interrupts) KMSAN state: the kernel's `struct kmsan_ctx`.
///
/// Owned by one simulated CPU at a time; not shared across host threads.
public final class KMSANContext {
    /// Nesting of the runtime on this context; hooks do nothing while it is nonzero.
    public package(set) var inRuntime = 0
    /// `kmsan_disable_current()` nesting; reports are dropped while it is nonzero.
    public package(set) var depth = 0
    /// RFC v3's per-task reporting switch.
    public package(set) var allowReporting = true

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
