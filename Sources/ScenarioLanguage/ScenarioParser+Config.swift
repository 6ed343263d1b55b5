import HarnessCore
import KernelMemory

/// `config <key>=<value>` lines.
extension ScenarioParser {
    /// The config keys, in the contract's order.
    static let configKeys = ["profile", "eager-checks", "panic", "memory", "kasan-vmalloc", "vmalloc-release", "leak-check", "seed"]

    /// A `config` line of block `block`; `words` follow the keyword.
    mutating func readConfig(_ words: [Word], line: SourceLine, at position: SourcePosition, block: Int) {
        guard blocks[block].kind == .scenario else {
            error("'config' is only allowed in a scenario, not in a func", at: position)
            return
        }
        guard blocks[block].statements.isEmpty else {
            error("config must come before the first statement", at: position)
            return
        }
        // `key=value`, allowing spaces around `=`.
        let joined = words.map(\.text).joined(separator: " ")
        guard let first = words.first else {
            error("expected 'key=value' after 'config'", at: SourcePosition(line: line.number, column: line.end - line.start + 1))
            return
        }
        let at = SourcePosition(line: line.number, column: first.column)
        guard let equals = joined.firstIndex(of: "=") else {
            error("expected 'key=value' after 'config', got '\(ScenarioText.display(joined))'", at: at)
            return
        }
        let key = joined[..<equals].trimmingSpaces
        let value = joined[joined.index(after: equals)...].trimmingSpaces
        guard !key.isEmpty, !value.isEmpty else {
            error("expected 'key=value' after 'config', got '\(ScenarioText.display(joined))'", at: at)
            return
        }
        guard !value.contains(" "), !value.contains("=") else {
            error("expected one 'key=value' per config line, got '\(ScenarioText.display(joined))'", at: at)
            return
        }
        guard Self.configKeys.contains(key) else {
            error("unknown config key '\(ScenarioText.display(key))'\(ScenarioText.suggestion(for: key, among: Self.configKeys)); expected one of \(Self.configKeys.joined(separator: ", "))", at: at)
            return
        }
        if let earlier = blocks[block].configLines[key] {
            error("config key '\(key)' is set twice (first at line \(earlier))", at: at)
            return
        }
        guard let message = apply(key: key, value: value, to: &blocks[block].settings) else {
            blocks[block].configLines[key] = line.number
            return
        }
        error(message, at: at)
    }

    /// Sets `key` to `value`; the error message if `value` is not one of the key's values.
    private func apply(key: String, value: String, to settings: inout ScenarioSettings) -> String? {
        func onOff(_ set: (inout ScenarioSettings, Bool) -> Void) -> String? {
            switch value {
            case "on": set(&settings, true); return nil
            case "off": set(&settings, false); return nil
            default: return invalid(key, value, expected: "on or off")
            }
        }
        switch key {
        case "profile":
            let profiles = ScenarioSettings.profiles
            guard let profile = profiles[value] else {
                return invalid(key, value, expected: "one of " + profiles.keys.sorted().joined(separator: ", "))
            }
            settings.profile = profile
        case "eager-checks": return onOff { $0.eagerChecks = $1 }
        case "panic": return onOff { $0.panic = $1 }
        case "kasan-vmalloc": return onOff { $0.kasanVmalloc = $1 }
        case "leak-check": return onOff { $0.leakCheck = $1 }
        case "memory":
            guard let size = ScenarioText.size(value), size > 0, size <= UInt64(Int.max), size % UInt64(PAGE_SIZE) == 0 else {
                return invalid(key, value, expected: "a positive multiple of \(PAGE_SIZE) bytes, decimal or 0x hex with an optional K or M suffix (e.g. 64M)")
            }
            settings.memorySize = Int(size)
        case "vmalloc-release":
            let names = MachineConfiguration.VmallocRelease.allCases.map(\.rawValue)
            guard let release = MachineConfiguration.VmallocRelease(rawValue: value) else {
                return invalid(key, value, expected: ScenarioText.list(names))
            }
            settings.vmallocRelease = release
        case "seed":
            guard let seed = ScenarioText.unsignedInteger(Substring(value)) else {
                return invalid(key, value, expected: "an integer (decimal or 0x hex)")
            }
            settings.seed = seed
        default:
            return "unknown config key '\(ScenarioText.display(key))'"
        }
        return nil
    }

    /// `invalid value 'x' for config key 'k'; expected ...`.
    private func invalid(_ key: String, _ value: String, expected: String) -> String {
        "invalid value '\(ScenarioText.display(value))' for config key '\(key)'; expected \(expected)"
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
