import HarnessCore
import KMSAN
import KernelMemory

/// The SLUB-like slab allocator plugin: provides `.slab` on top of the machine's page allocator.
///
/// ```swift
/// let machine = try Machine(plugins: BundledPlugins.all, sink: sink)   // the page allocator, then this
/// let p = machine.slab!.kmalloc(80, gfp: .kernel, on: cpu)   // an object of kmalloc-96
/// ```
///
/// Each machine gets its own `SlubAllocator`. As the slab provider the plugin gets the standard
/// slab ops (`StandardOps`: `kmem_cache_create`, `kmem_cache_alloc`, `kmem_cache_free`,
/// `kmem_cache_destroy`, `kmalloc`, `kzalloc`, `krealloc`, `kfree` and `ksize`).
///
/// A constructor is requested from a scenario with the pseudo flag `SLAB_CTOR_ZERO`
/// (`SlabPlugin.ctorZero`): `kmem_cache_create("foo", 24, 0, SLAB_CTOR_ZERO)` makes a cache whose
/// constructor zero-fills each object through the instrumented `memset`.
public struct SlabPlugin: HarnessPlugin {
    /// `slub`.
    public var name: String { "slub" }
    /// It provides the slab allocator.
    public var provides: SubsystemKind? { .slab }
    /// It needs a page allocator for its slabs and `kmalloc_large`.
    public var requires: [SubsystemKind] { [.pageAllocator] }

    /// Creates the plugin.
    public init() {}

    /// `SLAB_CTOR_ZERO`: not a kernel flag but a harness pseudo flag of `kmem_cache_create` that
    /// asks for a constructor zero-filling each object (through the instrumented `memset`). Its
    /// bit is outside every real `SlabFlags` bit; the cache's own flags never contain it.
    public static let ctorZero = SlabFlags(rawValue: 1 << 24)

    /// The `slab_flags_t` names a scenario may use with this plugin: the kernel's
    /// (`SlabFlags.names`) and the pseudo flag `SLAB_CTOR_ZERO`.
    public static let flagNames: [(String, SlabFlags)] = SlabFlags.names + [("SLAB_CTOR_ZERO", ctorZero)]

    /// `SLAB_CTOR_ZERO`, for scenarios.
    public var constants: [NamedConstant] { [NamedConstant("SLAB_CTOR_ZERO", .slabFlags, UInt64(Self.ctorZero.rawValue))] }

    /// Builds the machine's `SlubAllocator` on the installed page allocator.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let pages = context.subsystem(.pageAllocator, as: (any PageAllocatorSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the installed page allocator does not implement PageAllocatorSubsystem")
        }
        return SlubAllocator(runtime: context.runtime, pageAllocator: pages)
    }
}
