import HarnessCore
import KMSAN
import ScenarioLanguage
import Testing

@Suite("config lines")
struct ConfigTests {
    private func settings(_ lines: String) -> ScenarioSettings? {
        parse("scenario s\n\(lines)\n  expect no-report\nend\n").file.scenarios.first?.settings
    }

    @Test func everyKeyIsResolved() {
        var expected = ScenarioSettings()
        expected.profile = ScenarioSettings.profiles["mainline"]
        expected.eagerChecks = false
        expected.panic = true
        expected.memorySize = 128 << 20
        expected.kasanVmalloc = false
        expected.vmallocRelease = .merged
        expected.leakCheck = true
        expected.seed = 0x2A
        let lines = """
          config profile=mainline
          config eager-checks=off
          config panic=on
          config memory=128M
          config kasan-vmalloc=off
          config vmalloc-release=merged
          config leak-check=on
          config seed=0x2A
        """
        #expect(settings(lines) == expected)
    }

    @Test func unsetKeysStayNil() {
        let expected = ScenarioSettings()
        #expect(settings("") == expected)
    }

    @Test func memoryTakesKSuffixHexAndSpacesAroundEquals() {
        #expect(settings("  config memory = 512K")?.memorySize == 512 << 10)
        #expect(settings("  config memory=0x100000")?.memorySize == 1 << 20)
    }

    @Test func unknownKeyNamesTheValidOnes() {
        let expected = ["unknown config key 'profil' (did you mean 'profile'?); expected one of profile, eager-checks, panic, memory, kasan-vmalloc, vmalloc-release, leak-check, seed"]
        #expect(messages("scenario s\n  config profil=mainline\n  expect no-report\nend\n") == expected)
    }

    @Test func unknownProfileNamesTheProfiles() {
        let names = ScenarioSettings.profiles.keys.sorted().joined(separator: ", ")
        let expected = ["invalid value 'nope' for config key 'profile'; expected one of \(names)"]
        #expect(messages("scenario s\n  config profile=nope\n  expect no-report\nend\n") == expected)
    }

    @Test func invalidValuesNameTheValidOnes() {
        let expected = [
            "t.scenario:2:10: error: invalid value 'yes' for config key 'panic'; expected on or off",
            "t.scenario:3:10: error: invalid value '64G' for config key 'memory'; expected a positive multiple of 4096 bytes, decimal or 0x hex with an optional K or M suffix (e.g. 64M)",
            "t.scenario:4:10: error: invalid value 'lazy' for config key 'vmalloc-release'; expected merged or area",
            "t.scenario:5:10: error: invalid value 'x1' for config key 'seed'; expected an integer (decimal or 0x hex)",
            "t.scenario:6:10: error: invalid value '100' for config key 'memory'; expected a positive multiple of 4096 bytes, decimal or 0x hex with an optional K or M suffix (e.g. 64M)",
        ]
        let text = "scenario s\n  config panic=yes\n  config memory=64G\n  config vmalloc-release=lazy\n  config seed=x1\n  config memory=100\n  expect no-report\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func configAfterFirstStatementIsAnError() {
        let expected = ["t.scenario:4:3: error: config must come before the first statement"]
        #expect(errors("scenario s\n  expect no-report\n  use(1)\n  config panic=on\nend\n") == expected)
    }

    @Test func malformedAndRepeatedConfigLinesAreErrors() {
        let expected = [
            "t.scenario:2:10: error: expected 'key=value' after 'config', got 'panic'",
            "t.scenario:3:10: error: expected one 'key=value' per config line, got 'panic=on seed=1'",
            "t.scenario:5:10: error: config key 'seed' is set twice (first at line 4)",
        ]
        let text = "scenario s\n  config panic\n  config panic=on seed=1\n  config seed=1\n  config seed=2\n  expect no-report\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func configInFuncIsAnError() {
        let expected = ["t.scenario:2:3: error: 'config' is only allowed in a scenario, not in a func"]
        #expect(errors("func f()\n  config panic=on\nend\n") == expected)
    }
}
