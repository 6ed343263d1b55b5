import ArgumentParser
import Foundation
import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner

/// `run [PATH...]`: runs every scenario in the given files or folders (default: the tool's
/// `defaultScenarioPaths`), each on a fresh machine, and prints each scenario's reports in the
/// kernel's layout followed by its verdict line, then `N passed, M failed`.
///
/// Exit status: 0 if every scenario passed, 1 if one failed, 2 if a file could not be parsed
/// (its located errors go to standard error; every scenario that did parse still runs).
public struct RunCommand<Tool: HarnessTool>: ParsableCommand {
    /// Name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "run",
            abstract: "Run scenario files and compare their reports with their expectations.",
            discussion: """
                Exit status: 0 if all scenarios pass, 1 if any fails, 2 if a file has errors \
                (printed as path:line:column: error: ...; the other scenarios still run). \
                `\(Tool.commandName) ops` lists the ops, config keys and constants a scenario may use.
                """)
    }

    /// Output formats.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Kernel-layout reports and verdict lines.
        case text
        /// One JSON object per line: reports, verdicts, errors and the summary.
        case json
    }

    /// Files or folders.
    @Argument(help: "Scenario files or folders (default: every .scenario under Harnesses/).")
    public var paths: [String] = []
    /// `--format`.
    @Option(help: "Output format: text or json.")
    public var format: Format = .text
    /// `--filter`.
    @Option(help: ArgumentHelp("Run only scenarios whose name contains NAME.", valueName: "NAME"))
    public var filter: String?
    /// `--profile` and `--panic`.
    @OptionGroup public var global: GlobalOptions

    /// Creates the command (ArgumentParser's requirement).
    public init() {}

    /// Loads, runs and formats; nothing is printed.
    public func execute() throws -> CommandOutput {
        let plugins = try Tool.pluginSet()
        let options = ScenarioRunOptions(profile: try global.policy(), panic: global.panic ? true : nil, plugins: plugins)
        let suite = ScenarioSuite.load(paths: paths.isEmpty ? Tool.defaultScenarioPaths : paths, plugins: plugins, filter: filter)
        let result = suite.run(options: options)
        switch format {
        case .text:
            return CommandOutput(
                standardOutput: result.results.map(\.text).joined() + result.summaryLine + "\n",
                standardError: result.diagnostics.map { "\($0)\n" }.joined(), status: result.exitStatus)
        case .json:
            return CommandOutput(standardOutput: result.jsonLines.map { $0 + "\n" }.joined(), status: result.exitStatus)
        }
    }

    /// Runs, prints, and exits with the contract's status.
    public func run() throws {
        try execute().emit()
    }
}

extension CommandOutput {
    /// Writes both streams and throws the exit status unless it is 0.
    func emit() throws {
        if !standardError.isEmpty { FileHandle.standardError.write(Data(standardError.utf8)) }
        FileHandle.standardOutput.write(Data(standardOutput.utf8))
        if status != 0 { throw ExitCode(status) }
    }
}
