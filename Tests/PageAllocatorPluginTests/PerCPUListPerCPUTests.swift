import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Each CPU has its own per-CPU page lists: a page freed on CPU 1 waits on CPU 1's lists and is
/// what CPU 1 allocates next, not CPU 0.
@Suite struct PerCPUListPerCPUTests {
    /// A machine, its CPU 1, and a page CPU 0 allocated and CPU 1 freed.
    func pageFreedOnCPU1() throws -> (MachineFixture, KernelCPU, PageFrameNumber) {
        let m = try MachineFixture.pages()
        let cpu1 = m.machine.makeCPU(id: 1, comm: "kworker/1:1")
        guard let page = m.alloc() else {
            m.shutdown()
            throw FixtureError()
        }
        m.run("on_cpu1") { m.allocator.freePages(page, order: 0, on: cpu1) }
        return (m, cpu1, page)
    }

    /// The fixture's allocation failed.
    struct FixtureError: Error {}

    @Test func aPageFreedOnOneCPUIsThatCPUsNextAllocation() throws {
        let (m, cpu1, page) = try pageFreedOnCPU1()
        defer { m.shutdown() }
        #expect(m.allocator.perCPUFrames(onCPU: 1) == 1)
        #expect(m.allocator.perCPUFrames(onCPU: 0) == 0)
        let again = m.run("on_cpu1") { m.allocator.allocPages(.kernel, order: 0, on: cpu1) }
        #expect(again == page)
        #expect(m.reports.isEmpty)
    }

    /// Twin: CPU 0 allocates from its own (empty, so refilled) lists and gets another page.
    @Test func anotherCPUDoesNotGetIt() throws {
        let (m, cpu1, page) = try pageFreedOnCPU1()
        defer { m.shutdown() }
        let other = try #require(m.alloc())
        #expect(other != page)
        #expect(m.allocator.perCPUFrames(onCPU: 1) == 1)
        // A drain returns every CPU's lists.
        m.allocator.drainPages()
        #expect(m.allocator.perCPUFrames == 0)
    }
}
