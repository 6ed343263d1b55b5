import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Deterministic failure injection: the Nth call, or every allocation of a gfp class.
@Suite struct FailureInjectionTests {
    @Test func theNthAllocationFailsAndOnlyIt() throws {
        let m = try MachineFixture.pages(failureInjection: .nthAllocation(3))
        defer { m.shutdown() }
        let results = (0..<5).map { _ in m.alloc(order: 0) != nil }
        #expect(results == [true, true, false, true, true])
        // An injected failure is quiet (should_fail_alloc_page() returns before warn_alloc()).
        #expect(m.reports.isEmpty)
        #expect(m.allocator.freeFrames == 1792 - 4)
    }

    @Test func everyCallCountsWhateverItsOrderOrOutcome() throws {
        let m = try MachineFixture.pages(failureInjection: .nthAllocation(3))
        defer { m.shutdown() }
        #expect(m.alloc([.kernel, .noWarn], order: 11) == nil)
        #expect(m.alloc(order: 4) != nil)
        #expect(m.alloc(order: 0) == nil)
    }

    @Test func withoutInjectionNoAllocationFails() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect((0..<5).allSatisfy { _ in m.alloc(order: 0) != nil })
    }

    @Test func settingTheInjectionAtRunTimeRestartsTheCount() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = (0..<5).map { _ in m.alloc(order: 0) }
        m.allocator.failureInjection = .nthAllocation(2)
        #expect(m.allocator.failureInjection == .nthAllocation(2))
        #expect(m.alloc(order: 0) != nil)
        #expect(m.alloc(order: 0) == nil)
        m.allocator.failureInjection = .none
        #expect(m.alloc(order: 0) != nil)
    }

    @Test func everyAtomicAllocationFailsByGFPClass() throws {
        let m = try MachineFixture.pages(failureInjection: .allocations(matching: .atomic))
        defer { m.shutdown() }
        #expect(m.alloc(.atomic) == nil)
        #expect(m.alloc([.atomic, .zero], order: 2) == nil)
        // GFP_KERNEL|__GFP_HIGH holds every bit of GFP_ATOMIC, so it is in the class too.
        #expect(m.alloc([.kernel, .high]) == nil)
        #expect(m.reports.isEmpty)
        #expect(m.allocator.freeFrames == 1792)
    }

    @Test func otherGFPClassesAreNotFailed() throws {
        let m = try MachineFixture.pages(failureInjection: .allocations(matching: .atomic))
        defer { m.shutdown() }
        #expect(m.alloc(.kernel) != nil)
        #expect(m.alloc(.noWait) != nil)
        #expect(m.alloc(.high) != nil)
    }

    @Test func theDescriptionNamesTheRule() {
        #expect(FailureInjection.none.description == "none")
        #expect(FailureInjection.nthAllocation(3).description == "nth=3")
        #expect(FailureInjection.allocations(matching: .atomic).description == "gfp=GFP_ATOMIC")
    }
}
