import HarnessCore
import KMSAN
import KernelMemory

/// The vmalloc plugin: vmap areas in the vmalloc region over the page allocator's pages, the
/// KMSAN vmap/ioremap hooks, and generic KASAN's vmalloc shadow (lazily populated, shared
/// between neighbouring areas, released at the lazy purge). As the vmalloc provider it gets
/// the standard ops (`vmalloc`, `vzalloc`, `__vmalloc`, `vfree`, `vmap`, `vunmap`, `ioremap`,
/// `iounmap`, `vm_unmap_aliases`, `vmalloc_to_page`).
///
/// KMSAN and KASAN run at once here, which Kconfig forbids in a real kernel: a program may get
/// both kinds of report.
public struct VmallocPlugin: HarnessPlugin {
    /// `kasan-vmalloc`: whether KASAN keeps vmalloc shadow (CONFIG_KASAN_VMALLOC).
    public static let kasanVmalloc = ConfigKey.plugin(
        "kasan-vmalloc", default: "on",
        help: "KASAN shadow for vmalloc space: accesses outside an area report vmalloc-out-of-bounds")
    /// `vmalloc-release`: which free region the lazy purge hands to `kasan_release_vmalloc`.
    public static let vmallocRelease = ConfigKey.plugin(
        "vmalloc-release", ["merged", "area"], default: "area",
        help: "shadow released at purge: merged (the merged free region, Linux 5.5-6.8) or area (the area itself, 6.9+)")
    /// `kasan-multi-shot`: KASAN prints every report, not only the first per boot.
    public static let kasanMultiShot = ConfigKey.plugin(
        "kasan-multi-shot", default: "off",
        help: "print every KASAN report (off: only the first per boot, as kasan_multi_shot)")

    /// `vmalloc`.
    public var name: String { "vmalloc" }
    /// It provides the vmalloc subsystem.
    public var provides: SubsystemKind? { .vmalloc }
    /// Pages come from the page allocator.
    public var requires: [SubsystemKind] { [.pageAllocator] }
    /// Its config keys.
    public var settings: [ConfigKey] { [Self.kasanVmalloc, Self.vmallocRelease, Self.kasanMultiShot] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `VmallocAllocator`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let pages = context.subsystem(.pageAllocator, as: (any PageAllocatorSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the page allocator does not implement PageAllocatorSubsystem")
        }
        let c = context.configuration
        return VmallocAllocator(
            runtime: context.runtime, pages: pages,
            options: VmallocOptions(
                kasan: c.value(of: Self.kasanVmalloc) == "on",
                release: c.value(of: Self.vmallocRelease) == "merged" ? .mergedFreeRegion : .areaOnly,
                multiShot: c.value(of: Self.kasanMultiShot) == "on"))
    }
}

/// How a machine's vmalloc plugin behaves, from its config keys.
public struct VmallocOptions: Sendable, Equatable {
    /// Which range the lazy purge passes to `kasan_release_vmalloc` as the free region.
    public enum Release: Sendable, Equatable {
        /// The merged free area around the freed one (Linux 5.5-6.8): an edge shadow page goes
        /// once its neighbours are free too.
        case mergedFreeRegion
        /// The freed area itself (Linux 6.9+): partial edge pages are never released at purge.
        case areaOnly
    }
    /// KASAN vmalloc shadow on.
    public var kasan: Bool
    /// The release behaviour.
    public var release: Release
    /// KASAN multi-shot.
    public var multiShot: Bool

    /// Creates options.
    public init(kasan: Bool = true, release: Release = .areaOnly, multiShot: Bool = false) {
        self.kasan = kasan
        self.release = release
        self.multiShot = multiShot
    }
}
