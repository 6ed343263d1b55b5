import KMSAN
import KernelMemory

extension StandardOps {
    /// MAX_PAGE_ORDER: the orders a generator should use.
    static let orders: ClosedRange<Int64> = 0...10

    /// The page allocator's ops. Pages are `struct page *` handles (vmemmap addresses).
    static let pageAllocator: [ScenarioOp] = [
        ScenarioOp("alloc_pages", [.init("gfp", .gfp), .init("order", .integer, range: orders)], returnsValue: true, result: .page,
                   help: "allocate 2^order pages; returns the struct page pointer (0 on failure)") { inv throws(OpError) in
            let pages = try pageAllocator(inv)
            let pfn = pages.allocPages(try inv.gfp(0), order: try inv.integer(1), on: inv.cpu)
            return .pointer(pfn.map { inv.runtime.addressSpace.pageHandle(of: $0) } ?? .null)
        },
        ScenarioOp("__free_pages", [.init("page", .pointer, resource: .page), .init("order", .integer, range: orders)], returnsValue: false,
                   help: "free 2^order pages allocated by alloc_pages with the same order") { inv throws(OpError) in
            let pages = try pageAllocator(inv)
            pages.freePages(handle: try inv.pointer(0), order: try inv.integer(1), on: inv.cpu)
            return nil
        },
        ScenarioOp("page_address", [.init("page", .pointer, resource: .page)], returnsValue: true, result: .pageAddress,
                   help: "the direct-map address of a page") { inv throws(OpError) in
            _ = try pageAllocator(inv)
            let handle = try inv.pointer(0)
            guard let pfn = inv.runtime.addressSpace.frame(ofPageHandle: handle) else {
                inv.runtime.reportHarnessFinding(
                    .badAccess, "page_address: \(handle) is not a struct page pointer of this machine", on: inv.cpu, address: handle)
                return .pointer(.null)
            }
            return .pointer(inv.runtime.addressSpace.directMapAddress(of: pfn))
        },
        ScenarioOp("virt_to_page", [.init("addr", .pointer, resource: .address)], returnsValue: true, result: .page,
                   help: "the struct page pointer of a direct-map address") { inv throws(OpError) in
            _ = try pageAllocator(inv)
            let address = try inv.pointer(0)
            guard let pfn = inv.runtime.addressSpace.directMapFrame(address) else {
                inv.runtime.reportHarnessFinding(
                    .badAccess, "virt_to_page: \(address) is not a direct-map address", on: inv.cpu, address: address)
                return .pointer(.null)
            }
            return .pointer(inv.runtime.addressSpace.pageHandle(of: pfn))
        },
        ScenarioOp("copy_highpage", [.init("dst", .pointer, resource: .page), .init("src", .pointer, resource: .page)],
                   returnsValue: false, help: "copy a page's data and KMSAN metadata (struct page pointers)") { inv throws(OpError) in
            let pages = try pageAllocator(inv)
            pages.copyHighPage(toHandle: try inv.pointer(0), fromHandle: try inv.pointer(1), on: inv.cpu)
            return nil
        },
        ScenarioOp("__get_free_pages", [.init("gfp", .gfp), .init("order", .integer, range: orders)], returnsValue: true,
                   result: .pageAddress, help: "allocate 2^order pages; returns their address (0 on failure)") { inv throws(OpError) in
            let pages = try pageAllocator(inv)
            return .pointer(pages.getFreePages(try inv.gfp(0), order: try inv.integer(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("free_pages", [.init("addr", .pointer, resource: .pageAddress), .init("order", .integer, range: orders)],
                   returnsValue: false, help: "free 2^order pages by address (0 does nothing)") { inv throws(OpError) in
            let pages = try pageAllocator(inv)
            pages.freePages(address: try inv.pointer(0), order: try inv.integer(1), on: inv.cpu)
            return nil
        },
    ]

    /// The machine's page allocator, or an `OpError` naming the missing subsystem.
    private static func pageAllocator(_ inv: OpInvocation) throws(OpError) -> any PageAllocatorSubsystem {
        try inv.subsystem(.pageAllocator)
    }
}
