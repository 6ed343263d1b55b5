import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// `__GFP_ZERO` clears the data and gives initialized metadata; without it the data is left
/// as it was and the metadata is poisoned.
@Suite struct GFPZeroTests {
    /// Allocates a page, scribbles 0xab over its data (raw, as a device would) and frees it,
    /// so the next order-0 allocation gets a dirty page back.
    static func dirtyPage(_ m: MachineFixture) throws -> PageFrameNumber {
        let pfn = try #require(m.alloc(order: 0))
        try m.space.writeBytes([UInt8](repeating: 0xab, count: PAGE_SIZE), at: m.address(pfn))
        m.free(pfn)
        return pfn
    }

    @Test func gfpZeroClearsTheDataAndInitializesTheMetadata() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let dirty = try Self.dirtyPage(m)
        let pfn = try #require(m.alloc([.kernel, .zero]))
        #expect(pfn == dirty)
        #expect(try m.space.readBytes(m.address(pfn), count: PAGE_SIZE).allSatisfy { $0 == 0 })
        #expect(m.shadow(m.address(pfn) + 17) == 0)
        #expect(m.origin(m.address(pfn) + 16).isNone)
    }

    @Test func withoutGFPZeroTheOldDataStaysAndIsPoisoned() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let dirty = try Self.dirtyPage(m)
        let pfn = try #require(m.alloc(.kernel))
        #expect(pfn == dirty)
        #expect(try m.space.readBytes(m.address(pfn), count: PAGE_SIZE).allSatisfy { $0 == 0xab })
        #expect(m.shadow(m.address(pfn) + 17) == 0xff)
        #expect(!m.origin(m.address(pfn) + 16).isNone)
    }

    @Test func gfpZeroCoversEveryPageOfAHighOrderBlock() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 2))
        try m.space.writeBytes([UInt8](repeating: 0xab, count: 4 * PAGE_SIZE), at: m.address(block))
        m.free(block, order: 2)
        let again = try #require(m.alloc([.kernel, .zero], order: 2))
        #expect(again == block)
        #expect(try m.space.readBytes(m.address(again), count: 4 * PAGE_SIZE).allSatisfy { $0 == 0 })
        #expect(m.shadow(m.address(again) + 3 * PAGE_SIZE + 4095) == 0)
    }
}
