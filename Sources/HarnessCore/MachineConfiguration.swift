import KMSAN
import KernelMemory

/// How a machine is built, with its defaults in one place.
///
/// | setting       | scenario key    | default                     |
/// |---------------|-----------------|-----------------------------|
/// | `memorySize`  | `memory`        | 64 MiB (`mem=64M`)          |
/// | `kmsan`       | `profile`, `eager-checks`, `panic` | `KMSANOptions()` |
/// | `leakCheck`   | `leak-check`    | off                         |
/// | `kasanVmalloc`| `kasan-vmalloc` | on                          |
/// | `vmallocRelease` | `vmalloc-release` | `.area` (Linux 6.9+)  |
/// | `seed`        | `seed`          | 0                           |
public struct MachineConfiguration: Sendable, Equatable {
    /// Simulated physical memory in bytes.
    public var memorySize = PhysicalMemory.defaultSize
    /// KMSAN's options.
    public var kmsan = KMSANOptions()
    /// Report memory still allocated at the end as HARNESS `leak`.
    public var leakCheck = false
    /// Seed for anything randomised.
    public var seed: UInt64 = 0
    /// Whether KASAN shadows vmalloc space (CONFIG_KASAN_VMALLOC), for vmalloc plugins.
    public var kasanVmalloc = true
    /// How vmalloc plugins release the KASAN shadow of freed areas.
    public var vmallocRelease = VmallocRelease.area

    /// When the KASAN shadow of a freed vmalloc area is released.
    public enum VmallocRelease: String, Sendable, CaseIterable {
        /// Linux 5.5 to 6.8: at lazy purge, for merged free areas.
        case merged
        /// Linux 6.9 and later: per area, at purge.
        case area
    }

    /// The defaults above.
    public init() {}
}
