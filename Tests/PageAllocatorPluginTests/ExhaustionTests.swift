import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Running out of simulated memory is an allocation failure (nil), never a crash.
@Suite struct ExhaustionTests {
    @Test func exhaustionReturnsNilAndFreeingRestoresEverything() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        var pages = m.allocateUntilFailure(.atomic)
        #expect(pages.count == 1792 - 11)
        #expect(m.alloc([.atomic, .noWarn]) == nil)
        #expect(m.alloc([.kernel, .noWarn], order: 3) == nil)
        #expect(m.reports.isEmpty)
        pages.reverse()
        for pfn in pages { m.free(pfn) }
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.alloc(order: 10) == PageFrameNumber(0))
    }

    @Test func aHighOrderRequestFailsWhenMemoryIsFragmentedButNotFull() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let pages = m.allocateUntilFailure(.kernel)
        // The pages were handed out from the bottom of each boot block, so pfns 996-1023 are
        // still free (at most order 4). Free every other page: half the memory is free, but no
        // two of the freed frames are buddies.
        for pfn in pages where pfn.index % 2 == 0 { m.free(pfn) }
        #expect(m.allocator.freeFrames > 800)
        #expect(m.alloc([.kernel, .noWarn], order: 5) == nil)
        #expect(m.alloc([.kernel, .noWarn], order: 4) == PageFrameNumber(1008))
        #expect(m.alloc([.kernel, .noWarn], order: 0) == PageFrameNumber(0))
    }

    @Test func theSmallestMachineStillHasAnAllocator() throws {
        let m = try MachineFixture.pages(memory: 1 << 20)
        defer { m.shutdown() }
        // 256 frames, a quarter kept for boot memory.
        #expect(m.allocator.managedFrames == 192)
        #expect(m.allocateUntilFailure(.atomic).count == 192 - m.allocator.minimumFreeFrames(for: .atomic))
    }
}
