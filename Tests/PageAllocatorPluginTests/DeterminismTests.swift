import KernelMemory
import PageAllocatorPlugin
import Testing

/// The same program gets the same frames; the lowest free address is taken first.
@Suite struct DeterminismTests {
    static let program: [(alloc: Int, freeIndex: Int?)] = [
        (0, nil), (3, nil), (1, 0), (0, nil), (2, 1), (5, nil), (0, 3), (4, nil),
    ]

    static func run(_ m: PageMachine) -> [Int] {
        var live: [(PageFrameNumber, Int)] = [], seen: [Int] = []
        for step in program {
            if let pfn = m.alloc(order: step.alloc) {
                live.append((pfn, step.alloc))
                seen.append(pfn.index)
            }
            if let i = step.freeIndex { m.free(live[i].0, order: live[i].1) }
        }
        return seen
    }

    @Test func twoMachinesRunningOneProgramGetTheSameFrames() throws {
        let a = try PageMachine(), b = try PageMachine()
        defer { a.shutdown(); b.shutdown() }
        #expect(Self.run(a) == Self.run(b))
        #expect(a.allocator.freeBlocksPerOrder == b.allocator.freeBlocksPerOrder)
    }

    @Test func theLowestFreeBlockIsReusedFirst() throws {
        let m = try PageMachine()
        defer { m.shutdown() }
        let pages = (0..<4).compactMap { _ in m.alloc(order: 0) }
        #expect(pages.map(\.index) == [1536, 1537, 1538, 1539])
        m.free(pages[2])
        m.free(pages[0])
        #expect(m.alloc(order: 0) == pages[0])
        #expect(m.alloc(order: 0) == pages[2])
    }

    @Test func aFreshBlockIsSplitOnlyWhenNoSmallerOneIsFree() throws {
        let m = try PageMachine()
        defer { m.shutdown() }
        let first = try #require(m.alloc(order: 0))
        // The split left free buddies of orders 0..7 above `first`: an order-2 request takes
        // the order-2 buddy, not a piece of the order-9 or order-10 block.
        let quad = try #require(m.alloc(order: 2))
        #expect(quad.index == first.index + 4)
    }
}
