import ArgumentParser
import Foundation
import HarnessCommandLine
import ScenarioRunner
import Testing
@testable import kmsan_harness

/// What `run` prints and how it ends beyond pass and fail: runs in which nothing ran, scenarios
/// lost to errors, the default folder, the version, path spellings and JSON addresses.
@Suite struct RunOutputTests {
    private typealias Tool = HarnessCommand<KMSANHarness>

    private func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmsan-harness-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    private func run(_ arguments: [String]) throws -> CommandOutput {
        let command = try #require(try Tool.parseAsRoot(["run"] + arguments) as? RunCommand<KMSANHarness>)
        return try command.execute()
    }

    static let good = "scenario good_one\n  expect no-report\n  use(1)\nend\n"

    @Test func aFilterThatMatchesNothingIsNotGreen() throws {
        let dir = try folder(["a.scenario": Self.good])
        let output = try run([dir.path, "--filter", "nothing_like_this"])
        #expect(output.status == 1)
        #expect(output.standardError == "kmsan-harness: no scenario ran (no scenario name contains 'nothing_like_this')\n")
        #expect(output.standardOutput == "0 passed, 0 failed\n")
    }

    /// Twin: a filter that matches runs what it matches and is green.
    @Test func aFilterThatMatchesRunsIt() throws {
        let dir = try folder(["a.scenario": Self.good])
        let output = try run([dir.path, "--filter", "good"])
        #expect(output.status == 0)
        #expect(output.standardOutput == "PASS good_one\n1 passed, 0 failed\n")
    }

    @Test func anEmptyFolderIsNotGreen() throws {
        let dir = try folder([:])
        let output = try run([dir.path])
        #expect(output.status == 1)
        #expect(output.standardError.contains("no scenario ran (no .scenario file under"))
    }

    @Test func scenariosLostToErrorsAreCounted() throws {
        let dir = try folder(["a.scenario": Self.good + "scenario broken\n  expect no-report\n  r0 = kmaloc(4, GFP_KERNEL)\nend\n"])
        let output = try run([dir.path])
        #expect(output.status == 2)
        #expect(output.standardOutput.hasSuffix("PASS good_one\n1 passed, 0 failed, 1 not run\n1 passed, 0 failed\n"))
        let json = try run([dir.path, "--format", "json"]).standardOutput.split(separator: "\n")
        #expect(json.last == #"{"errors":1,"failed":0,"notRun":1,"passed":1,"type":"summary"}"#)
    }

    /// With no path and no `./Harnesses`, `run` is a usage error (64, with the usage), never the
    /// source tree the binary came from; it runs in a child process that changes directory.
    @Test func noPathAndNoHarnessesFolderIsAUsageError() async {
        await #expect(processExitsWith: .exitCode(64)) {
            let empty = FileManager.default.temporaryDirectory.appendingPathComponent("kmsan-harness-empty-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            guard FileManager.default.changeCurrentDirectoryPath(empty.path) else { exit(99) }
            do {
                _ = try HarnessCommand<KMSANHarness>.parseAsRoot(["run"])
                exit(0)
            } catch {
                exit(HarnessCommand<KMSANHarness>.exitCode(for: error).rawValue)
            }
        }
    }

    /// Twin: with `./Harnesses` in the current directory, `run` with no path runs it and says so.
    @Test func noPathRunsTheHarnessesFolderOfTheCurrentDirectory() async {
        await #expect(processExitsWith: .success) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("kmsan-harness-root-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("Harnesses"), withIntermediateDirectories: true)
            try RunOutputTests.good.write(to: root.appendingPathComponent("Harnesses/a.scenario"), atomically: true, encoding: .utf8)
            guard FileManager.default.changeCurrentDirectoryPath(root.path),
                  let command = try HarnessCommand<KMSANHarness>.parseAsRoot(["run"]) as? RunCommand<KMSANHarness> else { exit(99) }
            let output = try command.execute()
            let said = output.standardError == "kmsan-harness: no path given: running every scenario under ./Harnesses\n"
            exit(said && output.standardOutput == "PASS good_one\n1 passed, 0 failed\n" ? output.status : 98)
        }
    }

    @Test func versionPrintsTheVersion() {
        #expect {
            _ = try Tool.parseAsRoot(["--version"])
        } throws: { error in
            Tool.fullMessage(for: error) == kmsanHarnessVersion && Tool.exitCode(for: error).rawValue == 0
        }
    }

    /// Three spellings of one file print one text: frame offsets do not depend on the spelling.
    @Test func thePathsSpellingDoesNotChangeTheText() throws {
        let text = "scenario spelled\n  expect KMSAN uninit-value in spelled\n  r0 = local(4, \"v\")\n  r1 = load32(r0)\n  use(r1)\nend\n"
        let dir = try folder(["a.scenario": text])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let spellings = [dir.path + "/a.scenario", dir.path + "/./a.scenario", dir.path + "/sub/../a.scenario"]
        let outputs = try spellings.map { try run([$0]).standardOutput }
        #expect(outputs[0].contains("PASS spelled"))
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
        #expect(ScenarioSuite.canonicalPath("./Harnesses/x.scenario") == "Harnesses/x.scenario")
        #expect(ScenarioSuite.canonicalPath(FileManager.default.currentDirectoryPath + "/Harnesses/x.scenario") == "Harnesses/x.scenario")
    }

    /// JSON addresses are hex strings, exact beyond 2^53.
    @Test func jsonAddressesAreHexStrings() throws {
        let dir = try folder(["a.scenario": "scenario wild\n  expect HARNESS bad-access in wild\n  r0 = load8(0xffffffffffffffff)\nend\n"])
        let json = try run([dir.path, "--format", "json"]).standardOutput
        #expect(json.contains(#""accessAddress":"0xffffffffffffffff""#))
        #expect(!json.contains("18446744073709551615"))
    }
}
