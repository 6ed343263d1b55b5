import HarnessTesting
import KernelMemory
import PageAllocatorPlugin
import Testing

/// `__GFP_COMP` marks a compound block; every block's order is recorded either way.
@Suite struct CompoundPageTests {
    @Test func gfpCompMakesACompoundBlockWithItsOrder() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let head = try #require(m.alloc([.kernel, .comp], order: 3))
        #expect(m.allocator.isCompoundHead(head))
        #expect(m.allocator.allocationOrder(of: head) == 3)
        #expect(m.allocator.blockHead(of: head.advanced(by: 7)) == head)
        #expect(m.allocator.allocationOrder(of: head.advanced(by: 1)) == nil)
    }

    @Test func withoutGFPCompTheBlockIsPlainButItsOrderIsRecorded() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let head = try #require(m.alloc(.kernel, order: 3))
        #expect(!m.allocator.isCompoundHead(head))
        #expect(m.allocator.allocationOrder(of: head) == 3)
        #expect(m.allocator.blockHead(of: head.advanced(by: 7)) == head)
    }

    @Test func anOrderZeroPageIsNeverCompound() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(m.alloc([.kernel, .comp], order: 0))
        #expect(!m.allocator.isCompoundHead(page))
        #expect(m.allocator.allocationOrder(of: page) == 0)
    }

    @Test func freeingACompoundBlockForgetsIt() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let head = try #require(m.alloc([.kernel, .comp], order: 2))
        m.free(head, order: 2)
        #expect(!m.allocator.isCompoundHead(head))
        #expect(m.allocator.blockHead(of: head) == nil)
        #expect(m.reports.isEmpty)
    }
}
