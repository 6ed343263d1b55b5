import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// test_params: a func called with (uninit, init) reports in the caller with eager checks, and
/// in the callee, when it uses the parameter, without.
@Suite struct EagerCheckTests {
    /// `func two_param_fn(a, b)` uses both parameters.
    static let twoParamFn = FunctionDecl(
        name: "two_param_fn", parameters: ["a", "b"],
        body: [op("use", p("b"), line: 21), op("use", p("a"), line: 22)], position: SourcePosition(line: 20, column: 1))

    static func testParams(eager: Bool) -> ScenarioBuilder {
        ScenarioBuilder("test_params")
            .configured("eager-checks=\(eager ? "on" : "off")")
            .function(twoParamFn)
            .with(
                op(0, "local", lit(4), str("uninit"), line: 2),
                op(1, "load32", r(0), line: 3),
                call("two_param_fn", r(1), lit(1), line: 4))
    }

    @Test func withEagerChecksTheCallerReports() {
        let result = run(Self.testParams(eager: true).expecting(.kmsan(.uninitValue, in: "test_params", local: "uninit")))
        #expect(result.titles == ["KMSAN: uninit-value in test_params"])
        #expect(result.verdict == .pass)
    }

    @Test func withoutEagerChecksTheCalleeReportsWhenItUsesTheParameter() {
        let result = run(Self.testParams(eager: false).expecting(.kmsan(.uninitValue, in: "two_param_fn")))
        #expect(result.titles == ["KMSAN: uninit-value in two_param_fn"])
        #expect(result.reports.first?.stack.map(\.function) == ["two_param_fn", "test_params"])
        #expect(result.verdict == .pass)
    }

    @Test func opsThatAreFunctionsCheckTheirArgumentsInTheCaller() {
        let b = ScenarioBuilder("test_printk").with(
            op(0, "local", lit(4), str("uninit"), line: 2),
            op(1, "load32", r(0), line: 3),
            op("printk", r(1), line: 4))
        #expect(run(b).titles == ["KMSAN: uninit-value in test_printk"])
        #expect(run(b.configured("eager-checks=off")).titles == ["KMSAN: uninit-value in number"])
    }

    @Test func instructionsDoNotCheckTheirOperandsEagerly() {
        let b = ScenarioBuilder("test_arith").with(
            op(0, "local", lit(4), str("uninit"), line: 2),
            op(1, "load32", r(0), line: 3),
            op(2, "and", r(1), lit(0), line: 4),
            op("use", r(2), line: 5))
        #expect(run(b).reports.isEmpty)
    }

    @Test func aReturnedUninitValueReportsInTheCalleeWithEagerChecks() {
        let f = FunctionDecl(
            name: "make_uninit", parameters: [],
            body: [op(0, "local", lit(4), str("v"), line: 31), op(1, "load32", r(0), line: 32)],
            returnValue: r(1), returnPosition: SourcePosition(line: 33, column: 3), position: SourcePosition(line: 30, column: 1))
        let b = ScenarioBuilder("test_retval").function(f).with(call(0, "make_uninit", line: 2), op("use", r(0), line: 3))
        #expect(run(b).titles == ["KMSAN: uninit-value in make_uninit"])
        #expect(run(b.configured("eager-checks=off")).titles == ["KMSAN: uninit-value in test_retval"])
    }
}
