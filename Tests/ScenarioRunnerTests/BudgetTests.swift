import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Budgets: statements a scenario may execute, and simulated memory a run may boot at once;
/// and results streaming in suite order.
@Suite struct BudgetTests {
    /// `func twice(x)` calls `once` twice, and so on down: 2^12 uses from one call.
    static let fanOut = (0..<12).map { "func f\($0)(x)\n  f\($0 + 1)(x)\n  f\($0 + 1)(x)\nend\n" }.joined()
        + "func f12(x)\n  use(x)\nend\n"

    private func scenario(_ budget: Int, expect: String) throws -> ResolvedScenario {
        let text = Self.fanOut + "scenario test_budget\n  config max-statements=\(budget)\n  \(expect)\n  f0(1)\nend\n"
        let parsed = ScenarioParser.parse(text, path: "budget.scenario", plugins: standardPlugins)
        return ResolvedScenario(try #require(parsed.file.scenarios.first, "\(parsed.diagnostics)"))
    }

    @Test func aScenarioPastItsBudgetStopsWithATimeout() throws {
        let result = ScenarioInterpreter(options: standardOptions).run(try scenario(1000, expect: "expect HARNESS timeout in f11"))
        #expect(result.verdict == .pass)
        #expect(result.reports.first?.message.first == "the scenario executed 1000 statements (config max-statements=1000) and was stopped here")
    }

    /// Twin: with room for all 2^13 - 1 calls and 2^12 uses it runs to its end.
    @Test func aScenarioWithinItsBudgetRunsToTheEnd() throws {
        let result = ScenarioInterpreter(options: standardOptions).run(try scenario(20_000, expect: "expect no-report"))
        #expect(result.verdict == .pass)
    }

    /// Machines wait for room in the memory budget; a machine larger than the whole budget still
    /// runs (alone), and every result comes back in suite order.
    @Test func aTinyMemoryBudgetStillRunsEverythingInOrder() throws {
        let text = (0..<6).map { "scenario m\($0)\n  config memory=8M\n  expect no-report\n  r0 = kmalloc(8, GFP_KERNEL)\n  kfree(r0)\nend\n" }.joined()
        let file = ScenarioSuite.parse(bytes: Array(text.utf8), path: "m.scenario", plugins: standardPlugins)
        var options = standardOptions
        options.memoryBudget = 4096
        let streamed = Locked([String]())
        let results = ScenarioSuite(files: [file]).run(options: options, parallel: true) { r in streamed.withLock { $0.append(r.name) } }
        #expect(results.results.map(\.name) == (0..<6).map { "m\($0)" })
        #expect(results.passed == 6)
        #expect(streamed.withLock { $0 } == (0..<6).map { "m\($0)" })
    }

    @Test func maxStatementsMustBeAPositiveInteger() {
        let parsed = ScenarioParser.parse("scenario s\n  config max-statements=0\n  expect no-report\nend\n", path: "t", plugins: standardPlugins)
        #expect(parsed.diagnostics.map(\.message) == [
            "invalid value '0' for config key 'max-statements'; expected a positive integer (decimal or 0x hex)",
        ])
    }
}
