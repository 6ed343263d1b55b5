import ArgumentParser
import HarnessCore

/// A command-line tool built on the harness: its name, its plugins and where its scenarios
/// live. The commands (`run`, `ops`) are generic over it, so a package with plugins of its own
/// builds its own tool in a few lines:
///
/// ```swift
/// // Sources/my-harness/main.swift
/// import BundledPlugins
/// import HarnessCommandLine
/// import HarnessCore
///
/// enum MyHarness: HarnessTool {
///     static let commandName = "my-harness"
///     static var plugins: [any HarnessPlugin] { BundledPlugins.all + [MyDriverPlugin()] }
/// }
/// HarnessCommand<MyHarness>.main()
/// ```
public protocol HarnessTool {
    /// The command's name in help and usage (`kmsan-harness`).
    static var commandName: String { get }
    /// One line about the tool, for `--help`.
    static var abstract: String { get }
    /// The plugins every machine of the tool gets, in this order.
    static var plugins: [any HarnessPlugin] { get }
    /// What `run` runs when no path is given.
    static var defaultScenarioPaths: [String] { get }
    /// Subcommands of the tool's own, after `run` and `ops`.
    static var extraSubcommands: [any ParsableCommand.Type] { get }
    /// What `--version` prints.
    static var version: String { get }
}

/// The version of kmsan-harness (CHANGELOG.md).
public let kmsanHarnessVersion = "0.5.0"

extension HarnessTool {
    /// `Run KMSAN allocator scenarios on simulated kernels.`
    public static var abstract: String { "Run KMSAN allocator scenarios on simulated kernels." }
    /// `Harnesses/` in the current directory.
    public static var defaultScenarioPaths: [String] { ["Harnesses"] }
    /// None.
    public static var extraSubcommands: [any ParsableCommand.Type] { [] }
    /// kmsan-harness's own version.
    public static var version: String { kmsanHarnessVersion }

    /// The tool's plugin set; a set whose plugins do not fit together is a usage error that
    /// names the clash (exit status 64), never a crash.
    static func pluginSet() throws -> PluginSet {
        do {
            return try PluginSet(plugins)
        } catch {
            throw ValidationError("the plugins of \(commandName) do not fit together: \(error)")
        }
    }
}

/// The root command of a `HarnessTool`: `run`, `ops`, `fuzz`, `replay` and the tool's own subcommands.
public struct HarnessCommand<Tool: HarnessTool>: ParsableCommand {
    /// Name, help and subcommands.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Tool.commandName,
            abstract: Tool.abstract,
            discussion: """
                Scenario files (*.scenario) describe a short program against the simulated kernel and \
                the reports it must produce. `run` executes them, each on a fresh machine; `ops` lists \
                what a scenario can call, with every config key and named constant; `fuzz` generates \
                programs from those ops and `replay` runs the reproducers it writes.
                """,
            version: Tool.version,
            subcommands: [RunCommand<Tool>.self, OpsCommand<Tool>.self, FuzzCommand<Tool>.self, ReplayCommand<Tool>.self]
                + Tool.extraSubcommands)
    }

    /// Creates the command (ArgumentParser's requirement).
    public init() {}
}

/// What a command printed and how it ended, for callers that run it in-process (tests): `run()`
/// writes these to the process's streams and exits with `status`.
public struct CommandOutput: Sendable, Equatable {
    /// Standard output.
    public var standardOutput: String
    /// Standard error.
    public var standardError: String
    /// The exit status.
    public var status: Int32

    /// Creates an output.
    public init(standardOutput: String, standardError: String = "", status: Int32 = 0) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.status = status
    }
}
