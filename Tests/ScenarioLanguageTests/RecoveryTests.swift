import ScenarioLanguage
import Testing

@Suite("Recovery")
struct RecoveryTests {
    @Test func goodScenarioSurvivesABadOne() {
        let expectedNames = ["good_before", "good_after"]
        let text = scenario("  r0 = kmalloc(4, GFP_KERNEL)", name: "good_before")
            + scenario("  r0 = kmalloc(4, GFP_KERNL)\n  kfree(r0, r0)\n  )))(((", name: "bad")
            + scenario("  r0 = kzalloc(4, GFP_KERNEL)", name: "good_after")
        let parsed = parse(text)
        #expect(parsed.file.scenarios.map(\.name) == expectedNames)
        #expect(parsed.diagnostics.count == 3)
    }

    @Test func allGoodScenariosAllSurvive() {
        let expectedNames = ["a", "b"]
        let parsed = parse(scenario("  use(1)", name: "a") + scenario("  use(2)", name: "b"))
        #expect(parsed.file.scenarios.map(\.name) == expectedNames)
        #expect(parsed.diagnostics.isEmpty)
    }

    @Test func missingEndRecoversAtNextFunc() {
        let expectedFunctions = ["f"]
        let text = "scenario a\n  expect no-report\n  use(1)\nfunc f()\n  use(1)\nend\n" + scenario("  f()", name: "b")
        let parsed = parse(text)
        #expect(parsed.file.functions.keys.sorted() == expectedFunctions)
        #expect(parsed.file.scenarios.map(\.name) == ["b"])
        #expect(parsed.diagnostics.count == 1)
    }

    @Test func garbageBetweenScenariosDoesNotHideThem() {
        let expectedNames = ["a", "b"]
        let text = scenario("  use(1)", name: "a") + "%%% junk\nend\n" + scenario("  use(2)", name: "b")
        let parsed = parse(text)
        #expect(parsed.file.scenarios.map(\.name) == expectedNames)
        #expect(parsed.diagnostics.count == 2)
    }
}
