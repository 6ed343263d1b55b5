import KMSAN
import KernelMemory

/// How a machine is built, with its defaults in one place. Scenarios change it through the
/// config keys (`ConfigKey.core` and the plugins' `settings`), each declared where it is read.
///
/// | setting          | scenario key                        | default            |
/// |------------------|-------------------------------------|--------------------|
/// | `memorySize`     | `memory`                            | 64 MiB (`mem=64M`) |
/// | `kmsan`          | `profile`, `eager-checks`, `panic`  | `KMSANOptions()`   |
/// | `leakCheck`      | `leak-check`                        | off                |
/// | `pluginSettings` | the plugins' own keys               | each key's default |
public struct MachineConfiguration: Sendable, Equatable {
    /// Simulated physical memory in bytes.
    public var memorySize = PhysicalMemory.defaultSize
    /// KMSAN's options.
    public var kmsan = KMSANOptions()
    /// Report memory still allocated at the end as HARNESS `leak`.
    public var leakCheck = false
    /// Values of plugin-declared keys that were set (`ConfigKey.plugin`), by key; a key not set
    /// has its default.
    public var pluginSettings: [String: String] = [:]

    /// The defaults above.
    public init() {}

    /// The value of a plugin's key: what a scenario set, or the key's default.
    public func value(of key: ConfigKey) -> String { pluginSettings[key.name] ?? key.defaultValue }
}
