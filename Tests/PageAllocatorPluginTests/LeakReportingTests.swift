import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Every live block is an outstanding allocation for the machine's leak check.
@Suite struct LeakReportingTests {
    @Test func liveBlocksAreListedLowestFirst() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let a = try #require(m.alloc(order: 1))
        let b = try #require(m.alloc(order: 0))
        let expected = [
            OutstandingAllocation(address: m.address(a).raw, size: 2 * PAGE_SIZE, kind: "alloc_pages order 1"),
            OutstandingAllocation(address: m.address(b).raw, size: PAGE_SIZE, kind: "alloc_pages order 0"),
        ].sorted { $0.address < $1.address }
        #expect(m.allocator.outstandingAllocations() == expected)
    }

    @Test func anUnfreedBlockIsReportedAsALeak() throws {
        let m = try MachineFixture.pages(leakCheck: true)
        defer { m.shutdown() }
        let kept = try #require(m.alloc(order: 1))
        let freed = try #require(m.alloc(order: 0))
        m.free(freed)
        let count = m.run("test_leaky") { m.machine.checkLeaks(on: m.cpu) }
        #expect(count == 1)
        #expect(m.titles == ["HARNESS: leak in test_leaky"])
        #expect(m.reports.first?.accessAddress == m.address(kept).raw)
        #expect(m.reports.first?.message.first?.contains("alloc_pages order 1") == true)
    }

    @Test func nothingLeaksWhenEverythingIsFreed() throws {
        let m = try MachineFixture.pages(leakCheck: true)
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 3))
        m.free(block, order: 3)
        #expect(m.run("test_tidy") { m.machine.checkLeaks(on: m.cpu) } == 0)
        #expect(m.reports.isEmpty)
    }

    @Test func withoutLeakCheckNothingIsReported() throws {
        let m = try MachineFixture.pages(leakCheck: false)
        defer { m.shutdown() }
        _ = try #require(m.alloc(order: 1))
        #expect(m.run("test_leaky") { m.machine.checkLeaks(on: m.cpu) } == 0)
        #expect(m.reports.isEmpty)
    }
}
