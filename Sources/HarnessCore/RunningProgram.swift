import KMSAN

/// When the CPUs of a program switch, besides `yield()` and `flush_cpu`: `config interleave=`.
///
/// | value        | the running CPU gives way                                          |
/// |--------------|--------------------------------------------------------------------|
/// | `completion` | at `yield()`, at `flush_cpu`, and when its func returns (default) |
/// | `statement`  | also after every statement it executes                             |
///
/// `on_cpu` always starts its func at once, on the CPU it names, so without yield points a
/// func started on another CPU runs to completion before the caller goes on.
public enum CPUInterleave: String, CaseIterable, Sendable {
    /// Only at yield points.
    case completion
    /// After every statement, round-robin over the CPUs with work.
    case statement
}

/// What a running program offers its ops: which funcs it has, and its CPUs (`on_cpu`, `yield`,
/// `flush_cpu`). The program runs one CPU at a time, the scheduler deciding which from the
/// program alone, so the same program gives the same interleaving, and the same report text,
/// on every run. Calls come from the CPU the op runs on, the one running now.
public protocol RunningProgram: AnyObject {
    /// How many parameters the program's func `name` takes; nil if it has no such func.
    func parameterCount(ofFunction name: String) -> Int?
    /// Starts func `name` with `arguments` on CPU `cpu` (as a work item of that CPU's kworker):
    /// at once if that CPU is idle, the caller going on when it yields or returns; after the
    /// work already queued there otherwise. An error when the program has no such func, `cpu`
    /// is not a possible CPU, or too many work items are pending.
    func start(_ name: String, _ arguments: [ShadowedValue], onCPU cpu: Int, from caller: KernelCPU) -> Result<Void, OpError>
    /// A yield point: the next CPU with work (in CPU order after `caller`'s) runs until its
    /// own next yield point; nothing happens if no other CPU has work.
    func yield(from caller: KernelCPU)
    /// Waits (letting the others run) until every func started on CPU `cpu` has returned. An
    /// error when that can never happen (`cpu` is the caller's, or the CPUs wait for each other).
    func flush(cpu: Int, from caller: KernelCPU) -> Result<Void, OpError>
}
