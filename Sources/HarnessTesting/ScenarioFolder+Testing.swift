import ScenarioRunner
import Testing

extension ScenarioCase: CustomTestStringConvertible {
    /// `kmsan/stack.scenario:42 test_params`.
    public var testDescription: String { "\(relativePath):\(scenario.position.line) \(scenario.name)" }

    /// Where a failure points: the scenario's `scenario` line in its file.
    public var sourceLocation: SourceLocation {
        SourceLocation(fileID: "Scenarios/\(relativePath)", filePath: absolutePath,
                       line: max(1, scenario.position.line), column: max(1, scenario.position.column))
    }
}

extension ScenarioFolder {
    /// Records an issue at the case's own file and line unless it passes (its verdict and every
    /// report it printed go in the issue).
    public func check(_ scenarioCase: ScenarioCase, options: ScenarioRunOptions? = nil) {
        guard let result = run(scenarioCase, options: options) else {
            Issue.record("the plugins do not fit together: \(plugins)", sourceLocation: scenarioCase.sourceLocation)
            return
        }
        if case .fail(let why) = result.verdict {
            Issue.record("FAIL \(scenarioCase.scenario.name): \(why)\n\(result.text)", sourceLocation: scenarioCase.sourceLocation)
        }
    }

    /// Records an issue for every file that did not parse (and for plugins that do not fit
    /// together), so that a broken file does not only show up as missing cases.
    public func expectEveryFileParses(sourceLocation: SourceLocation = #_sourceLocation) {
        if case .failure(let error) = plugins { Issue.record("the plugins do not fit together: \(error)", sourceLocation: sourceLocation) }
        for diagnostic in suite.diagnostics { Issue.record("\(diagnostic)", sourceLocation: sourceLocation) }
    }
}
