import HarnessCore
import KMSAN
import KernelMemory

/// The SLUB-like slab plugin (work in progress; see issue #3).
public struct SlabPlugin: HarnessPlugin {
    /// The plugin's name.
    public var name: String { "slub" }
    /// It provides the slab allocator.
    public var provides: SubsystemKind? { .slab }
    /// It needs a page allocator.
    public var requires: [SubsystemKind] { [.pageAllocator] }
    /// Creates the plugin.
    public init() {}
    /// Not implemented yet.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        throw .pluginFailed(plugin: name, message: "not implemented yet")
    }
}
