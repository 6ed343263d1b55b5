import HarnessCore

/// `config <key>=<value>` lines, against the config keys of the plugin set.
extension ScenarioParser {
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
        guard let configKey = plugins.configKey(named: key) else {
            let keys = plugins.configKeys.map(\.name)
            error("unknown config key '\(ScenarioText.display(key))'\(ScenarioText.suggestion(for: key, among: keys)); expected one of \(keys.joined(separator: ", "))", at: at)
            return
        }
        if let earlier = blocks[block].configLines[key] {
            error("config key '\(key)' is set twice (first at line \(earlier))", at: at)
            return
        }
        switch configKey.parse(value) {
        case .success(let setting):
            blocks[block].settings.set(setting)
            blocks[block].configLines[key] = line.number
        case .failure(let invalid):
            error("invalid value '\(ScenarioText.display(value))' for config key '\(key)'; expected \(invalid.expected)", at: at)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
