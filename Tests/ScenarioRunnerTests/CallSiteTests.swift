import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Each statement is its own call site: the same op on two lines gives two origins, on one
/// line the same origin.
@Suite struct CallSiteTests {
    static func twoPoisons(lines: (Int, Int)) -> ScenarioResult {
        run(ScenarioBuilder("test_sites").with(
            op(0, "local", lit(8), str("buf"), line: 2),
            op("memset", r(0), lit(0), lit(8), line: 3),
            op("kmsan_poison_memory", r(0), lit(4), line: lines.0),
            op("kmsan_poison_memory", r(0, 4), lit(4), line: lines.1),
            op("kmsan_check_memory", r(0), lit(8), line: 10)))
    }

    @Test func twoLinesGiveTwoOrigins() {
        let result = Self.twoPoisons(lines: (4, 5))
        #expect(result.reports.count == 2)
        #expect(result.reports.map(\.byteRange) == [ByteRange(first: 0, last: 3, size: 8), ByteRange(first: 4, last: 7, size: 8)])
        #expect(result.reports[0].originHandle != result.reports[1].originHandle)
        #expect(result.reports[0].origin.first?.frames.first?.location == "test.scenario:4")
    }

    @Test func oneLineGivesOneOrigin() {
        let result = Self.twoPoisons(lines: (4, 4))
        #expect(result.reports.count == 1)
        #expect(result.reports.first?.byteRange == ByteRange(first: 0, last: 7, size: 8))
    }

    @Test func theScenarioIsTheBottomFrameAndTheTaskIsKUnits() {
        let result = run(ScenarioBuilder("test_frames").with(
            op(0, "kmalloc", lit(4), lit(0), line: 2), op(1, "load32", r(0), line: 3), op("use", r(1), line: 4)))
        let report = try! #require(result.reports.first)
        #expect(report.stack.map(\.function) == ["test_frames"])
        #expect(report.stack.first?.location == "test.scenario:4")
        #expect(report.comm == "kunit_try_catch")
        #expect(report.origin.first?.frames.map(\.function).last == "test_frames")
    }
}
