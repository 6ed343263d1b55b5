import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// `config leak-check=on`: memory still allocated at the end is a HARNESS leak in the scenario.
@Suite struct LeakCheckTests {
    static let leaky = ScenarioBuilder("test_leaky").with(op(0, "kmalloc", lit(16), lit(0), line: 2))

    @Test func withLeakCheckAnUnfreedObjectIsReported() {
        let result = run(Self.leaky.configured("leak-check=on").expecting(.harness(.leak, in: "test_leaky")))
        #expect(result.verdict == .pass)
    }

    @Test func withoutLeakCheckNothingIsReported() {
        #expect(run(Self.leaky.expecting(nil)).verdict == .pass)
    }

    @Test func aFreedObjectIsNoLeak() {
        let b = ScenarioBuilder("test_freed").configured("leak-check=on").expecting(nil)
            .with(op(0, "kmalloc", lit(16), lit(0), line: 2), op("kfree", r(0), line: 3))
        #expect(run(b).verdict == .pass)
    }
}
