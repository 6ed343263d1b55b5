import BundledPlugins
import HarnessCore
import ScenarioLanguage

/// Hand-made core ops (the real ones live in HarnessCore's `CoreOps`); they never run here.
enum TestOps {
    static func op(_ name: String, _ parameters: [ScenarioOp.Parameter], variadic: Bool = false, returns: Bool) -> ScenarioOp {
        ScenarioOp(name, parameters, isVariadic: variadic, returnsValue: returns, help: "test op") { _ throws(OpError) in nil }
    }

    static let core: [ScenarioOp] = [
        op("local", [.init("size", .integer), .init("name", .string)], returns: true),
        op("load32", [.init("addr", .pointer)], returns: true),
        op("store32", [.init("addr", .pointer), .init("value", .value)], returns: false),
        op("use", [.init("value", .value)], returns: false),
        op("memcpy", [.init("dst", .pointer), .init("src", .pointer), .init("n", .integer)], returns: false),
        op("printk", [.init("value", .value)], variadic: true, returns: false),
        op("kmsan_disable_current", [], returns: false),
    ]

    /// These core ops plus the bundled plugins (a clash among them is a bug of this file).
    static let plugins: PluginSet = {
        do { return try PluginSet(BundledPlugins.all, coreOps: core) } catch { preconditionFailure("\(error)") }
    }()
}

/// Parses `text` as `t.scenario`.
func parse(_ text: String, path: String = "t.scenario") -> ParsedScenarioFile {
    ScenarioParser.parse(text, path: path, plugins: TestOps.plugins)
}

/// The diagnostics of `text`, as printed.
func errors(_ text: String) -> [String] {
    parse(text).diagnostics.map(\.description)
}

/// The messages of `text`'s diagnostics, without path and position.
func messages(_ text: String) -> [String] {
    parse(text).diagnostics.map(\.message)
}

/// A scenario around `body` with an `expect no-report` line.
func scenario(_ body: String, name: String = "s") -> String {
    "scenario \(name)\n  expect no-report\n\(body)\nend\n"
}

/// The statements of the only scenario of `text` (empty if it did not parse).
func body(_ text: String) -> [Statement] {
    parse(text).file.scenarios.first?.body ?? []
}
