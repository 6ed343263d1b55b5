import HarnessCore
import KMSAN
import KernelMemory

extension PageAllocatorPlugin {
    /// The ops, with the kernel's names and argument order. Pages are `struct page *` handles
    /// (vmemmap addresses); a handle that names no frame is a HARNESS finding (`invalid-free`
    /// for frees, `bad-access` for uses), while an argument of the wrong kind is an `OpError`.
    static let scenarioOps: [ScenarioOp] = [
        ScenarioOp("alloc_pages", [.init("gfp", .gfp), .init("order", .integer)], returnsValue: true,
                   help: "allocate 2^order pages; returns the struct page pointer (0 on failure)") { inv throws(OpError) in
            let allocator = try allocator(inv)
            let pfn = allocator.allocPages(try inv.gfp(0), order: try inv.integer(1), on: inv.cpu)
            return .pointer(pfn.map { allocator.runtime.addressSpace.pageHandle(of: $0) } ?? .null)
        },
        ScenarioOp("__free_pages", [.init("page", .pointer), .init("order", .integer)], returnsValue: false,
                   help: "free 2^order pages allocated by alloc_pages with the same order") { inv throws(OpError) in
            let allocator = try allocator(inv)
            let handle = try inv.pointer(0), order = try inv.integer(1)
            guard let pfn = allocator.runtime.addressSpace.frame(ofPageHandle: handle) else {
                allocator.reportBadPageHandle(.invalidFree, handle, in: allocator.sites.freePages, function: "__free_pages", on: inv.cpu)
                return nil
            }
            allocator.freePages(pfn, order: order, on: inv.cpu)
            return nil
        },
        ScenarioOp("page_address", [.init("page", .pointer)], returnsValue: true,
                   help: "the direct-map address of a page") { inv throws(OpError) in
            let allocator = try allocator(inv)
            let handle = try inv.pointer(0)
            guard let pfn = allocator.runtime.addressSpace.frame(ofPageHandle: handle) else {
                allocator.runtime.reportHarnessFinding(
                    .badAccess, "page_address: \(handle) is not a struct page pointer of this machine", on: inv.cpu, address: handle)
                return .pointer(.null)
            }
            return .pointer(allocator.runtime.addressSpace.directMapAddress(of: pfn))
        },
        ScenarioOp("virt_to_page", [.init("addr", .pointer)], returnsValue: true,
                   help: "the struct page pointer of a direct-map address") { inv throws(OpError) in
            let allocator = try allocator(inv)
            let address = try inv.pointer(0)
            guard let pfn = allocator.runtime.addressSpace.directMapFrame(address) else {
                allocator.runtime.reportHarnessFinding(
                    .badAccess, "virt_to_page: \(address) is not a direct-map address", on: inv.cpu, address: address)
                return .pointer(.null)
            }
            return .pointer(allocator.runtime.addressSpace.pageHandle(of: pfn))
        },
        ScenarioOp("copy_highpage", [.init("dst", .pointer), .init("src", .pointer)], returnsValue: false,
                   help: "copy a page's data and KMSAN metadata (struct page pointers)") { inv throws(OpError) in
            let allocator = try allocator(inv)
            allocator.copyHighPage(toHandle: try inv.pointer(0), fromHandle: try inv.pointer(1), on: inv.cpu)
            return nil
        },
        ScenarioOp("__get_free_pages", [.init("gfp", .gfp), .init("order", .integer)], returnsValue: true,
                   help: "allocate 2^order pages; returns their address (0 on failure)") { inv throws(OpError) in
            let allocator = try allocator(inv)
            return .pointer(allocator.getFreePages(try inv.gfp(0), order: try inv.integer(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("free_pages", [.init("addr", .pointer), .init("order", .integer)], returnsValue: false,
                   help: "free 2^order pages by address (0 does nothing)") { inv throws(OpError) in
            let allocator = try allocator(inv)
            allocator.freePages(address: try inv.pointer(0), order: try inv.integer(1), on: inv.cpu)
            return nil
        },
    ]

    /// The machine's buddy allocator, or an `OpError` if it has none.
    private static func allocator(_ inv: OpInvocation) throws(OpError) -> BuddyAllocator {
        guard let allocator = inv.machine.pageAllocator as? BuddyAllocator else {
            throw OpError("the page allocator ops need the page-allocator plugin's allocator")
        }
        return allocator
    }
}
