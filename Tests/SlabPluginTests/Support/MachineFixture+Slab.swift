import BundledPlugins
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import SlabPlugin

/// The slab tests' machine: the shared fixture with the bundled plugins (the page allocator
/// and the slab allocator), run as the function `test_fn` unless a test names another.
extension MachineFixture {
    /// The slab allocator under test (the bundled set always installs one).
    var slab: SlubAllocator { machine.slab as! SlubAllocator }
    /// The page allocator below it.
    var pages: any PageAllocatorSubsystem { machine.pageAllocator! }
    /// The buddy allocator, for its failure injection.
    var buddy: BuddyAllocator { machine.buddyAllocator! }
}

/// Builds a fresh 8 MiB machine with the bundled plugins (`leakCheck` as given), runs `body` on
/// it and shuts it down.
func withSlabMachine<R>(leakCheck: Bool = false, _ body: (MachineFixture) throws -> R) throws -> R {
    let m = try MachineFixture(plugins: BundledPlugins.all, leakCheck: leakCheck)
    defer { m.shutdown() }
    return try body(m)
}

extension ShadowedValue {
    /// The value as an address.
    var address: KernelAddress { KernelAddress(value) }
}
