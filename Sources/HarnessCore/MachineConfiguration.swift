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
/// | `statementBudget`| `max-statements`                    | 1 000 000          |
/// | `interleave`     | `interleave`                        | `.completion`      |
/// | `pluginSettings` | the plugins' own keys               | each key's default |
public struct MachineConfiguration: Sendable, Equatable {
    /// Simulated physical memory in bytes.
    public var memorySize = PhysicalMemory.defaultSize
    /// KMSAN's options.
    public var kmsan = KMSANOptions()
    /// Report memory still allocated at the end as HARNESS `leak`.
    public var leakCheck = false
    /// Statements a scenario may execute (funcs' included) before it is stopped with a HARNESS
    /// `timeout`: a runaway program (funcs fanning out exponentially) ends, the run goes on.
    public var statementBudget = 1_000_000
    /// When the CPUs of a program running on several switch (`on_cpu`).
    public var interleave = CPUInterleave.completion
    /// The most simulated memory one machine may have (`memory` above it is refused): touching
    /// all of it costs the host about three times as much (data, shadow, origins).
    public static let maxMemorySize = 4 << 30
    /// Values of plugin-declared keys that were set (`ConfigKey.plugin`), by key; a key not set
    /// has its default.
    public var pluginSettings: [String: String] = [:]

    /// The defaults above.
    public init() {}

    /// The value of a plugin's key: what a scenario set, or the key's default.
    public func value(of key: ConfigKey) -> String { pluginSettings[key.name] ?? key.defaultValue }
}
