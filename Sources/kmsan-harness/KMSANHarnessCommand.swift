import ArgumentParser
import HarnessCore
import PageAllocatorPlugin
import SlabPlugin

/// `kmsan-harness`: runs scenario files against simulated machines with the bundled plugins.
@main
struct KMSANHarnessCommand: ParsableCommand {
    /// The subcommands.
    static let configuration = CommandConfiguration(
        commandName: "kmsan-harness",
        abstract: "Run KMSAN allocator scenarios on simulated kernels.",
        discussion: """
            Scenario files (*.scenario) describe a short program against the simulated kernel and \
            the reports it must produce. `run` executes them, each on a fresh machine; `ops` lists \
            what a scenario can call.
            """,
        subcommands: [RunCommand.self, OpsCommand.self, DemoCommand.self])

    /// The plugins every machine of the tool gets, in this order: the page allocator and the
    /// slab allocator. (Your own tool can hand `Machine` and `ScenarioRunner` any list.)
    static let plugins: [any HarnessPlugin] = [PageAllocatorPlugin(), SlabPlugin()]
}
