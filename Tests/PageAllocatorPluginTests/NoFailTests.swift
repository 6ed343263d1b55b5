import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// `__GFP_NOFAIL`: never failed by injection; true exhaustion is a HARNESS misuse, not a hang.
@Suite struct NoFailTests {
    @Test func noFailIgnoresFailureInjection() throws {
        let m = try MachineFixture.pages(failureInjection: .allocations(matching: []))
        defer { m.shutdown() }
        #expect(m.alloc([.kernel, .noFail]) != nil)
        #expect(m.reports.isEmpty)
    }

    @Test func withoutNoFailInjectionFails() throws {
        let m = try MachineFixture.pages(failureInjection: .allocations(matching: []))
        defer { m.shutdown() }
        #expect(m.alloc(.kernel) == nil)
        #expect(m.reports.isEmpty)
    }

    @Test func noFailMayTakeHalfTheReserveAsALastResort() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = m.allocateUntilFailure(.kernel)
        #expect(m.alloc([.kernel, .noFail]) != nil)
        #expect(m.allocator.freeFrames == 27)
        #expect(m.reports.isEmpty)
    }

    @Test func trueExhaustionIsAHarnessMisuseAndReturnsNil() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = m.allocateUntilFailure(.kernel)
        // Down to ALLOC_MIN_RESERVE's level: 14 frames.
        while m.allocator.freeFrames > 14 { _ = try #require(m.alloc([.kernel, .noFail])) }
        #expect(m.reports.isEmpty)
        #expect(m.alloc([.kernel, .noFail], in: "test_nofail_oom") == nil)
        #expect(m.titles == ["HARNESS: misuse in test_nofail_oom"])
        #expect(m.allocator.freeFrames == 14)
    }
}
