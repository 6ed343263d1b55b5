import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Each CPU has its own per-CPU page lists: a page freed on CPU 1 waits on CPU 1's lists and is
/// what CPU 1 allocates next, not CPU 0.
@Suite struct PerCPUListPerCPUTests {
    @Test func aPageFreedOnOneCPUIsThatCPUsNextAllocation() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let cpu1 = m.machine.makeCPU(id: 1, comm: "kworker/1:1")
        let page = try #require(m.alloc())
        m.run("on_cpu1") { m.allocator.freePages(page, order: 0, on: cpu1) }
        #expect(m.allocator.perCPUFrames(onCPU: 1) == 1)
        #expect(m.allocator.perCPUFrames(onCPU: 0) == 0)
        let again = m.run("on_cpu1") { m.allocator.allocPages(.kernel, order: 0, on: cpu1) }
        #expect(again == page)
        #expect(m.reports.isEmpty)
    }

    /// Twin: CPU 0 allocates from its own (empty, so refilled) lists and gets another page.
    @Test func anotherCPUDoesNotGetIt() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let cpu1 = m.machine.makeCPU(id: 1, comm: "kworker/1:1")
        let page = try #require(m.alloc())
        m.run("on_cpu1") { m.allocator.freePages(page, order: 0, on: cpu1) }
        let other = try #require(m.alloc())
        #expect(other != page)
        #expect(m.allocator.perCPUFrames(onCPU: 1) == 1)
        // A drain returns every CPU's lists.
        m.allocator.drainPages()
        #expect(m.allocator.perCPUFrames == 0)
    }
}
