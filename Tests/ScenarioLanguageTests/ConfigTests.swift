import HarnessCore
import KMSAN
import ScenarioLanguage
import Testing

/// A plugin that declares a config key of its own, and nothing else.
private struct KeyedPlugin: HarnessPlugin {
    static let mode = ConfigKey.plugin("toy-mode", ["fast", "slow"], default: "fast", help: "how the toy runs")
    var name: String { "keyed" }
    var provides: SubsystemKind? { nil }
    var settings: [ConfigKey] { [Self.mode] }
    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? { nil }
}

@Suite("config lines")
struct ConfigTests {
    private func settings(_ lines: String, plugins: PluginSet = TestOps.plugins) -> ScenarioSettings? {
        ScenarioParser.parse("scenario s\n\(lines)\n  expect no-report\nend\n", path: "t.scenario", plugins: plugins)
            .file.scenarios.first?.settings
    }

    @Test func everyCoreKeyChangesTheConfiguration() {
        var expected = MachineConfiguration()
        expected.kmsan.policy = .rfcV3
        expected.kmsan.eagerChecks = false
        expected.kmsan.panicOnReport = true
        expected.memorySize = 128 << 20
        expected.leakCheck = true
        let lines = """
          config profile=rfc-v3
          config eager-checks=off
          config panic=on
          config memory=128M
          config leak-check=on
        """
        #expect(settings(lines)?.applied(to: MachineConfiguration()) == expected)
        #expect(settings(lines)?.settings.map(\.key) == ["profile", "eager-checks", "panic", "memory", "leak-check"])
    }

    /// Twin: a scenario without config lines leaves the configuration as it was.
    @Test func unsetKeysChangeNothing() {
        #expect(settings("")?.settings.isEmpty == true)
        #expect(settings("")?.applied(to: MachineConfiguration()) == MachineConfiguration())
    }

    @Test func memoryTakesKSuffixHexAndSpacesAroundEquals() {
        #expect(settings("  config memory = 512K")?.applied(to: MachineConfiguration()).memorySize == 512 << 10)
        #expect(settings("  config memory=0x100000")?.applied(to: MachineConfiguration()).memorySize == 1 << 20)
    }

    /// A plugin's own key parses when the plugin is installed, and is kept for it to read.
    @Test func aPluginDeclaredKeyIsKnownWithItsPlugin() throws {
        let plugins = try PluginSet([KeyedPlugin()])
        let configuration = settings("  config toy-mode=slow", plugins: plugins)?.applied(to: MachineConfiguration())
        #expect(configuration?.value(of: KeyedPlugin.mode) == "slow")
        #expect(MachineConfiguration().value(of: KeyedPlugin.mode) == "fast")
        let wrong = ScenarioParser.parse("scenario s\n  config toy-mode=medium\n  expect no-report\nend\n", path: "t", plugins: plugins)
        #expect(wrong.diagnostics.map(\.message) == ["invalid value 'medium' for config key 'toy-mode'; expected one of fast, slow"])
    }

    /// Twin: without the plugin that reads it the key is unknown, and so are the keys nothing reads.
    @Test func aKeyNoInstalledPartReadsIsUnknown() {
        let keys = "profile, eager-checks, panic, memory, leak-check, max-statements, irq-contexts, interleave, kasan-vmalloc, vmalloc-release, "
            + "kasan-multi-shot, uxnet-planted-bug"
        let expected = [
            "unknown config key 'toy-mode'; expected one of \(keys)",
            "unknown config key 'seed'; expected one of \(keys)",
        ]
        let text = "scenario s\n  config toy-mode=slow\n  config kasan-vmalloc=on\n  config seed=1\n  expect no-report\nend\n"
        #expect(messages(text) == expected)
    }

    @Test func unknownKeyNamesTheValidOnes() {
        let expected = ["unknown config key 'profil' (did you mean 'profile'?); expected one of profile, eager-checks, panic, memory, "
                        + "leak-check, max-statements, irq-contexts, interleave, kasan-vmalloc, vmalloc-release, kasan-multi-shot, uxnet-planted-bug"]
        #expect(messages("scenario s\n  config profil=mainline\n  expect no-report\nend\n") == expected)
    }

    @Test func unknownProfileNamesTheProfiles() {
        let names = KMSANPolicy.all.map(\.name).sorted().joined(separator: ", ")
        let expected = ["invalid value 'nope' for config key 'profile'; expected one of \(names)"]
        #expect(messages("scenario s\n  config profile=nope\n  expect no-report\nend\n") == expected)
    }

    @Test func invalidValuesNameTheValidOnes() {
        let memory = "expected a positive multiple of 4096 bytes up to 4G, decimal or 0x hex with an optional K, M or G suffix (e.g. 64M)"
        let expected = [
            "t.scenario:2:10: error: invalid value 'yes' for config key 'panic'; expected on or off",
            "t.scenario:3:10: error: invalid value '64G' for config key 'memory'; \(memory)",
            "t.scenario:4:10: error: invalid value '100' for config key 'memory'; \(memory)",
        ]
        let text = "scenario s\n  config panic=yes\n  config memory=64G\n  config memory=100\n  expect no-report\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func configAfterFirstStatementIsAnError() {
        let expected = ["t.scenario:4:3: error: config must come before the first statement"]
        #expect(errors("scenario s\n  expect no-report\n  use(1)\n  config panic=on\nend\n") == expected)
    }

    @Test func malformedAndRepeatedConfigLinesAreErrors() {
        let expected = [
            "t.scenario:2:10: error: expected 'key=value' after 'config', got 'panic'",
            "t.scenario:3:10: error: expected one 'key=value' per config line, got 'panic=on leak-check=on'",
            "t.scenario:5:10: error: config key 'panic' is set twice (first at line 4)",
        ]
        let text = "scenario s\n  config panic\n  config panic=on leak-check=on\n  config panic=on\n  config panic=off\n  expect no-report\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func configInFuncIsAnError() {
        let expected = ["t.scenario:2:3: error: 'config' is only allowed in a scenario, not in a func"]
        #expect(errors("func f()\n  config panic=on\nend\n") == expected)
    }
}
