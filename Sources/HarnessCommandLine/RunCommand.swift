import ArgumentParser
import Foundation
import HarnessCore
import KMSAN
import KernelMemory
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
                Exit status: 0 if every scenario passed; 1 if one failed, or if no scenario ran \
                (an empty folder, a --filter that matches nothing); 2 if a file has errors \
                (printed as path:line:column: error: ...; the other scenarios still run); \
                64 for a usage error. `\(Tool.commandName) ops` lists the ops, config keys and \
                constants a scenario may use.
                """)
    }

    /// Output formats.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Kernel-layout reports and verdict lines.
        case text
        /// One JSON object per line: reports, verdicts, errors and the summary.
        case json
        /// KTAP version 1 as KUnit prints it: a subtest per file, a result line per scenario,
        /// each report's text before its scenario's result (`KTAPWriter`).
        case ktap
    }

    /// Files or folders.
    @Argument(help: "Scenario files or folders (default: every .scenario under ./Harnesses).")
    public var paths: [String] = []
    /// `--format`.
    @Option(help: "Output format: text, json or ktap (KTAP version 1, as KUnit prints it).")
    public var format: Format = .text
    /// `--junit`.
    @Option(help: ArgumentHelp("Also write the results as JUnit XML to FILE (with any --format).", valueName: "FILE"))
    public var junit: String?
    /// `--filter`.
    @Option(help: ArgumentHelp("Run only scenarios whose name contains NAME.", valueName: "NAME"))
    public var filter: String?
    /// `--profile` and `--panic`.
    @OptionGroup public var global: GlobalOptions

    /// Creates the command (ArgumentParser's requirement).
    public init() {}

    /// Refuses a run with nothing to run before it starts: no path, and none of the tool's
    /// default folders in the current directory (a usage error, with the usage).
    public func validate() throws {
        guard paths.isEmpty else { return }
        let fm = FileManager.default
        guard Tool.defaultScenarioPaths.contains(where: { fm.fileExists(atPath: $0) }) else {
            let defaults = Tool.defaultScenarioPaths.map { $0.hasPrefix("/") ? $0 : "./\($0)" }.joined(separator: ", ")
            throw ValidationError("no path given and no \(defaults) in the current directory: name the scenario files or folders to run")
        }
    }

    /// Loads, runs and writes each scenario's output through `write` as soon as it and every
    /// earlier scenario are done (`toStandardError` for diagnostics and progress); returns the
    /// exit status.
    public func execute(write: @escaping @Sendable (_ text: String, _ toStandardError: Bool) -> Void) throws -> Int32 {
        let plugins = try Tool.pluginSet()
        let options = ScenarioRunOptions(profile: try global.policy(), panic: global.panic ? true : nil, plugins: plugins)
        let roots = paths.isEmpty ? Tool.defaultScenarioPaths.filter { FileManager.default.fileExists(atPath: $0) } : paths
        if paths.isEmpty {
            let shown = roots.map { $0.hasPrefix("/") ? $0 : "./\($0)" }.joined(separator: ", ")
            write("\(Tool.commandName): no path given: running every scenario under \(shown)\n", true)
        }
        let suite = ScenarioSuite.load(paths: roots, plugins: plugins, filter: filter)
        let ktap = KTAPWriter(suite: suite) { write($0, false) }
        switch format {
        case .text, .ktap: write(suite.diagnostics.map { "\($0)\n" }.joined(), true)
        case .json: write(suite.diagnostics.map { $0.jsonLine + "\n" }.joined(), false)
        }
        if format == .ktap { ktap.start() }
        let progress = ProgressLine(total: suite.scenarios.count, enabled: format == .text && ProgressLine.standardErrorIsATerminal,
                                    write: write)
        let format = format
        let result = suite.run(options: options) { scenario in
            progress.clear()
            switch format {
            case .text: write(scenario.text, false)
            case .json: write(scenario.jsonLines.map { $0 + "\n" }.joined(), false)
            case .ktap: ktap.record(scenario)
            }
            progress.advance()
        }
        progress.clear()
        switch format {
        case .text:
            if result.notRun > 0 { write("\(result.summaryLine), \(result.notRun) not run\n", false) }
            write(result.summaryLine + "\n", false)
        case .json:
            write(result.summaryJSON + "\n", false)
        case .ktap:
            ktap.finish()
        }
        var status = result.exitStatus
        if let junit {
            do {
                try JUnitReport.xml(suite: suite, result: result).write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                write("\(Tool.commandName): cannot write the JUnit report to \(junit): \(error.localizedDescription)\n", true)
                status = max(status, 2)
            }
        }
        if result.results.isEmpty, result.diagnostics.isEmpty {
            let why = filter.map { "no scenario name contains '\($0)'" } ?? "no .scenario file under \(roots.joined(separator: ", "))"
            write("\(Tool.commandName): no scenario ran (\(why))\n", true)
        }
        return status
    }

    /// Runs everything and returns what it printed (for in-process callers and tests).
    public func execute() throws -> CommandOutput {
        let streams = Locked((out: "", err: ""))
        let status = try execute { text, toStandardError in
            streams.withLock { if toStandardError { $0.err += text } else { $0.out += text } }
        }
        return streams.withLock { CommandOutput(standardOutput: $0.out, standardError: $0.err, status: status) }
    }

    /// Runs, printing as it goes, and exits with the contract's status.
    public func run() throws {
        let status = try execute { text, toStandardError in
            guard !text.isEmpty else { return }
            (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
        }
        if status != 0 { throw ExitCode(status) }
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
