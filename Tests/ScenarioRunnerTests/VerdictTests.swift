import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Verdicts: pass, and failure reasons naming the first unmatched expectation and its line.
@Suite struct VerdictTests {
    static let uninitUse = ScenarioBuilder("test_uninit").with(
        op(0, "local", lit(4), str("v"), line: 2), op(1, "load32", r(0), line: 3), op("use", r(1), line: 4))
    static let quiet = ScenarioBuilder("test_quiet").with(op(0, "local", lit(4), str("v"), line: 2))

    @Test func matchingReportsPass() {
        let result = run(Self.uninitUse.expecting(.kmsan(.uninitValue, in: "test_uninit", local: "v")))
        #expect(result.verdict == .pass)
        #expect(result.verdictLine == "PASS test_uninit")
    }

    @Test func aMissingReportNamesTheExpectationAndItsLine() {
        let result = run(Self.quiet.expecting(.kmsan(.uninitValue, in: "foo")))
        #expect(result.verdict == .fail("expectation 1 (line 100: KMSAN uninit-value in foo): got no report"))
        #expect(result.verdictLine == "FAIL test_quiet: expectation 1 (line 100: KMSAN uninit-value in foo): got no report")
    }

    @Test func aWrongReportNamesWhatCameInstead() {
        let result = run(Self.uninitUse.expecting(.kmsan(.useAfterFree, in: "test_uninit")))
        #expect(result.verdict == .fail("expectation 1 (line 100: KMSAN use-after-free in test_uninit): got KMSAN: uninit-value in test_uninit"))
    }

    @Test func aWrongClauseNamesTheClause() {
        let result = run(Self.uninitUse.expecting(.kmsan(.uninitValue, in: "test_uninit", local: "w")))
        #expect(result.verdict == .fail("expectation 1 (line 100: KMSAN uninit-value in test_uninit local w): expected local variable w"))
    }

    @Test func anUnexpectedReportFailsANoReportScenario() {
        let result = run(Self.uninitUse.expecting(nil))
        #expect(result.verdict == .fail("expectation 1 (line 100: no-report): got KMSAN: uninit-value in test_uninit"))
    }

    @Test func aReportBeyondTheExpectationsFails() {
        let b = Self.uninitUse.with(
            op(0, "local", lit(4), str("v"), line: 2), op(1, "load32", r(0), line: 3), op("use", r(1), line: 4), op("use", r(1), line: 5))
        let result = run(b.expecting(.kmsan(.uninitValue, in: "test_uninit")))
        #expect(result.verdict == .fail("unexpected report 2 (after the expectation on line 100): KMSAN: uninit-value in test_uninit"))
    }

    @Test func aMachineThatCannotBootIsAFailNotACrash() {
        var configuration = MachineConfiguration()
        configuration.memorySize = 12345
        let result = run(Self.quiet.expecting(nil), options: ScenarioRunOptions(configuration: configuration, plugins: standardPlugins))
        guard case .fail(let why) = result.verdict else { Issue.record("expected a failure"); return }
        #expect(why.hasPrefix("machine: memory: "))
        #expect(result.reports.isEmpty)
    }
}
