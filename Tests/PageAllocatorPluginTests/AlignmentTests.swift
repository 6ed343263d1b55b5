import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Every block is naturally aligned, and live blocks never overlap.
@Suite struct AlignmentTests {
    @Test(arguments: 0...10) func everyOrderIsNaturallyAligned(order: Int) throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        // An order-0 page first, so that most orders come from a split block.
        _ = try #require(m.alloc(order: 0))
        let pfn = try #require(m.alloc(order: order))
        #expect(pfn.index % (1 << order) == 0)
        #expect(m.address(pfn).raw % UInt64(PAGE_SIZE << order) == 0)
        #expect(m.allocator.allocationOrder(of: pfn) == order)
    }

    @Test func liveBlocksOfMixedOrdersNeverOverlap() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        var ranges: [Range<Int>] = []
        for order in [2, 0, 5, 1, 0, 3, 7, 0, 4, 2, 6] {
            let pfn = try #require(m.alloc(order: order))
            ranges.append(pfn.index..<(pfn.index + (1 << order)))
        }
        for (i, a) in ranges.enumerated() {
            for b in ranges[(i + 1)...] { #expect(!a.overlaps(b)) }
        }
        #expect(m.allocator.freeFrames == 1792 - ranges.map(\.count).reduce(0, +))
    }
}
