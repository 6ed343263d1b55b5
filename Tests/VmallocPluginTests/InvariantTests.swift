import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing
@testable import VmallocPlugin

/// The shadow invariants (VmallocAllocator+Invariants) hold over random sequences of vmalloc
/// operations under both release behaviours, and a broken one is reported, not crashed on.
@Suite struct InvariantTests {
    @Test(arguments: ["merged", "area"]) func randomOperationsKeepTheInvariants(release: String) throws {
        try withVmalloc(release: release) { m, v in
            var random = SeededGenerator(seed: 81)
            var live: [KernelAddress] = []
            m.run("test_fn") {
                for step in 0..<600 {
                    switch random.below(5) {
                    case 0, 1:
                        if let a = v.vmalloc(1 + random.below(40_000), on: m.cpu) { live.append(a) }
                    case 2 where !live.isEmpty:
                        v.vfree(live.remove(at: random.below(live.count)), on: m.cpu)
                    case 3:
                        if step % 50 == 0 { v.vmUnmapAliases(on: m.cpu) }
                    default:
                        if let a = v.vzalloc(1 + random.below(3000), on: m.cpu) { live.append(a) }
                    }
                    #expect(v.invariantViolations().isEmpty, "step \(step)")
                }
                for a in live { v.vfree(a, on: m.cpu) }
                v.vmUnmapAliases(on: m.cpu)
            }
            #expect(v.invariantViolations().isEmpty)
            #expect(v.liveAreaCount == 0)
            #expect(m.reports.isEmpty)
        }
    }

    @Test func aShadowPageReleasedUnderALiveAreaIsAViolation() throws {
        try withVmalloc { m, v in
            m.run("test_fn") { _ = v.vmalloc(100, on: m.cpu) }
            #expect(v.invariantViolations().isEmpty)
            v.state.withLock { $0.shadow.removeAll() }
            #expect(v.invariantViolations().count == 1)
        }
    }
}
