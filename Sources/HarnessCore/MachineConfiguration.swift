import KMSAN
import KernelMemory

/// How a machine is built, with its defaults in one place.
///
/// | setting       | scenario key    | default                     |
/// |---------------|-----------------|-----------------------------|
/// | `memorySize`  | `memory`        | 64 MiB (`mem=64M`)          |
/// | `kmsan`       | `profile`, `eager-checks`, `panic` | `KMSANOptions()` |
/// | `leakCheck`   | `leak-check`    | off                         |
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

    /// The defaults above.
    public init() {}
}
