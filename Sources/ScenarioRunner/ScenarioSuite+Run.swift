import Foundation
import HarnessCore
import KernelMemory
import ScenarioLanguage

/// What running a suite gave: every scenario's result, in suite order, and the files' errors.
public struct ScenarioSuiteResult: Sendable {
    /// Results, in the order of `ScenarioSuite.scenarios`.
    public var results: [ScenarioResult]
    /// Errors of files that could not be read or parsed.
    public var diagnostics: [ScenarioDiagnostic]
    /// Scenarios left out because of errors in their lines (or in a func they call).
    public var notRun: Int

    /// Creates a result.
    public init(results: [ScenarioResult], diagnostics: [ScenarioDiagnostic], notRun: Int = 0) {
        self.results = results
        self.diagnostics = diagnostics
        self.notRun = notRun
    }

    /// Scenarios that passed.
    public var passed: Int { results.count { $0.passed } }
    /// Scenarios that failed.
    public var failed: Int { results.count - passed }

    /// The process exit status: 2 if any file had errors (they win over failures), else 1 if
    /// any scenario failed or none ran (a run that checked nothing is not green), else 0.
    public var exitStatus: Int32 { !diagnostics.isEmpty ? 2 : (failed > 0 || results.isEmpty ? 1 : 0) }

    /// `N passed, M failed`.
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }

    /// `{"type":"summary","passed":N,"failed":M,"notRun":R,"errors":K}`, the JSON counterpart of
    /// `summaryLine` (`notRun`: scenarios left out because of errors in their files).
    public var summaryJSON: String {
        struct Line: Encodable {
            var type = "summary"
            var passed: Int
            var failed: Int
            var notRun: Int
            var errors: Int
        }
        return ScenarioJSON.encode(Line(passed: passed, failed: failed, notRun: notRun, errors: diagnostics.count))
    }

    /// The whole run as `kmsan-harness run` prints it in text: diagnostics, then each
    /// scenario's reports and verdict line, then the summary line.
    public var text: String {
        let notRunLine = notRun > 0 ? "\(summaryLine), \(notRun) not run\n" : ""
        return diagnostics.map { "\($0)\n" }.joined() + results.map(\.text).joined() + notRunLine + summaryLine + "\n"
    }

    /// The whole run as JSON lines: diagnostics, reports and verdicts, then the summary object.
    public var jsonLines: [String] {
        diagnostics.map(\.jsonLine) + results.flatMap(\.jsonLines) + [summaryJSON]
    }
}

extension ScenarioSuite {
    /// Runs every scenario, each on its own fresh machine. With `parallel`, scenarios run on
    /// several host threads at once (machines share nothing), as many at a time as
    /// `options.memoryBudget` allows; results keep suite order either way, and `onResult` gets
    /// each one as soon as it and every earlier one are done (so output streams in file order).
    public func run(
        options: ScenarioRunOptions, parallel: Bool = true, onResult: @escaping @Sendable (ScenarioResult) -> Void = { _ in }
    ) -> ScenarioSuiteResult {
        ScenarioSuiteResult(results: Self.run(scenarios, options: options, parallel: parallel, onResult: onResult),
                            diagnostics: diagnostics, notRun: notRun)
    }

    /// Runs `scenarios`, results in the same order (see `run(options:parallel:onResult:)`).
    public static func run(
        _ scenarios: [ResolvedScenario], options: ScenarioRunOptions, parallel: Bool = true,
        onResult: @escaping @Sendable (ScenarioResult) -> Void = { _ in }
    ) -> [ScenarioResult] {
        let interpreter = ScenarioInterpreter(options: options)
        guard parallel, scenarios.count > 1 else {
            return scenarios.map { scenario in
                let result = Self.timed { interpreter.run(scenario) }
                onResult(result)
                return result
            }
        }
        let budget = MemoryBudget(limit: options.memoryBudget)
        let state = Locked((results: [ScenarioResult?](repeating: nil, count: scenarios.count), next: 0))
        DispatchQueue.concurrentPerform(iterations: scenarios.count) { i in
            let memory = options.configuration(for: scenarios[i].scenario).memorySize
            let result = budget.withReservation(memory) { Self.timed { interpreter.run(scenarios[i]) } }
            state.withLock { s in
                s.results[i] = result
                while s.next < s.results.count, let ready = s.results[s.next] {
                    onResult(ready)
                    s.next += 1
                }
            }
        }
        return state.withLock { $0.results.compactMap { $0 } }
    }

    /// `run()`'s result with the host time it took.
    private static func timed(_ run: () -> ScenarioResult) -> ScenarioResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var result = run()
        result.duration = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }
}
