import ArgumentParser
import Foundation
import HarnessCore
import ScenarioLanguage
import ScenarioRunner

/// `replay FILE`: runs a reproducer (every scenario in it) and says whether it still
/// reproduces. Exit status: 1 while some scenario's expectation fails (the bug is there), 0 once
/// every scenario passes, 2 if the file has errors, 64 for a usage error.
public struct ReplayCommand<Tool: HarnessTool>: ParsableCommand {
    /// Name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "replay",
            abstract: "Run a reproducer written by fuzz; exit 1 while it still reproduces.",
            discussion: "Prints each scenario's reports and `REPRODUCES <name>: <why>` or `FIXED <name>`.")
    }

    /// The reproducer.
    @Argument(help: "A reproducer .scenario file.")
    public var file: String

    /// Creates the command (ArgumentParser's requirement).
    public init() {}

    /// Runs it; what it printed and the status.
    public func execute() throws -> CommandOutput {
        let set = try Tool.pluginSet()
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no such file: \(file)") }
        let suite = ScenarioSuite.load(paths: [file], plugins: set)
        var out = "", err = suite.diagnostics.map { "\($0)\n" }.joined()
        guard !suite.scenarios.isEmpty else {
            err += "\(Tool.commandName) replay: \(file) has no scenario that parses\n"
            return CommandOutput(standardOutput: out, standardError: err, status: 2)
        }
        let interpreter = ScenarioInterpreter(options: ScenarioRunOptions(plugins: set))
        var reproduces = false
        for resolved in suite.scenarios {
            let result = interpreter.run(resolved)
            out += result.reports.map(\.kernelText).joined()
            switch result.verdict {
            case .pass: out += "FIXED \(result.name)\n"
            case .fail(let why):
                reproduces = true
                out += "REPRODUCES \(result.name): \(why)\n"
            }
        }
        let status: Int32 = suite.diagnostics.isEmpty ? (reproduces ? 1 : 0) : 2
        return CommandOutput(standardOutput: out, standardError: err, status: status)
    }

    /// Runs and exits with the status.
    public func run() throws { try execute().emit() }
}
