import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// The same program gets the same frames; the lowest free address is taken first.
@Suite struct DeterminismTests {
    static let program: [(alloc: Int, freeIndex: Int?)] = [
        (0, nil), (3, nil), (1, 0), (0, nil), (2, 1), (5, nil), (0, 3), (4, nil),
    ]

    static func run(_ m: MachineFixture) -> [Int] {
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
        let a = try MachineFixture.pages(), b = try MachineFixture.pages()
        defer { a.shutdown(); b.shutdown() }
        #expect(Self.run(a) == Self.run(b))
        #expect(a.allocator.freeBlocksPerOrder == b.allocator.freeBlocksPerOrder)
    }

    /// Above PAGE_ALLOC_COSTLY_ORDER blocks go straight back to the buddy lists, which hand
    /// out the lowest block first, whatever the order of the frees.
    @Test func theLowestFreeBuddyBlockIsReusedFirst() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let blocks = (0..<4).compactMap { _ in m.alloc(order: 4) }
        #expect(blocks.map(\.index) == [1536, 1552, 1568, 1584])
        m.free(blocks[2], order: 4)
        m.free(blocks[0], order: 4)
        #expect(m.alloc(order: 4) == blocks[0])
        #expect(m.alloc(order: 4) == blocks[2])
    }

    /// A program mixing per-CPU orders, high orders, bulk frees and drains.
    static func pcpProgram(_ m: MachineFixture) -> [Int] {
        var seen: [Int] = [], live: [(PageFrameNumber, Int)] = []
        for round in 0..<6 {
            for i in 0..<30 {
                let order = (i * 7 + round) % 5
                if let pfn = m.alloc(order: order) { live.append((pfn, order)); seen.append(pfn.index) }
            }
            for (k, (pfn, order)) in live.enumerated().reversed() where (k + round) % 3 != 0 {
                m.free(pfn, order: order)
                live.remove(at: k)
            }
            if round == 3 { m.allocator.drainPages() }
        }
        if let pfn = m.alloc(order: 9) { seen.append(pfn.index) }
        return seen + m.allocator.freeBlocksPerOrder + m.allocator.perCPUBlocksPerOrder
    }

    @Test func twoMachinesGetTheSameFramesThroughThePerCPULists() throws {
        let a = try MachineFixture.pages(), b = try MachineFixture.pages()
        defer { a.shutdown(); b.shutdown() }
        #expect(Self.pcpProgram(a) == Self.pcpProgram(b))
        #expect(a.reports.isEmpty && b.reports.isEmpty)
    }

    @Test func theOrderOfFreesDecidesWhichPerCPUFrameComesBack() throws {
        let a = try MachineFixture.pages(), b = try MachineFixture.pages()
        defer { a.shutdown(); b.shutdown() }
        let pa = (0..<2).compactMap { _ in a.alloc() }, pb = (0..<2).compactMap { _ in b.alloc() }
        #expect(pa == pb)
        a.free(pa[0]); a.free(pa[1])
        b.free(pb[1]); b.free(pb[0])
        #expect(a.alloc() != b.alloc())
    }

    @Test func aFreshBlockIsSplitOnlyWhenNoSmallerOneIsFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let first = try #require(m.alloc(order: 0))
        // The split left free buddies of orders 0..7 above `first`: an order-2 request takes
        // the order-2 buddy, not a piece of the order-9 or order-10 block.
        let quad = try #require(m.alloc(order: 2))
        #expect(quad.index == first.index + 4)
    }
}
