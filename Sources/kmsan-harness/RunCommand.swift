import ArgumentParser
import Foundation
import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner

/// `kmsan-harness run [PATH...]`: runs every scenario in the given files or folders (default:
/// every `.scenario` under `Harnesses/`), each on a fresh machine, and prints each scenario's
/// reports in the kernel's layout followed by its verdict line, then `N passed, M failed`.
///
/// Exit status: 0 if every scenario passed, 1 if one failed, 2 if a file could not be parsed
/// (its located errors go to standard error; every scenario that did parse still runs).
struct RunCommand: ParsableCommand {
    /// Name and help.
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenario files and compare their reports with their expectations.",
        discussion: """
            Exit status: 0 if all scenarios pass, 1 if any fails, 2 if a file has errors \
            (printed as path:line:column: error: ...; the other scenarios still run).
            """)

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// Kernel-layout reports and verdict lines.
        case text
        /// One JSON object per line: reports, verdicts, errors and the summary.
        case json
    }

    /// Files or folders.
    @Argument(help: "Scenario files or folders (default: every .scenario under Harnesses/).")
    var paths: [String] = []

    /// `--format`.
    @Option(help: "Output format: text or json.")
    var format: Format = .text

    /// `--filter`.
    @Option(help: ArgumentHelp("Run only scenarios whose name contains NAME.", valueName: "NAME"))
    var filter: String?

    /// `--profile` and `--panic`.
    @OptionGroup var global: GlobalOptions

    /// Loads, runs and prints; exits with the contract's status.
    func run() throws {
        let options = ScenarioRunOptions(profile: try global.policy(), panic: global.panic ? true : nil,
                                         plugins: KMSANHarnessCommand.plugins)
        let vocabulary = ScenarioVocabulary(coreOps: CoreOps.all, plugins: KMSANHarnessCommand.plugins)
        let roots = paths.isEmpty ? [Self.defaultHarnessesPath()] : paths
        let suite = ScenarioSuite.load(paths: roots, vocabulary: vocabulary, filter: filter)
        let result = suite.run(options: options)
        var out = ""
        switch format {
        case .text:
            let errors = result.diagnostics.map { "\($0)\n" }.joined()
            if !errors.isEmpty { FileHandle.standardError.write(Data(errors.utf8)) }
            out = result.results.map(\.text).joined() + result.summaryLine + "\n"
        case .json:
            out = result.jsonLines.map { $0 + "\n" }.joined()
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
    }

    /// `Harnesses/` in the current directory if there is one, else the bundled suite of the
    /// source tree this binary was built from.
    static func defaultHarnessesPath() -> String {
        let local = "Harnesses"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory), isDirectory.boolValue { return local }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return source.appendingPathComponent("Harnesses").path
    }
}

/// Options that override the defaults of every scenario in a run (a scenario's own `config`
/// line still wins).
struct GlobalOptions: ParsableArguments {
    /// `--profile`.
    @Option(help: ArgumentHelp("Default KMSAN profile: \(KMSANPolicy.all.map(\.name).joined(separator: ", ")).", valueName: "PROFILE"))
    var profile: String?

    /// `--panic`.
    @Flag(help: "Default to kmsan.panic: stop each scenario after its first report.")
    var panic = false

    /// The named profile, or nil; an unknown name is a usage error listing the valid ones.
    func policy() throws -> KMSANPolicy? {
        guard let profile else { return nil }
        guard let policy = KMSANPolicy.all.first(where: { $0.name == profile }) else {
            throw ValidationError("unknown profile '\(profile)'; expected one of \(KMSANPolicy.all.map(\.name).joined(separator: ", "))")
        }
        return policy
    }
}
