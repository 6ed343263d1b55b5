import KMSAN
import KernelMemory

extension StandardOps {
    /// The largest vmalloc request the ops take: more than any simulated machine has.
    static let vmallocSizes: ClosedRange<Int64> = 0...(64 << 20)

    /// The vmalloc subsystem's ops (mm/vmalloc.c), against `VmallocSubsystem`.
    static let vmalloc: [ScenarioOp] = [
        ScenarioOp("vmalloc", [.init("size", .integer, range: vmallocSizes)], returnsValue: true, result: .vmallocArea,
                   help: "a virtually contiguous area of fresh (uninitialized) pages, plus a guard page; NULL on failure") {
            inv throws(OpError) in
            .pointer(try vmallocSubsystem(inv).vmalloc(try inv.size(0), on: inv.cpu) ?? .null)
        },
        ScenarioOp("vzalloc", [.init("size", .integer, range: vmallocSizes)], returnsValue: true, result: .vmallocArea,
                   help: "vmalloc of zeroed, initialized pages") { inv throws(OpError) in
            .pointer(try vmallocSubsystem(inv).vzalloc(try inv.size(0), on: inv.cpu) ?? .null)
        },
        ScenarioOp("__vmalloc", [.init("size", .integer, range: vmallocSizes), .init("gfp", .gfp)], returnsValue: true,
                   result: .vmallocArea, help: "vmalloc with gfp flags (__GFP_ZERO: initialized)") { inv throws(OpError) in
            .pointer(try vmallocSubsystem(inv).vmalloc(try inv.size(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("vfree", [.init("addr", .pointer, resource: .vmallocArea)], returnsValue: false,
                   help: "free a vmalloc area (its pages go back at once; the address range at the lazy purge)") {
            inv throws(OpError) in
            try vmallocSubsystem(inv).vfree(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("vmap", [.init("page", .pointer, resource: .page)], isVariadic: true, returnsValue: true, result: .vmapArea,
                   help: "map struct page pointers at a new virtual range; the alias shares the pages' KMSAN metadata") {
            inv throws(OpError) in
            var pages: [KernelAddress] = []
            for i in inv.arguments.indices { pages.append(try inv.pointer(i)) }
            return .pointer(try vmallocSubsystem(inv).vmap(pages, on: inv.cpu) ?? .null)
        },
        ScenarioOp("vunmap", [.init("addr", .pointer, resource: .vmapArea)], returnsValue: false,
                   help: "remove a vmap alias (the pages stay allocated)") { inv throws(OpError) in
            try vmallocSubsystem(inv).vunmap(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("ioremap", [.init("phys", .integer), .init("size", .integer, range: vmallocSizes)], returnsValue: true,
                   result: .ioremapArea, help: "map device memory outside RAM; it gets fresh zeroed (initialized) metadata") {
            inv throws(OpError) in
            .pointer(try vmallocSubsystem(inv).ioremap(try inv.value(0).value, size: try inv.size(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("iounmap", [.init("addr", .pointer, resource: .ioremapArea)], returnsValue: false,
                   help: "unmap device memory and free its metadata") { inv throws(OpError) in
            try vmallocSubsystem(inv).iounmap(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("vm_unmap_aliases", [], returnsValue: false,
                   help: "purge lazily freed areas now (their address ranges and KASAN shadow are released)") {
            inv throws(OpError) in
            try vmallocSubsystem(inv).vmUnmapAliases(on: inv.cpu)
            return nil
        },
        ScenarioOp("vmalloc_to_page", [.init("addr", .pointer, resource: .address)], returnsValue: true, result: .page,
                   help: "the struct page pointer behind a vmalloc address (NULL if none)") { inv throws(OpError) in
            .pointer(try vmallocSubsystem(inv).vmallocToPage(try inv.pointer(0), on: inv.cpu))
        },
    ]

    /// The machine's vmalloc subsystem, or an `OpError` naming the missing plugin.
    private static func vmallocSubsystem(_ inv: OpInvocation) throws(OpError) -> any VmallocSubsystem {
        try inv.subsystem(.vmalloc)
    }
}
