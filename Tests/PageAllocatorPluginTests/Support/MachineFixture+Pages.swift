import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin

/// The page allocator tests' machine: the shared fixture with only the page allocator plugin.
///
/// With 8 MiB and the default 256-frame boot reservation the allocator manages 1792 frames,
/// which start out as one free block each of orders 10 (pfn 0), 9 (pfn 1024) and 8 (pfn 1536).
extension MachineFixture {
    /// A fresh machine (8 MiB by default) with only `PageAllocatorPlugin(failureInjection:)`.
    static func pages(memory: Int = 8 << 20, leakCheck: Bool = false, failureInjection: FailureInjection = .none) throws -> MachineFixture {
        try MachineFixture(plugins: [PageAllocatorPlugin(failureInjection: failureInjection)], memory: memory, leakCheck: leakCheck)
    }

    /// The buddy allocator under test (`pages()` always installs one).
    var allocator: BuddyAllocator { machine.buddyAllocator! }

    /// `alloc_pages` from the test function `name`.
    func alloc(_ gfp: GFPFlags = .kernel, order: Int = 0, in name: String = "test_case") -> PageFrameNumber? {
        run(name) { allocator.allocPages(gfp, order: order, on: cpu) }
    }

    /// `__free_pages` from the test function `name`.
    func free(_ pfn: PageFrameNumber, order: Int = 0, in name: String = "test_case") {
        run(name) { allocator.freePages(pfn, order: order, on: cpu) }
    }

    /// The direct-map address of a frame.
    func address(_ pfn: PageFrameNumber) -> KernelAddress { space.directMapAddress(of: pfn) }

    /// Loads a byte and branches on it, as `USE(*(char *)address)` in the test function `name`.
    func loadAndUse(_ address: KernelAddress, in name: String) {
        run(name) { runtime.branch(on: runtime.load(.bits8, from: address, on: cpu), on: cpu) }
    }

    /// Allocates order-0 pages with `gfp` until one fails; returns the pages.
    func allocateUntilFailure(_ gfp: GFPFlags) -> [PageFrameNumber] {
        var pages: [PageFrameNumber] = []
        while let pfn = alloc(gfp.union(.noWarn)) { pages.append(pfn) }
        return pages
    }
}
