import HarnessCore
import HarnessTesting
import KMSAN
import XCTest

/// The XCTest flavour of the machine helper.
final class XCTestHelperTests: XCTestCase {
    func testMatchingReportsPass() {
        let reports = XCTAssertReports([.kmsan(.uninitValue, in: "test_case")], plugins: []) { machine, cpu in
            let x = machine.runtime.local(size: 8, name: "buf", on: cpu)
            machine.runtime.checkMemory(x, size: 8, on: cpu)
        }
        XCTAssertEqual(reports.count, 1)
    }

    func testNoReportExpectedAndNonePrinted() {
        let reports = XCTAssertReports([], plugins: []) { machine, cpu in
            let x = machine.runtime.local(size: 8, name: "buf", on: cpu)
            machine.runtime.memset(x, 0, count: 8, on: cpu)
            machine.runtime.checkMemory(x, size: 8, on: cpu)
        }
        XCTAssertTrue(reports.isEmpty)
    }
}
