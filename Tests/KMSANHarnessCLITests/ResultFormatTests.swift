import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HarnessCommandLine
import ScenarioRunner
import Testing
@testable import kmsan_harness

/// `run --format ktap` and `run --junit FILE` checked against their specifications: the KTAP
/// lines against ktap.rst's grammar (`KTAPGrammar`), the XML against the JUnit schema's
/// required elements and attributes (`JUnitDocument`), for the bundled suite, a failing scenario
/// and a file that does not parse.
@Suite struct ResultFormatTests {
    private typealias Tool = HarnessCommand<KMSANHarness>

    static let mixed = """
        scenario passes_quietly
          expect no-report
          r0 = kzalloc(8, GFP_KERNEL)
          kfree(r0)
        end

        scenario fails_with_a_report
          expect no-report
          r0 = kmalloc(8, GFP_KERNEL)
          r1 = load64(r0)
          use(r1)
          kfree(r0)
        end

        scenario is_left_out
          expect no-report
          r0 = no_such_op(1)
        end

        """

    private func run(_ arguments: [String]) throws -> (output: CommandOutput, junit: String) {
        let junit = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: junit) }
        let command = try #require(try Tool.parseAsRoot(["run", "--format", "ktap", "--junit", junit] + arguments)
                                   as? RunCommand<KMSANHarness>)
        let output = try command.execute()
        return (output, (try? String(contentsOfFile: junit, encoding: .utf8)) ?? "")
    }

    private func mixedFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString).scenario").path
        try Self.mixed.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aFailingScenarioAndABrokenFileInKTAP() throws {
        let path = try mixedFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (output, _) = try run([path])
        #expect(output.status == 2)
        let suites = try KTAPGrammar.parse(output.standardOutput).get()
        #expect(suites.count == 1)
        #expect(suites.first?.ok == false)
        #expect(suites.first?.subtests.map(\.name) == ["passes_quietly", "fails_with_a_report", "is_left_out"])
        #expect(suites.first?.subtests.map(\.ok) == [true, false, true])
        #expect(suites.first?.subtests.map(\.directive) == [nil, nil, "SKIP"])
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        let report = try #require(lines.firstIndex { $0.hasPrefix("BUG: KMSAN: uninit-value in fails_with_a_report") })
        let verdict = try #require(lines.firstIndex(of: "    not ok 2 fails_with_a_report"))
        #expect(report < verdict)
        #expect(lines[verdict - 1].hasPrefix("    # fails_with_a_report: expectation 1 (line 8: no-report): got KMSAN"))
        #expect(lines.contains { $0.hasPrefix("    # ") && $0.contains("error: unknown op 'no_such_op'") })
        #expect(lines.last == "# Totals: pass:1 fail:1 skip:1 total:3")
    }

    @Test func aFailingScenarioAndABrokenFileInJUnit() throws {
        let path = try mixedFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let doc = try JUnitDocument(try run([path]).junit)
        #expect(doc.problems.isEmpty, "\(doc.problems)")
        let suite = try #require(doc.suites.first)
        #expect(suite.attributes["tests"] == "4" && suite.attributes["failures"] == "1" && suite.attributes["errors"] == "1")
        #expect(suite.cases.map { $0.attributes["name"] ?? "" } == ["passes_quietly", "fails_with_a_report", "is_left_out", "(parse)"])
        #expect(suite.cases.map(\.outcome) == ["", "failure", "skipped", "error"])
        let failure = try #require(suite.cases[1].children.first)
        #expect(failure.attributes["message"]?.hasPrefix("expectation 1 (line 8: no-report)") == true)
        #expect(failure.text.contains("BUG: KMSAN: uninit-value in fails_with_a_report"))
        #expect(suite.cases[3].children.first?.text.contains("unknown op 'no_such_op'") == true)
    }

    /// Negative twins of the checkers: each rule they enforce is broken once.
    @Test func theCheckersRejectWhatBreaksTheirSpecifications() throws {
        let good = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n    ok 1 a\nok 1 s\n"
        #expect((try? KTAPGrammar.parse(good).get())?.first?.subtests.count == 1)
        for bad in [
            good.replacingOccurrences(of: "1..1\n    ok", with: "1..2\n    ok"),
            good.replacingOccurrences(of: "ok 1 a", with: "ok 2 a"),
            good.replacingOccurrences(of: "ok 1 s", with: "ok 1 t"),
            good.replacingOccurrences(of: "\nok 1 s\n", with: "\n"),
            "1..1\nok 1 a\n",
        ] {
            #expect(throws: KTAPGrammar.Violation.self) { try KTAPGrammar.parse(bad).get() }
        }
        let xml = #"<testsuites tests="1"><testsuite name="s" tests="1" failures="0" errors="0" skipped="0"><testcase name="a" classname="s" time="0"/></testsuite></testsuites>"#
        #expect(try JUnitDocument(xml).problems.isEmpty)
        #expect(try !JUnitDocument(xml.replacingOccurrences(of: #" classname="s""#, with: "")).problems.isEmpty)
        #expect(try !JUnitDocument(xml.replacingOccurrences(of: #"tests="1" failures"#, with: #"tests="2" failures"#)).problems.isEmpty)
        #expect(throws: JUnitDocument.Malformed.self) { try JUnitDocument("<testsuites><testsuite>") }
    }

    @Test func theBundledSuiteInBothFormats() throws {
        let harnesses = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let (output, junit) = try run(["/" + harnesses + "/Harnesses"])
        #expect(output.status == 0)
        let suites = try KTAPGrammar.parse(output.standardOutput).get()
        let scenarios = suites.flatMap(\.subtests)
        #expect(suites.allSatisfy(\.ok) && scenarios.allSatisfy(\.ok))
        #expect(scenarios.count >= 246)
        let doc = try JUnitDocument(junit)
        #expect(doc.problems.isEmpty, "\(doc.problems)")
        #expect(doc.suites.count == suites.count)
        #expect(doc.suites.reduce(0) { $0 + $1.cases.count } == scenarios.count)
    }
}
