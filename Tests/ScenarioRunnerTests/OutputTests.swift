import Foundation
import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Text and JSON output of results.
@Suite struct OutputTests {
    static let failing = run(VerdictTests.uninitUse.expecting(.kmsan(.useAfterFree, in: "test_uninit")))
    static let passing = run(VerdictTests.quiet.expecting(nil))

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func textIsTheReportsThenTheVerdictLine() {
        let text = Self.failing.text
        #expect(text.hasPrefix(KernelReport.separator + "\nBUG: KMSAN: uninit-value in test_uninit+0x"))
        #expect(text.hasSuffix("\nFAIL test_uninit: expectation 1 (line 100: KMSAN use-after-free in test_uninit): got KMSAN: uninit-value in test_uninit\n"))
        #expect(Self.passing.text == "PASS test_quiet\n")
    }

    @Test func jsonHasOneObjectPerReportThenTheVerdict() throws {
        let lines = Self.failing.jsonLines
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { !$0.contains("\n") })
        let report = try object(lines[0])
        #expect(report["type"] as? String == "report")
        #expect(report["tool"] as? String == "KMSAN")
        #expect(report["bugType"] as? String == "uninit-value")
        #expect(report["function"] as? String == "test_uninit")
        #expect(report["scenario"] as? String == "test_uninit")
        let inner = try #require(report["report"] as? [String: Any])
        #expect((inner["stack"] as? [Any])?.count == 1)
        #expect((inner["origin"] as? [Any])?.count == 1)
        let verdict = try object(lines[1])
        #expect(verdict["type"] as? String == "verdict")
        #expect(verdict["verdict"] as? String == "fail")
        #expect(verdict["path"] as? String == "test.scenario")
        #expect(verdict["line"] as? Int == 1)
        #expect((verdict["reason"] as? String)?.hasPrefix("expectation 1 (line 100") == true)
    }

    @Test func aPassingVerdictHasNoReason() throws {
        let verdict = try object(Self.passing.verdictJSON)
        #expect(verdict["verdict"] as? String == "pass")
        #expect(verdict["reason"] == nil)
    }

    @Test func aRangeCheckReportCarriesItsByteRangeAndAddress() throws {
        let result = run(ScenarioBuilder("test_range").with(
            op(0, "local", lit(4), str("v"), line: 2), op("kmsan_check_memory", r(0), lit(4), line: 3)))
        let inner = try #require(try object(result.jsonLines[0])["report"] as? [String: Any])
        #expect(inner["byteRange"] as? [String: Int] == ["first": 0, "last": 3, "size": 4])
        #expect(inner["accessAddress"] != nil)
    }
}
