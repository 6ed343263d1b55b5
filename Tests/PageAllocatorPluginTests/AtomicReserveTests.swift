import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// The min watermark: a reserve only `__GFP_HIGH` (GFP_ATOMIC) allocations may take.
@Suite struct AtomicReserveTests {
    @Test func theReserveIsOneSixtyFourthOfManagedMemory() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(m.allocator.minWatermark == 1792 / 64)
        // ALLOC_MIN_RESERVE halves it; ALLOC_NON_BLOCK takes a further quarter.
        #expect(m.allocator.minimumFreeFrames(for: .kernel) == 28)
        #expect(m.allocator.minimumFreeFrames(for: .atomic) == 11)
        #expect(m.allocator.minimumFreeFrames(for: [.kernel, .high]) == 14)
        #expect(m.allocator.minimumFreeFrames(for: .noWait) == 28)
    }

    @Test func gfpKernelStopsAtTheWatermark() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let pages = m.allocateUntilFailure(.kernel)
        #expect(pages.count == 1792 - 28)
        #expect(m.allocator.freeFrames == 28)
        #expect(m.alloc([.kernel, .noWarn]) == nil)
    }

    @Test func gfpAtomicDipsIntoTheReserve() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = m.allocateUntilFailure(.kernel)
        let reserve = m.allocateUntilFailure(.atomic)
        #expect(reserve.count == 28 - 11)
        #expect(m.allocator.freeFrames == 11)
    }

    @Test func gfpNowaitHasNoAccessToTheReserve() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        _ = m.allocateUntilFailure(.kernel)
        #expect(m.allocateUntilFailure(.noWait).isEmpty)
        #expect(m.allocator.freeFrames == 28)
    }
}
