import ArgumentParser
import HarnessCore

/// `ops`: every op a scenario may call, with its signature, the resources it takes and returns,
/// its value ranges and one line of help, grouped by plugin (the core's own first), and the
/// config keys and named constants each part declares. `--format json` prints the same as one
/// JSON object per line, for generators and editors.
public struct OpsCommand<Tool: HarnessTool>: ParsableCommand {
    /// Name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "ops",
            abstract: "List every scenario op, config key and named constant, grouped by plugin.")
    }

    /// Output formats.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Aligned text, one block per plugin.
        case text
        /// One JSON object per op, config key, constant and resource kind.
        case json
    }

    /// `--format`.
    @Option(help: "Output format: text or json.")
    public var format: Format = .text

    /// Creates the command (ArgumentParser's requirement).
    public init() {}

    /// The listing; nothing is printed.
    public func execute() throws -> CommandOutput {
        let plugins = try Tool.pluginSet()
        switch format {
        case .text: return CommandOutput(standardOutput: OpsListing.text(plugins))
        case .json: return CommandOutput(standardOutput: OpsListing.jsonLines(plugins).map { $0 + "\n" }.joined())
        }
    }

    /// Prints the listing.
    public func run() throws {
        try execute().emit()
    }
}
