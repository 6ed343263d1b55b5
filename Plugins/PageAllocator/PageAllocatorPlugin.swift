import HarnessCore
import KMSAN
import KernelMemory

/// The buddy page allocator plugin: gives each machine a `BuddyAllocator` over the frames
/// below the core's boot reservation. As the page allocator's provider it gets the standard
/// page ops (`StandardOps`: `alloc_pages`, `__free_pages`, `page_address`, `virt_to_page`,
/// `copy_highpage`, `__get_free_pages`, `free_pages`), which call it through the protocol.
public struct PageAllocatorPlugin: HarnessPlugin {
    /// `page-allocator`.
    public var name: String { "page-allocator" }
    /// It provides the page allocator.
    public var provides: SubsystemKind? { .pageAllocator }
    /// The failure injection each machine's allocator starts with.
    public var failureInjection: FailureInjection

    /// Creates the plugin; `failureInjection` is installed in every machine's allocator.
    public init(failureInjection: FailureInjection = .none) {
        self.failureInjection = failureInjection
    }

    /// Builds the machine's `BuddyAllocator`, with its call sites interned.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard context.runtime.bootMemory.firstFrame.index > 0 else {
            throw .pluginFailed(plugin: name, message: "no frames below the boot reservation to manage")
        }
        return BuddyAllocator(runtime: context.runtime, failureInjection: failureInjection)
    }
}

extension Machine {
    /// The machine's page allocator as a `BuddyAllocator`, if the page allocator plugin
    /// provides it (for what the protocol does not cover: failure injection, buddy info).
    public var buddyAllocator: BuddyAllocator? { pageAllocator as? BuddyAllocator }
}
