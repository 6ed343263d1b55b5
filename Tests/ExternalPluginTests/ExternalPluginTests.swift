import ArgumentParser
import BundledPlugins
import Foundation
import HarnessCommandLine
import HarnessCore
import HarnessTesting
import ScenarioLanguage
import ScenarioRunner
import Testing

/// The tool a user with the toy NIC plugin builds: the reusable command line, the bundled
/// plugins and theirs.
enum ToyHarness: HarnessTool {
    static let commandName = "toy-harness"
    static var plugins: [any HarnessPlugin] { BundledPlugins.all + [ToyNICPlugin()] }
    static var defaultScenarioPaths: [String] { [ExternalPluginTests.scenarios] }
}

/// A plugin whose op is named like a slab op: a plugin set with it does not fit together.
private struct ClashingPlugin: HarnessPlugin {
    var name: String { "clashing" }
    var provides: SubsystemKind? { nil }
    var ops: [ScenarioOp] { [ScenarioOp("kfree", [], returnsValue: false, help: "not the slab's") { _ throws(OpError) in nil }] }
    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? { nil }
}

/// The same tool with a plugin that clashes with the bundled ones.
private enum ClashingHarness: HarnessTool {
    static let commandName = "clashing-harness"
    static var plugins: [any HarnessPlugin] { BundledPlugins.all + [ClashingPlugin()] }
}

/// A plugin from outside the bundled set, end to end: its own `.scenario` file through
/// parse -> run -> verdict, through the shared scenario-folder helper, and through the
/// reusable command's `run` and `ops`.
@Suite struct ExternalPluginTests {
    /// `Scenarios/` next to this file.
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios").path
    /// The folder, parsed with the tool's plugins.
    static let folder = ScenarioFolder(scenarios, plugins: ToyHarness.plugins)

    @Test func everyScenarioFileParses() {
        Self.folder.expectEveryFileParses()
        #expect(Self.folder.cases.count == 5)
    }

    @Test(arguments: folder.cases)
    func scenario(_ scenarioCase: ScenarioCase) {
        Self.folder.check(scenarioCase)
    }

    /// The steps by hand: parse with the plugin set, run each scenario on a fresh machine,
    /// judge its reports.
    @Test func parseRunAndJudgeByHand() throws {
        let plugins = try PluginSet(ToyHarness.plugins)
        let text = try String(contentsOfFile: Self.scenarios + "/toy_nic.scenario", encoding: .utf8)
        let parsed = ScenarioParser.parse(text, path: "toy_nic.scenario", plugins: plugins)
        #expect(parsed.diagnostics.isEmpty)
        let interpreter = ScenarioInterpreter(options: ScenarioRunOptions(plugins: plugins))
        let results = parsed.file.scenarios.map(interpreter.run)
        #expect(results.map(\.verdict) == Array(repeating: .pass, count: 5))
        #expect(results.first?.reports.map(\.title) == ["KMSAN: uninit-value in toy_nic_map"])
    }

    /// Twin: without the plugin, its ops, constants and config key are unknown names and no
    /// scenario of the file runs.
    @Test func withoutThePluginTheFileDoesNotParse() throws {
        let text = try String(contentsOfFile: Self.scenarios + "/toy_nic.scenario", encoding: .utf8)
        let parsed = ScenarioParser.parse(text, path: "toy_nic.scenario", plugins: try BundledPlugins.pluginSet())
        #expect(parsed.file.scenarios.isEmpty)
        let messages = parsed.diagnostics.map(\.message)
        #expect(messages.contains("unknown op 'toy_nic_create'"))
        #expect(messages.contains { $0.hasPrefix("unknown config key 'toy-nic-checks'") })
    }

    @Test func theReusableRunCommandRunsThePluginsScenarios() throws {
        let command = try #require(try HarnessCommand<ToyHarness>.parseAsRoot(["run"]) as? RunCommand<ToyHarness>)
        let output = try command.execute()
        #expect(output.status == 0)
        #expect(output.standardError == "toy-harness: no path given: running every scenario under \(Self.scenarios)\n")
        #expect(output.standardOutput.hasSuffix("5 passed, 0 failed\n"))
        #expect(output.standardOutput.contains("PASS test_toy_nic_checks_off"))
    }

    @Test func theReusableOpsCommandListsThePlugin() throws {
        let command = try #require(try HarnessCommand<ToyHarness>.parseAsRoot(["ops"]) as? OpsCommand<ToyHarness>)
        let listing = try command.execute().standardOutput
        #expect(listing.contains("plugin toy-nic:\n"))
        #expect(listing.contains("r = toy_nic_create(name) -> toy-nic"))
        #expect(listing.contains("toy_nic_xmit(nic: toy-nic, buf: address, len 0...4096, mode)"))
        #expect(listing.contains("config toy-nic-checks=on|off (default on)"))
        #expect(listing.contains("TOY_NIC_COPY (toy-nic-mode), TOY_NIC_ZEROCOPY (toy-nic-mode)"))
    }

    /// A tool whose plugins clash is a usage error naming the clash, not a crash.
    @Test func aClashingToolIsAUsageError() throws {
        let command = try #require(try HarnessCommand<ClashingHarness>.parseAsRoot(["ops"]) as? OpsCommand<ClashingHarness>)
        #expect {
            try command.execute()
        } throws: { error in
            "\(error)".contains("op 'kfree' is contributed by more than one plugin: slub, clashing")
        }
    }
}
