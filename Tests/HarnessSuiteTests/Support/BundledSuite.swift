import Foundation
import HarnessCore
import PageAllocatorPlugin
import ScenarioLanguage
import ScenarioRunner
import SlabPlugin
import Testing

/// The scenarios under `Harnesses/`, parsed once per test process with the bundled plugins.
enum BundledSuite {
    /// The plugins `kmsan-harness run` uses.
    static let plugins: [any HarnessPlugin] = [PageAllocatorPlugin(), SlabPlugin()]
    /// How every bundled scenario runs: the tool's defaults.
    static let options = ScenarioRunOptions(plugins: plugins)
    /// The repository's `Harnesses/` folder.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Harnesses")
    /// The parsed suite.
    static let suite = ScenarioSuite.load(
        paths: [root.path], vocabulary: ScenarioVocabulary(coreOps: CoreOps.all, plugins: plugins))
    /// One test argument per scenario.
    static let cases: [BundledScenario] = suite.scenarios.map(BundledScenario.init)
}

/// One bundled scenario as a test argument, shown as `kmsan/stack.scenario:42 test_params`.
struct BundledScenario: Sendable, CustomTestStringConvertible {
    /// The scenario.
    let scenario: Scenario

    /// The path relative to `Harnesses/`, the line and the name.
    var testDescription: String { "\(relativePath):\(scenario.position.line) \(scenario.name)" }

    /// `kmsan/stack.scenario`.
    var relativePath: String {
        let prefix = BundledSuite.root.path + "/"
        return scenario.path.hasPrefix(prefix) ? String(scenario.path.dropFirst(prefix.count)) : scenario.path
    }

    /// Where a failure points: the scenario's `scenario` line in its file.
    var sourceLocation: SourceLocation {
        SourceLocation(fileID: "Harnesses/\(relativePath)", filePath: scenario.path,
                       line: max(1, scenario.position.line), column: max(1, scenario.position.column))
    }
}
