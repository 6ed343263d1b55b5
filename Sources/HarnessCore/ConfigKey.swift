import KMSAN
import KernelMemory

/// One `config <key>=<value>` key, declared once by the part of the harness that reads it: the
/// core (`ConfigKey.core`) or a plugin (`HarnessPlugin.settings`). The scenario parser, the
/// `ops` listing and the machine configuration all derive from the declaration, so a key that no
/// installed part reads does not exist.
///
/// A key parses its value once, where the scenario is loaded; the result is a `ConfigSetting`
/// that changes a `MachineConfiguration` when a machine is built. A plugin's own key keeps its
/// value in the configuration's `pluginSettings`, where the plugin reads it back with
/// `MachineConfiguration.value(of:)`.
public struct ConfigKey: Sendable {
    /// The key (`leak-check`).
    public let name: String
    /// Its values, for listings (`on, off`).
    public let values: String
    /// Its default, as written in a scenario (`off`).
    public let defaultValue: String
    /// One line of help.
    public let help: String
    private let parseValue: @Sendable (String) -> Result<@Sendable (inout MachineConfiguration) -> Void, ConfigValueError>

    /// Declares a key whose values `parse` reads: the change to make, or what was expected.
    public init(
        _ name: String, values: String, default defaultValue: String, help: String,
        parse: @escaping @Sendable (String) -> Result<@Sendable (inout MachineConfiguration) -> Void, ConfigValueError>
    ) {
        self.name = name
        self.values = values
        self.defaultValue = defaultValue
        self.help = help
        self.parseValue = parse
    }

    /// Parses `value`: the setting, or what the key expects.
    public func parse(_ value: String) -> Result<ConfigSetting, ConfigValueError> {
        parseValue(value).map { ConfigSetting(key: name, value: value, apply: $0) }
    }

    /// An `on`/`off` key whose value `set` stores.
    public static func onOff(
        _ name: String, default defaultValue: Bool, help: String,
        set: @escaping @Sendable (inout MachineConfiguration, Bool) -> Void
    ) -> ConfigKey {
        ConfigKey(name, values: "on, off", default: defaultValue ? "on" : "off", help: help) { value in
            switch value {
            case "on": .success { set(&$0, true) }
            case "off": .success { set(&$0, false) }
            default: .failure(ConfigValueError(expected: "on or off"))
            }
        }
    }

    /// A key that takes one of `choices`, whose value `set` stores.
    public static func choice(
        _ name: String, _ choices: [String], default defaultValue: String, help: String,
        set: @escaping @Sendable (inout MachineConfiguration, String) -> Void
    ) -> ConfigKey {
        ConfigKey(name, values: choices.joined(separator: ", "), default: defaultValue, help: help) { value in
            choices.contains(value)
                ? .success { set(&$0, value) }
                : .failure(ConfigValueError(expected: "one of " + choices.sorted().joined(separator: ", ")))
        }
    }

    /// A plugin's own key: one of `choices` (`on`/`off` by default), kept in `pluginSettings`.
    public static func plugin(_ name: String, _ choices: [String] = ["on", "off"], default defaultValue: String, help: String) -> ConfigKey {
        let expected = choices == ["on", "off"] ? "on or off" : "one of " + choices.sorted().joined(separator: ", ")
        return ConfigKey(name, values: choices.joined(separator: ", "), default: defaultValue, help: help) { value in
            choices.contains(value) ? .success { $0.pluginSettings[name] = value } : .failure(ConfigValueError(expected: expected))
        }
    }
}

/// What a config key expected, when a value does not fit it.
public struct ConfigValueError: Error, Equatable, CustomStringConvertible {
    /// `on or off`, `one of mainline, rfc-v3`, ...
    public var expected: String

    /// Creates an error.
    public init(expected: String) { self.expected = expected }

    /// `expected <what>`.
    public var description: String { "expected \(expected)" }
}

/// A parsed `config` line: the key, its value as written, and the change it makes.
public struct ConfigSetting: Sendable, Equatable, CustomStringConvertible {
    /// The key.
    public let key: String
    /// The value as written.
    public let value: String
    private let change: @Sendable (inout MachineConfiguration) -> Void

    init(key: String, value: String, apply: @escaping @Sendable (inout MachineConfiguration) -> Void) {
        self.key = key
        self.value = value
        self.change = apply
    }

    /// Makes the change.
    public func apply(to configuration: inout MachineConfiguration) { change(&configuration) }

    /// Settings are equal when they set the same key to the same text.
    public static func == (a: ConfigSetting, b: ConfigSetting) -> Bool { a.key == b.key && a.value == b.value }

    /// `key=value`.
    public var description: String { "\(key)=\(value)" }
}
