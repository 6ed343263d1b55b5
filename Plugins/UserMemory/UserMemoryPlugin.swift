import HarnessCore
import KMSAN
import KernelMemory

/// User memory: the current task's user pages below TASK_SIZE, and the copies across the
/// boundary as mainline does them (lib/usercopy.c, include/linux/uaccess.h):
///
/// - `copy_to_user(to, from, n)`: `access_ok` first (a kernel destination fails it: nothing is
///   checked or copied, n is returned); then `instrument_copy_to_user` runs the KMSAN hook with
///   left = 0 before the copy, so all n bytes are checked (`kernel-infoleak`, with the "Data copied
///   to user address" line) even if the copy then faults part-way; the copy moves what it can and
///   returns the bytes not copied.
/// - `copy_from_user(to, from, n)`: the bytes copied are unpoisoned
///   (`instrument_copy_from_user_after`), the rest zeroed (`memset`, as `_inline_copy_from_user`).
/// - `clear_user(to, n)`: zeroes user bytes; returns the bytes not cleared.
///
/// User pages come from the page allocator, zeroed; they have no KMSAN metadata (user memory is
/// not tracked), so data from user space is initialized. Each range is followed by an unmapped
/// page, so an overrun faults.
public struct UserMemoryPlugin: HarnessPlugin {
    /// `user-memory`.
    public var name: String { "user-memory" }
    /// No subsystem of the six: a plugin of ops.
    public var provides: SubsystemKind? { nil }
    /// User pages come from the page allocator.
    public var requires: [SubsystemKind] { [.pageAllocator] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `UserMemory`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let pages = context.subsystem(.pageAllocator, as: (any PageAllocatorSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the page allocator does not implement PageAllocatorSubsystem")
        }
        return UserMemory(runtime: context.runtime, pages: pages)
    }

    /// The ops.
    public var ops: [ScenarioOp] { UserMemoryOps.all }
}
