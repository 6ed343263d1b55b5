import HarnessCore
import KMSAN

/// A scenario's `config` lines, resolved: every key of the contract's table, nil where the
/// scenario does not set it (the run's defaults, or command-line overrides, apply).
///
/// | key               | field            | values                      | default   |
/// |-------------------|------------------|-----------------------------|-----------|
/// | `profile`         | `profile`        | `mainline`, `rfc-v3`        | mainline  |
/// | `eager-checks`    | `eagerChecks`    | `on`, `off`                 | on        |
/// | `panic`           | `panic`          | `on`, `off`                 | off       |
/// | `memory`          | `memorySize`     | bytes, `K`/`M` suffixes     | 64M       |
/// | `kasan-vmalloc`   | `kasanVmalloc`   | `on`, `off`                 | on        |
/// | `vmalloc-release` | `vmallocRelease` | `merged`, `area`            | area      |
/// | `leak-check`      | `leakCheck`      | `on`, `off`                 | off       |
/// | `seed`            | `seed`           | integer                     | 0         |
public struct ScenarioSettings: Sendable, Equatable {
    /// `profile`.
    public var profile: KMSANPolicy?
    /// `eager-checks`.
    public var eagerChecks: Bool?
    /// `panic`.
    public var panic: Bool?
    /// `memory`, in bytes.
    public var memorySize: Int?
    /// `kasan-vmalloc`.
    public var kasanVmalloc: Bool?
    /// `vmalloc-release`.
    public var vmallocRelease: MachineConfiguration.VmallocRelease?
    /// `leak-check`.
    public var leakCheck: Bool?
    /// `seed`.
    public var seed: UInt64?

    /// Nothing set.
    public init() {}

    /// The profiles a scenario may name, by name.
    public static var profiles: [String: KMSANPolicy] {
        Dictionary(uniqueKeysWithValues: KMSANPolicy.all.map { ($0.name, $0) })
    }

    /// `base` with every key this scenario sets applied.
    public func applied(to base: MachineConfiguration) -> MachineConfiguration {
        var c = base
        if let profile { c.kmsan.policy = profile }
        if let eagerChecks { c.kmsan.eagerChecks = eagerChecks }
        if let panic { c.kmsan.panicOnReport = panic }
        if let memorySize { c.memorySize = memorySize }
        if let kasanVmalloc { c.kasanVmalloc = kasanVmalloc }
        if let vmallocRelease { c.vmallocRelease = vmallocRelease }
        if let leakCheck { c.leakCheck = leakCheck }
        if let seed { c.seed = seed }
        return c
    }
}
