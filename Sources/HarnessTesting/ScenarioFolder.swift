import Foundation
import HarnessCore
import ScenarioLanguage
import ScenarioRunner

/// A folder of `.scenario` files parsed once with a plugin list, for tests: each scenario
/// becomes a `ScenarioCase`, a Swift Testing argument (`@Test(arguments: folder.cases)`)
/// whose failure is recorded at the scenario's own file and line.
///
/// ```swift
/// let suite = ScenarioFolder("Scenarios", relativeTo: #filePath, plugins: BundledPlugins.all + [MyPlugin()])
/// @Test(arguments: suite.cases) func scenario(_ c: ScenarioCase) { suite.check(c) }
/// @Test func everyFileParses() { suite.expectEveryFileParses() }
/// ```
public struct ScenarioFolder: Sendable {
    /// The folder.
    public let root: String
    /// The plugins, or why they do not fit together (then there are no cases).
    public let plugins: Result<PluginSet, MachineError>
    /// The parsed files.
    public let suite: ScenarioSuite

    /// Parses every `.scenario` under `root` (a path, or a file or folder).
    public init(_ root: String, plugins: [any HarnessPlugin]) {
        self.root = root
        self.plugins = Result { () throws(MachineError) in try PluginSet(plugins) }
        switch self.plugins {
        case .success(let set): suite = ScenarioSuite.load(paths: [root], plugins: set)
        case .failure: suite = ScenarioSuite(files: [])
        }
    }

    /// Parses the folder `relative` next to the source file `filePath` (pass `#filePath`).
    public init(_ relative: String, relativeTo filePath: String, plugins: [any HarnessPlugin]) {
        let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        self.init(directory.appendingPathComponent(relative).standardizedFileURL.path, plugins: plugins)
    }

    /// One case per scenario that parsed, in file order.
    public var cases: [ScenarioCase] { suite.scenarios.map { ScenarioCase(resolved: $0, root: root) } }

    /// Runs one case on a fresh machine with `options` (the tool's defaults and this folder's
    /// plugins unless given); the result, for further checks.
    @discardableResult
    public func run(_ scenarioCase: ScenarioCase, options: ScenarioRunOptions? = nil) -> ScenarioResult? {
        guard case .success(let set) = plugins else { return nil }
        return ScenarioInterpreter(options: options ?? ScenarioRunOptions(plugins: set)).run(scenarioCase.resolved)
    }
}

/// One scenario of a `ScenarioFolder`, shown as `slab/slab_hooks.scenario:42 test_name`.
public struct ScenarioCase: Sendable {
    /// The scenario, resolved.
    public let resolved: ResolvedScenario
    /// The folder it was found under.
    public let root: String

    /// The scenario.
    public var scenario: Scenario { resolved.scenario }

    /// Its path relative to the folder.
    public var relativePath: String {
        let canonicalRoot = ScenarioSuite.canonicalPath(root)
        let prefix = canonicalRoot.hasSuffix("/") ? canonicalRoot : canonicalRoot + "/"
        return scenario.path.hasPrefix(prefix) ? String(scenario.path.dropFirst(prefix.count)) : scenario.path
    }

    /// Its absolute path.
    public var absolutePath: String { URL(fileURLWithPath: scenario.path).standardizedFileURL.path }
}
