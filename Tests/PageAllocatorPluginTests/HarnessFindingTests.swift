import HarnessTesting
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// Misuse of `__free_pages` is a HARNESS finding naming the caller, and changes nothing.
@Suite struct HarnessFindingTests {
    @Test func aMatchingFreeReportsNothing() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 1))
        m.free(block, order: 1, in: "test_good_free")
        #expect(m.reports.isEmpty)
        #expect(m.allocator.freeFrames == 1792)
    }

    @Test func aDoubleFreeIsReportedAndChangesNothing() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 1))
        m.free(block, order: 1)
        let buddyInfo = m.allocator.freeBlocksPerOrder
        m.free(block, order: 1, in: "test_double_free")
        #expect(m.titles == ["HARNESS: double-free in test_double_free"])
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.allocator.freeBlocksPerOrder == buddyInfo)
    }

    @Test func aDoubleFreeAfterTheBlockMergedIsStillADoubleFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let a = try #require(m.alloc(order: 0)), b = try #require(m.alloc(order: 0))
        m.free(a)
        m.free(b)
        m.free(a, in: "test_double_free")
        #expect(m.titles == ["HARNESS: double-free in test_double_free"])
    }

    @Test func freeingWithTheWrongOrderIsAnInvalidFreeAndKeepsTheBlock() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 2))
        m.free(block, order: 1, in: "test_wrong_order")
        #expect(m.titles == ["HARNESS: invalid-free in test_wrong_order"])
        #expect(m.allocator.allocationOrder(of: block) == 2)
        #expect(m.allocator.freeFrames == 1792 - 4)
        m.free(block, order: 2)
        #expect(m.reports.count == 1)
        #expect(m.allocator.freeFrames == 1792)
    }

    @Test func freeingAFrameNeverAllocatedIsAnInvalidFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        m.free(PageFrameNumber(12), in: "test_never_allocated")
        #expect(m.titles == ["HARNESS: invalid-free in test_never_allocated"])
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.reports.first?.message.first?.contains("never allocated") == true)
    }

    @Test func freeingATailFrameIsAnInvalidFreeAndKeepsTheBlock() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let block = try #require(m.alloc(order: 2))
        m.free(block.advanced(by: 1), order: 0, in: "test_tail_free")
        #expect(m.titles == ["HARNESS: invalid-free in test_tail_free"])
        #expect(m.allocator.allocationOrder(of: block) == 2)
        #expect(m.allocator.blockHead(of: block.advanced(by: 1)) == block)
    }

    @Test func freeingABootReservedFrameIsAnInvalidFree() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        m.free(m.runtime.bootMemory.firstFrame, in: "test_boot_frame")
        m.free(PageFrameNumber(1 << 20), in: "test_boot_frame")
        #expect(m.titles == ["HARNESS: invalid-free in test_boot_frame", "HARNESS: invalid-free in test_boot_frame"])
        #expect(m.allocator.freeFrames == 1792)
    }

    @Test func freePagesByAddressNamesItsCaller() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let address = try #require(m.run("test_case") { m.allocator.getFreePages(.kernel, order: 0, on: m.cpu) })
        m.run("test_free_pages_twice") {
            m.allocator.freePages(address: address, order: 0, on: m.cpu)
            m.allocator.freePages(address: address, order: 0, on: m.cpu)
            m.allocator.freePages(address: VMALLOC_START, order: 0, on: m.cpu)
            m.allocator.freePages(address: .null, order: 0, on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: double-free in test_free_pages_twice", "HARNESS: invalid-free in test_free_pages_twice"])
    }
}
