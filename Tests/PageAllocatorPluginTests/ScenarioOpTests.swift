import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// The page allocator's scenario ops, run as a scenario would run them.
@Suite struct ScenarioOpTests {
    @Test func thePluginListsItsOpsWithSignatures() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(m.machine.plugins.map(\.name) == ["page-allocator"])
        #expect(m.machine.ops.map(\.signature) == [
            "alloc_pages(gfp, order)", "__free_pages(page, order)", "page_address(page)", "virt_to_page(addr)",
            "copy_highpage(dst, src)", "__get_free_pages(gfp, order)", "free_pages(addr, order)",
        ])
        #expect(m.machine.ops.allSatisfy { !$0.help.isEmpty && !$0.help.contains("\n") })
        #expect(m.machine.op(named: "alloc_pages")?.parameters.map(\.kind) == [.gfp, .integer])
    }

    @Test func allocPagesReturnsAPageHandleThatRoundTrips() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(try m.op("alloc_pages", [.gfp(.kernel), .int(1)]))
        #expect(AddressRegion.vmemmap.contains(KernelAddress(page.value)))
        let address = try #require(try m.op("page_address", [.value(page)]))
        #expect(AddressRegion.directMap.contains(KernelAddress(address.value)))
        #expect(try m.op("virt_to_page", [.value(address)]) == page)
        let pfn = try #require(m.space.frame(ofPageHandle: KernelAddress(page.value)))
        #expect(m.allocator.allocationOrder(of: pfn) == 1)
        try m.op("__free_pages", [.value(page), .int(1)])
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.reports.isEmpty)
    }

    @Test func aFailedAllocPagesReturnsNull() throws {
        let m = try MachineFixture.pages(failureInjection: .nthAllocation(1))
        defer { m.shutdown() }
        #expect(try m.op("alloc_pages", [.gfp(.kernel), .int(0)])?.value == 0)
        #expect(try m.op("__get_free_pages", [.gfp(.kernel), .int(0)])?.value != 0)
    }

    @Test func getFreePagesAndFreePagesWorkOnAddresses() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let address = try #require(try m.op("__get_free_pages", [.gfp([.kernel, .zero]), .int(2)]))
        let pfn = try #require(m.space.directMapFrame(KernelAddress(address.value)))
        #expect(m.allocator.allocationOrder(of: pfn) == 2)
        try m.op("free_pages", [.value(address), .int(2)])
        try m.op("free_pages", [.pointer(.null), .int(2)])
        #expect(m.allocator.freeFrames == 1792)
        #expect(m.reports.isEmpty)
    }

    @Test func aDoubleFreeThroughTheOpsNamesTheScenario() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let page = try #require(try m.op("alloc_pages", [.gfp(.kernel), .int(0)]))
        try m.run("test_ops_double_free") { try m.op("__free_pages", [.value(page), .int(0)]) }
        try m.run("test_ops_double_free") { try m.op("__free_pages", [.value(page), .int(0)]) }
        let address = try #require(try m.op("__get_free_pages", [.gfp(.kernel), .int(0)]))
        try m.run("test_ops_wrong_order") { try m.op("free_pages", [.value(address), .int(1)]) }
        #expect(m.titles == ["HARNESS: double-free in test_ops_double_free", "HARNESS: invalid-free in test_ops_wrong_order"])
    }

    @Test func copyHighpageCopiesMetadataBetweenHandles() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let src = try #require(try m.op("alloc_pages", [.gfp(.kernel), .int(0)]))
        let dst = try #require(try m.op("alloc_pages", [.gfp([.kernel, .zero]), .int(0)]))
        try m.op("copy_highpage", [.value(dst), .value(src)])
        let address = try #require(try m.op("page_address", [.value(dst)]))
        m.loadAndUse(KernelAddress(address.value) + 40, in: "test_ops_copy_highpage")
        #expect(m.titles == ["KMSAN: uninit-value in test_ops_copy_highpage"])
    }

    @Test func aHandleNamingNoFrameIsAHarnessFinding() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        let bogus = OpArgument.pointer(VMEMMAP_START + 3)
        let good = try #require(try m.op("alloc_pages", [.gfp(.kernel), .int(0)]))
        try m.run("test_bogus_page") { try m.op("__free_pages", [bogus, .int(0)]) }
        try m.run("test_bogus_page") { try m.op("__free_pages", [.pointer(.null), .int(0)]) }
        #expect(try m.run("test_bogus_page") { try m.op("page_address", [bogus]) }?.value == 0)
        try m.run("test_bogus_page") { try m.op("copy_highpage", [.value(good), bogus]) }
        #expect(try m.run("test_bogus_page") { try m.op("virt_to_page", [.pointer(VMALLOC_START)]) }?.value == 0)
        #expect(m.titles == [
            "HARNESS: invalid-free in test_bogus_page", "HARNESS: invalid-free in test_bogus_page",
            "HARNESS: bad-access in test_bogus_page", "HARNESS: bad-access in test_bogus_page",
            "HARNESS: bad-access in test_bogus_page",
        ])
    }

    @Test func anArgumentOfTheWrongKindIsAnOpError() throws {
        let m = try MachineFixture.pages()
        defer { m.shutdown() }
        #expect(throws: OpError.self) { try m.op("alloc_pages", [.string("GFP_KERNEL"), .int(0)]) }
        #expect(throws: OpError.self) { try m.op("__free_pages", [.pointer(VMEMMAP_START)]) }
        #expect(m.reports.isEmpty)
        #expect(m.allocator.freeFrames == 1792)
    }
}
