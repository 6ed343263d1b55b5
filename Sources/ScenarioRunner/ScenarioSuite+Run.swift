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

    /// Creates a result.
    public init(results: [ScenarioResult], diagnostics: [ScenarioDiagnostic]) {
        self.results = results
        self.diagnostics = diagnostics
    }

    /// Scenarios that passed.
    public var passed: Int { results.count { $0.passed } }
    /// Scenarios that failed.
    public var failed: Int { results.count - passed }

    /// The process exit status: 2 if any file had errors (they win over failures), else 1 if
    /// any scenario failed, else 0.
    public var exitStatus: Int32 { !diagnostics.isEmpty ? 2 : (failed > 0 ? 1 : 0) }

    /// `N passed, M failed`.
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }

    /// `{"type":"summary","passed":N,"failed":M,"errors":K}`, the JSON counterpart of `summaryLine`.
    public var summaryJSON: String {
        struct Line: Encodable {
            var type = "summary"
            var passed: Int
            var failed: Int
            var errors: Int
        }
        return ScenarioJSON.encode(Line(passed: passed, failed: failed, errors: diagnostics.count))
    }

    /// The whole run as `kmsan-harness run` prints it in text: diagnostics, then each
    /// scenario's reports and verdict line, then the summary line.
    public var text: String {
        diagnostics.map { "\($0)\n" }.joined() + results.map(\.text).joined() + summaryLine + "\n"
    }

    /// The whole run as JSON lines: diagnostics, reports and verdicts, then the summary object.
    public var jsonLines: [String] {
        diagnostics.map(\.jsonLine) + results.flatMap(\.jsonLines) + [summaryJSON]
    }
}

extension ScenarioSuite {
    /// Runs every scenario, each on its own fresh machine. With `parallel`, scenarios run on
    /// several host threads at once (machines share nothing); results keep suite order either way.
    public func run(options: ScenarioRunOptions, parallel: Bool = true) -> ScenarioSuiteResult {
        ScenarioSuiteResult(results: Self.run(scenarios, options: options, parallel: parallel), diagnostics: diagnostics)
    }

    /// Runs `scenarios`, results in the same order.
    public static func run(_ scenarios: [ResolvedScenario], options: ScenarioRunOptions, parallel: Bool = true) -> [ScenarioResult] {
        let interpreter = ScenarioInterpreter(options: options)
        guard parallel, scenarios.count > 1 else { return scenarios.map(interpreter.run) }
        let slots = Locked([ScenarioResult?](repeating: nil, count: scenarios.count))
        DispatchQueue.concurrentPerform(iterations: scenarios.count) { i in
            let result = interpreter.run(scenarios[i])
            slots.withLock { $0[i] = result }
        }
        return slots.withLock { $0.compactMap { $0 } }
    }
}
