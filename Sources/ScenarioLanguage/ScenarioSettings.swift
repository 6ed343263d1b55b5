import HarnessCore
import KMSAN

/// A scenario's `config` lines, parsed: one `ConfigSetting` per key it sets, in file order.
/// Keys it does not set keep the run's defaults (or command-line overrides). Which keys exist,
/// and what their values are, is declared by the plugin set the file was parsed with
/// (`ConfigKey.core` and the plugins' `settings`).
public struct ScenarioSettings: Sendable, Equatable {
    /// The settings, in the order the scenario wrote them.
    public private(set) var settings: [ConfigSetting] = []

    /// No key set, or the given settings.
    public init(_ settings: [ConfigSetting] = []) { self.settings = settings }

    /// Adds a setting (a key appears once: the parser refuses a second one).
    public mutating func set(_ setting: ConfigSetting) { settings.append(setting) }

    /// The value the scenario gave `key`, as written, if it set it.
    public func value(of key: String) -> String? { settings.first { $0.key == key }?.value }

    /// `base` with every key this scenario sets applied.
    public func applied(to base: MachineConfiguration) -> MachineConfiguration {
        var configuration = base
        for setting in settings { setting.apply(to: &configuration) }
        return configuration
    }
}
