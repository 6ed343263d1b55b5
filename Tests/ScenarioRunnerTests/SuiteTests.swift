import Foundation
import HarnessCore
import KMSAN
import PageAllocatorPlugin
import ScenarioLanguage
import ScenarioRunner
import SlabPlugin
import Testing

/// Loading files and directories, the summary line and the exit status.
@Suite struct SuiteTests {
    
    static let good = """
        scenario test_one
          expect no-report
          r0 = kzalloc(4, GFP_KERNEL)
          r1 = load32(r0)
          use(r1)
          kfree(r0)
        end
        scenario test_two
          expect KMSAN uninit-value in test_two
          r0 = local(4, "x")
          kmsan_check_memory(r0, 4)
        end

        """
    static let failing = """
        scenario test_wrong
          expect no-report
          r0 = local(4, "x")
          kmsan_check_memory(r0, 4)
        end

        """
    static let broken = "scenario test_broken\n  r0 = no_such_op(1)\nend\n"

    func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("suite-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    @Test func allPassingExitsZero() throws {
        let dir = try directory(["a.scenario": Self.good, "notes.txt": "not a scenario"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = ScenarioSuite.load(paths: [dir], plugins: standardPlugins).run(options: standardOptions)
        #expect(result.results.map(\.verdictLine) == ["PASS test_one", "PASS test_two"])
        #expect(result.summaryLine == "2 passed, 0 failed")
        #expect(result.exitStatus == 0)
    }

    @Test func aFailedScenarioExitsOne() throws {
        let dir = try directory(["b/z.scenario": Self.failing, "a.scenario": Self.good])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let suite = ScenarioSuite.load(paths: [dir], plugins: standardPlugins)
        #expect(suite.files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["a.scenario", "z.scenario"])
        let result = suite.run(options: standardOptions)
        #expect(result.summaryLine == "2 passed, 1 failed")
        #expect(result.exitStatus == 1)
        #expect(result.text.hasSuffix("2 passed, 1 failed\n"))
    }

    @Test func diagnosticsWinOverFailuresAndExitTwo() throws {
        let dir = try directory(["a.scenario": Self.failing, "c.scenario": Self.broken])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = ScenarioSuite.load(paths: [dir], plugins: standardPlugins).run(options: standardOptions)
        #expect(!result.diagnostics.isEmpty)
        #expect(result.failed == 1)
        #expect(result.exitStatus == 2)
    }

    @Test func aMissingPathIsADiagnosticNotACrash() {
        let result = ScenarioSuite.load(paths: ["/nonexistent/x.scenario"], plugins: standardPlugins).run(options: standardOptions)
        #expect(result.diagnostics.map(\.description) == ["/nonexistent/x.scenario:1:1: error: no such file or directory"])
        #expect(result.exitStatus == 2)
    }

    @Test func theFilterKeepsScenariosWhoseNameContainsIt() {
        let file = ScenarioSuite.parse(bytes: Array(Self.good.utf8), path: "good.scenario", plugins: standardPlugins, filter: "two")
        #expect(file.scenarios.map(\.scenario.name) == ["test_two"])
    }

    @Test func parallelAndSerialRunsGiveTheSameOutput() {
        let file = ScenarioSuite.parse(bytes: Array((Self.good + Self.failing).utf8), path: "all.scenario", plugins: standardPlugins)
        let suite = ScenarioSuite(files: [file])
        #expect(suite.run(options: standardOptions, parallel: true).text == suite.run(options: standardOptions, parallel: false).text)
    }

    @Test func jsonEndsWithTheSummaryObject() throws {
        let file = ScenarioSuite.parse(bytes: Array(Self.good.utf8), path: "good.scenario", plugins: standardPlugins)
        let lines = ScenarioSuite(files: [file]).run(options: standardOptions).jsonLines
        #expect(lines.last == #"{"errors":0,"failed":0,"notRun":0,"passed":2,"type":"summary"}"#)
    }
}
