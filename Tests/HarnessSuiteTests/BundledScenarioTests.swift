import HarnessTesting
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
        BundledSuite.folder.expectEveryFileParses()
        #expect(BundledSuite.folder.cases.count >= 60)
    }

    /// One scenario.
    @Test(arguments: BundledSuite.folder.cases)
    func scenario(_ bundled: ScenarioCase) {
        BundledSuite.folder.check(bundled)
    }
}
