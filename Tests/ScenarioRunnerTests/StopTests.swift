import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// What ends a scenario early: kmsan.panic, and the func nesting cap.
@Suite struct StopTests {
    static let twoUses = ScenarioBuilder("test_panic").with(
        op(0, "local", lit(4), str("a"), line: 2),
        op(1, "load32", r(0), line: 3),
        op("use", r(1), line: 4),
        op("use", r(1), line: 5))

    @Test func withPanicTheScenarioStopsAfterTheFirstReport() {
        let result = run(Self.twoUses.configured("panic=on"))
        #expect(result.reports.count == 1)
        #expect(result.reports.first?.panicked == true)
    }

    @Test func withoutPanicEveryReportIsKept() {
        #expect(run(Self.twoUses).reports.count == 2)
    }

    @Test func theCommandLinePanicIsADefaultThatTheScenarioOverrides() {
        var options = standardOptions
        options.panic = true
        #expect(run(Self.twoUses, options: options).reports.count == 1)
        #expect(run(Self.twoUses.configured("panic=off"), options: options).reports.count == 2)
    }

    @Test func runawayRecursionIsCappedWithAMisuseReport() {
        let f = FunctionDecl(name: "recurse", parameters: [], body: [call("recurse", line: 21)], position: SourcePosition(line: 20, column: 1))
        let b = ScenarioBuilder("test_recursion").function(f).expecting(.harness(.misuse, in: "recurse"))
            .with(call("recurse", line: 2), op("kunit_expect_eq", lit(1), lit(2), line: 3))
        let result = run(b)
        #expect(result.verdict == .pass)
        #expect(result.reports.first?.stack.count == ScenarioInterpreter.maxCallDepth + 1)
    }

    @Test func nestingBelowTheCapRunsNormally() {
        let leaf = FunctionDecl(name: "leaf", parameters: ["x"], body: [op("use", p("x"), line: 31)], position: SourcePosition(line: 30, column: 1))
        let mid = FunctionDecl(name: "mid", parameters: ["x"], body: [call("leaf", p("x"), line: 41)], position: SourcePosition(line: 40, column: 1))
        let b = ScenarioBuilder("test_nesting").function(leaf).function(mid).expecting(nil).with(call("mid", lit(1), line: 2))
        #expect(run(b).verdict == .pass)
    }
}
