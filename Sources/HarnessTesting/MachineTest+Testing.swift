import HarnessCore
import KMSAN
import Testing

/// Runs `body` as function `function` on a fresh machine and records a Swift Testing issue at
/// the caller's line unless the reports match `expected` one to one (empty = no report). The
/// issue shows the first mismatch and every report in the kernel's layout.
@discardableResult
public func expectReports(
    _ expected: [ReportExpectation], plugins: [any HarnessPlugin],
    configuration: MachineConfiguration = MachineConfiguration(), function: String = "test_case",
    sourceLocation: SourceLocation = #_sourceLocation, _ body: (Machine, KMSAN.KernelCPU) throws -> Void
) -> [KernelReport] {
    do {
        let reports = try runOnFreshMachine(plugins: plugins, configuration: configuration, function: function, body)
        if let why = ReportExpectation.firstMismatch(expected: expected, actual: reports) {
            Issue.record(Comment(rawValue: failureText(why, reports)), sourceLocation: sourceLocation)
        }
        return reports
    } catch {
        Issue.record(error, sourceLocation: sourceLocation)
        return []
    }
}

extension MachineFixture {
    /// Records a Swift Testing issue at the caller unless the reports so far match `expected`
    /// one to one (empty = no report); the issue shows the mismatch and every report.
    public func expectReports(_ expected: [ReportExpectation], sourceLocation: SourceLocation = #_sourceLocation) {
        if let why = ReportExpectation.firstMismatch(expected: expected, actual: reports) {
            Issue.record(Comment(rawValue: failureText(why, reports)), sourceLocation: sourceLocation)
        }
    }
}
