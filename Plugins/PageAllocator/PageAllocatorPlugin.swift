import HarnessCore
import KMSAN
import KernelMemory

/// The buddy page allocator plugin (work in progress; see issue #3).
public struct PageAllocatorPlugin: HarnessPlugin {
    /// The plugin's name.
    public var name: String { "page-allocator" }
    /// It provides the page allocator.
    public var provides: SubsystemKind? { .pageAllocator }
    /// Creates the plugin.
    public init() {}
    /// Not implemented yet: provides no subsystem.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        throw .pluginFailed(plugin: name, message: "not implemented yet")
    }
}
