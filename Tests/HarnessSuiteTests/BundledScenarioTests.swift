import ScenarioLanguage
import ScenarioRunner
import Testing

/// Every scenario under `Harnesses/` as its own test case: it runs on a fresh machine and its
/// reports must match its expectations one to one. A failure is recorded at the scenario's
/// own file and line, with the verdict and every report it printed.
@Suite struct BundledScenarioTests {
    /// The suite parses without a single located error (a broken file would otherwise only
    /// show up as missing test cases).
    @Test func everyBundledFileParses() {
        let errors = BundledSuite.suite.diagnostics.map(\.description)
        #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
        #expect(BundledSuite.cases.count >= 60)
    }

    /// One scenario.
    @Test(arguments: BundledSuite.cases)
    func scenario(_ bundled: BundledScenario) {
        let result = ScenarioInterpreter(options: BundledSuite.options).run(bundled.scenario)
        if case .fail(let why) = result.verdict {
            Issue.record("FAIL \(bundled.scenario.name): \(why)\n\(result.text)", sourceLocation: bundled.sourceLocation)
        }
    }
}
