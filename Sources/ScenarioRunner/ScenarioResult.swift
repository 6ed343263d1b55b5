import HarnessCore
import KMSAN
import ScenarioLanguage

/// Whether a scenario produced exactly the reports its `expect` lines describe.
public enum ScenarioVerdict: Sendable, Equatable {
    /// Every report matched its expectation, one to one, in order.
    case pass
    /// Why not: the first expectation that did not match (with its line), an unexpected
    /// report, or a machine that could not boot.
    case fail(String)

    /// Whether it is `.pass`.
    public var passed: Bool { self == .pass }

    /// Compares `reports` with `expectations` one to one, in order. The decision is
    /// `ReportExpectation.firstMismatch`'s; the reason names the first expectation that did not
    /// match and its line, e.g. `expectation 1 (line 3: KMSAN uninit-value in foo): got no report`.
    public static func judge(_ expectations: [Expectation], _ reports: [KernelReport]) -> ScenarioVerdict {
        let described = expectations.filter { $0.report != nil }
        let expected = described.compactMap(\.report)
        guard ReportExpectation.firstMismatch(expected: expected, actual: reports) != nil else { return .pass }
        for (i, e) in expected.enumerated() {
            let label = "expectation \(i + 1) (line \(described[i].position.line): \(e))"
            guard i < reports.count else { return .fail("\(label): got no report") }
            let report = reports[i]
            if report.tool != e.tool || report.bugType != e.bugType || report.function != e.function {
                return .fail("\(label): got \(report.title)")
            }
            if let why = e.mismatch(report) { return .fail("\(label): \(why)") }
        }
        let extra = reports[min(expected.count, reports.count - 1)]
        if expected.isEmpty {
            if let none = expectations.first {
                return .fail("expectation 1 (line \(none.position.line): no-report): got \(extra.title)")
            }
            return .fail("no expectations, got \(extra.title)")
        }
        let last = described[described.count - 1].position.line
        return .fail("unexpected report \(expected.count + 1) (after the expectation on line \(last)): \(extra.title)")
    }
}

/// What running one scenario gave: its reports, in order, and the verdict.
public struct ScenarioResult: Sendable {
    /// The scenario's name.
    public var name: String
    /// Its file.
    public var path: String
    /// Where `scenario` stands.
    public var position: SourcePosition
    /// Every report the machine produced, in order.
    public var reports: [KernelReport]
    /// Pass, or why not.
    public var verdict: ScenarioVerdict
    /// Host seconds the run took (boot to shutdown; 0 when not measured).
    public var duration: Double = 0

    /// Creates a result.
    public init(name: String, path: String, position: SourcePosition, reports: [KernelReport], verdict: ScenarioVerdict) {
        self.name = name
        self.path = path
        self.position = position
        self.reports = reports
        self.verdict = verdict
    }

    /// Whether it passed.
    public var passed: Bool { verdict.passed }
}
