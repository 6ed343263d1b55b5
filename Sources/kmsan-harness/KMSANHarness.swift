import ArgumentParser
import BundledPlugins
import Foundation
import HarnessCommandLine
import HarnessCore

/// `kmsan-harness`: the harness's own tool, the bundled plugins and the bundled suite. It is
/// the reusable command line (`HarnessCommand`) with one subcommand of its own, `demo`.
enum KMSANHarness: HarnessTool {
    /// `kmsan-harness`.
    static let commandName = "kmsan-harness"
    /// `BundledPlugins.all`.
    static var plugins: [any HarnessPlugin] { BundledPlugins.all }
    /// `demo`.
    static var extraSubcommands: [any ParsableCommand.Type] { [DemoCommand.self] }
}

/// The entry point.
@main
struct KMSANHarnessMain {
    /// Parses the command line and runs the command.
    static func main() { HarnessCommand<KMSANHarness>.main() }
}
