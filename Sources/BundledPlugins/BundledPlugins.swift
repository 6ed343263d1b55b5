import HarnessCore
import PageAllocatorPlugin
import SlabPlugin
import VmallocPlugin
import DMAPlugin
import UserMemoryPlugin
import USBPlugin
import SKBPlugin
import USBNetExample

/// The plugins that ship with kmsan-harness, in installation order: the one list the
/// command-line tool, every test target and the benchmarks use. Adding a bundled plugin is one
/// line here (and its target in Package.swift's `bundledPlugins`).
public enum BundledPlugins {
    /// The bundled plugins, fresh recipes in their default configuration.
    public static var all: [any HarnessPlugin] {
        [
            PageAllocatorPlugin(),
            SlabPlugin(),
            VmallocPlugin(),
            DMAPlugin(),
            UserMemoryPlugin(),
            USBPlugin(),
            SKBPlugin(),
            UXNetPlugin(),
        ]
    }

    /// The bundled plugins as a checked `PluginSet`.
    public static func pluginSet() throws(MachineError) -> PluginSet { try PluginSet(all) }
}
