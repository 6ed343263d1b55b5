import HarnessCore
import KMSAN
import XCTest

/// Runs `body` as function `function` on a fresh machine and fails the XCTest at the caller's
/// line unless the reports match `expected` one to one (empty = no report). The failure shows
/// the first mismatch and every report in the kernel's layout.
@discardableResult
public func XCTAssertReports(
    _ expected: [ReportExpectation], plugins: [any HarnessPlugin],
    configuration: MachineConfiguration = MachineConfiguration(), function: String = "test_case",
    file: StaticString = #filePath, line: UInt = #line, _ body: (Machine, KMSAN.KernelCPU) throws -> Void
) -> [KernelReport] {
    do {
        let reports = try runOnFreshMachine(plugins: plugins, configuration: configuration, function: function, body)
        if let why = ReportExpectation.firstMismatch(expected: expected, actual: reports) {
            XCTFail(failureText(why, reports), file: file, line: line)
        }
        return reports
    } catch {
        XCTFail("\(error)", file: file, line: line)
        return []
    }
}
