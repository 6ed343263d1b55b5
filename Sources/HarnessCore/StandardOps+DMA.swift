import KMSAN
import KernelMemory

extension StandardOps {
    /// DMA sizes worth generating.
    static let dmaSizes: ClosedRange<Int64> = 0...65536

    /// The DMA subsystem's ops (kernel/dma/mapping.c), against `DMASubsystem`. Handles are
    /// `dma_addr_t` values; DMA_MAPPING_ERROR is all ones.
    static let dma: [ScenarioOp] = [
        ScenarioOp("dma_device", [.init("name", .string)], returnsValue: true, result: .dmaDevice,
                   help: "a new struct device with a 64-bit DMA mask") { inv throws(OpError) in
            .pointer(try dmaSubsystem(inv).device(named: try inv.string(0), mask: 64, on: inv.cpu))
        },
        ScenarioOp("dma_set_mask", [.init("dev", .pointer, resource: .dmaDevice), .init("bits", .integer, range: 1...64)],
                   returnsValue: true, help: "dma_set_mask(dev, DMA_BIT_MASK(bits)): 0, or -EIO") { inv throws(OpError) in
            .integer(try dmaSubsystem(inv).setMask(try inv.pointer(0), bits: try inv.integer(1), on: inv.cpu))
        },
        ScenarioOp("dma_map_single", [.init("dev", .pointer, resource: .dmaDevice), .init("addr", .pointer, resource: .address),
                                      .init("size", .integer, range: dmaSizes), .init("dir", .dmaDirection)],
                   returnsValue: true, result: .dmaHandle,
                   help: "map for DMA: kmsan_handle_dma checks (TO_DEVICE), unpoisons (FROM_DEVICE) or both (BIDIRECTIONAL)") {
            inv throws(OpError) in
            .initialized(try dmaSubsystem(inv).mapSingle(try inv.pointer(0), try inv.pointer(1), size: try inv.size(2),
                                                          direction: try direction(inv, 3), on: inv.cpu), width: .bits64)
        },
        ScenarioOp("dma_unmap_single", [.init("dev", .pointer, resource: .dmaDevice), .init("handle", .integer, resource: .dmaHandle),
                                        .init("size", .integer, range: dmaSizes), .init("dir", .dmaDirection)],
                   returnsValue: false, help: "unmap (no KMSAN effect); dma-debug checks size, direction and function") {
            inv throws(OpError) in
            try dmaSubsystem(inv).unmapSingle(try inv.pointer(0), try inv.value(1).value, size: try inv.size(2),
                                              direction: try direction(inv, 3), on: inv.cpu)
            return nil
        },
        ScenarioOp("dma_map_page", [.init("dev", .pointer, resource: .dmaDevice), .init("page", .pointer, resource: .page),
                                    .init("offset", .integer, range: 0...4095), .init("size", .integer, range: dmaSizes),
                                    .init("dir", .dmaDirection)],
                   returnsValue: true, result: .dmaHandle, help: "map part of a page for DMA (the same KMSAN rule)") {
            inv throws(OpError) in
            .initialized(try dmaSubsystem(inv).mapPage(try inv.pointer(0), try inv.pointer(1), offset: try inv.integer(2),
                                                        size: try inv.size(3), direction: try direction(inv, 4), on: inv.cpu),
                         width: .bits64)
        },
        ScenarioOp("dma_unmap_page", [.init("dev", .pointer, resource: .dmaDevice), .init("handle", .integer, resource: .dmaHandle),
                                      .init("size", .integer, range: dmaSizes), .init("dir", .dmaDirection)],
                   returnsValue: false, help: "unmap a page mapping") { inv throws(OpError) in
            try dmaSubsystem(inv).unmapPage(try inv.pointer(0), try inv.value(1).value, size: try inv.size(2),
                                            direction: try direction(inv, 3), on: inv.cpu)
            return nil
        },
        ScenarioOp("sg_init_table", [.init("nents", .integer, range: 1...128)], returnsValue: true, result: .scatterlist,
                   help: "a new scatterlist table of nents empty entries") { inv throws(OpError) in
            .pointer(try dmaSubsystem(inv).sgInitTable(try inv.integer(0), on: inv.cpu))
        },
        ScenarioOp("sg_set_buf", [.init("sg", .pointer, resource: .scatterlist), .init("index", .integer, range: 0...127),
                                  .init("buf", .pointer, resource: .address), .init("len", .integer, range: dmaSizes)],
                   returnsValue: false, help: "point entry index of the table at buf, len bytes") { inv throws(OpError) in
            try dmaSubsystem(inv).sgSetBuf(try inv.pointer(0), index: try inv.integer(1), try inv.pointer(2),
                                           length: try inv.integer(3), on: inv.cpu)
            return nil
        },
        ScenarioOp("sg_set_page", [.init("sg", .pointer, resource: .scatterlist), .init("index", .integer, range: 0...127),
                                   .init("page", .pointer, resource: .page), .init("len", .integer, range: dmaSizes),
                                   .init("offset", .integer, range: 0...4095)],
                   returnsValue: false, help: "point entry index of the table at len bytes of a struct page, from offset") {
            inv throws(OpError) in
            try dmaSubsystem(inv).sgSetPage(try inv.pointer(0), index: try inv.integer(1), page: try inv.pointer(2),
                                            length: try inv.integer(3), offset: try inv.integer(4), on: inv.cpu)
            return nil
        },
        ScenarioOp("dma_map_sg", [.init("dev", .pointer, resource: .dmaDevice), .init("sg", .pointer, resource: .scatterlist),
                                  .init("nents", .integer, range: 1...128), .init("dir", .dmaDirection)],
                   returnsValue: true, help: "map the first nents entries; the KMSAN hook runs per entry; returns how many") {
            inv throws(OpError) in
            .integer(try dmaSubsystem(inv).mapSG(try inv.pointer(0), try inv.pointer(1), count: try inv.integer(2),
                                                 direction: try direction(inv, 3), on: inv.cpu))
        },
        ScenarioOp("dma_unmap_sg", [.init("dev", .pointer, resource: .dmaDevice), .init("sg", .pointer, resource: .scatterlist),
                                    .init("nents", .integer, range: 1...128), .init("dir", .dmaDirection)],
                   returnsValue: false, help: "unmap the entries of a mapped scatterlist") { inv throws(OpError) in
            try dmaSubsystem(inv).unmapSG(try inv.pointer(0), try inv.pointer(1), count: try inv.integer(2),
                                          direction: try direction(inv, 3), on: inv.cpu)
            return nil
        },
        sync("dma_sync_single_for_cpu") { $0.syncSingleForCPU($1, $2, size: $3, direction: $4, on: $5) },
        sync("dma_sync_single_for_device") { $0.syncSingleForDevice($1, $2, size: $3, direction: $4, on: $5) },
        ScenarioOp("dma_alloc_coherent", [.init("dev", .pointer, resource: .dmaDevice), .init("size", .integer, range: dmaSizes),
                                          .init("dma_handle", .pointer, resource: .address), .init("gfp", .gfp)],
                   returnsValue: true, result: .dmaCoherent,
                   help: "a zeroed buffer shared with the device (no KMSAN hook: it starts and stays initialized); "
                       + "stores the handle at dma_handle; NULL on failure") { inv throws(OpError) in
            let handlePointer = try inv.pointer(2)
            guard let (address, handle) = try dmaSubsystem(inv).allocCoherent(try inv.pointer(0), size: try inv.size(1),
                                                                               gfp: try inv.gfp(3), on: inv.cpu) else {
                return .pointer(.null)
            }
            // dma_direct_alloc's *dma_handle = ...: an ordinary store.
            inv.machine.checkAccess(handlePointer, size: 8, .write, on: inv.cpu)
            inv.machine.runtime.store(.initialized(handle, width: .bits64), to: handlePointer, on: inv.cpu)
            return .pointer(address)
        },
        ScenarioOp("dma_free_coherent", [.init("dev", .pointer, resource: .dmaDevice), .init("size", .integer, range: dmaSizes),
                                         .init("cpu_addr", .pointer, resource: .dmaCoherent),
                                         .init("handle", .integer, resource: .dmaHandle)],
                   returnsValue: false, help: "free a coherent buffer (dma-debug checks handle, size and CPU address); "
                       + "its pages are poisoned") { inv throws(OpError) in
            try dmaSubsystem(inv).freeCoherent(try inv.pointer(0), size: try inv.size(1), try inv.pointer(2),
                                               handle: try inv.value(3).value, on: inv.cpu)
            return nil
        },
        ScenarioOp("device_dma_write", [.init("dev", .pointer, resource: .dmaDevice), .init("handle", .integer, resource: .dmaHandle),
                                        .init("offset", .integer, range: 0...4095), .init("len", .integer, range: dmaSizes)],
                   returnsValue: false, help: "the device writes len bytes into a live mapping: data changes, KMSAN shadow does not") {
            inv throws(OpError) in
            try dmaSubsystem(inv).deviceWrite(try inv.pointer(0), try inv.value(1).value, offset: try inv.integer(2),
                                              length: try inv.integer(3), on: inv.cpu)
            return nil
        },
        ScenarioOp("device_dma_read", [.init("dev", .pointer, resource: .dmaDevice), .init("handle", .integer, resource: .dmaHandle),
                                       .init("offset", .integer, range: 0...4095), .init("len", .integer, range: 0...8)],
                   returnsValue: true, help: "the device reads up to 8 bytes of a live mapping (no KMSAN check: hardware)") {
            inv throws(OpError) in
            .initialized(try dmaSubsystem(inv).deviceRead(try inv.pointer(0), try inv.value(1).value, offset: try inv.integer(2),
                                                          length: try inv.integer(3), on: inv.cpu), width: .bits64)
        },
    ]

    /// A `dma_sync_single_for_*` op.
    private static func sync(
        _ name: String, _ call: @escaping @Sendable (any DMASubsystem, KernelAddress, UInt64, Int, DMADirection, KernelCPU) -> Void
    ) -> ScenarioOp {
        ScenarioOp(name, [.init("dev", .pointer, resource: .dmaDevice), .init("handle", .integer, resource: .dmaHandle),
                          .init("size", .integer, range: dmaSizes), .init("dir", .dmaDirection)],
                   returnsValue: false, help: "hand the buffer over (no KMSAN effect; dma-debug checks the range)") {
            inv throws(OpError) in
            call(try dmaSubsystem(inv), try inv.pointer(0), try inv.value(1).value, try inv.size(2), try direction(inv, 3), inv.cpu)
            return nil
        }
    }

    /// Argument `index` as a DMA direction (any other value is an OpError, a HARNESS misuse).
    private static func direction(_ inv: OpInvocation, _ index: Int) throws(OpError) -> DMADirection {
        let raw = try inv.integer(index)
        guard let d = DMADirection(rawValue: raw) else { throw OpError("\(raw) is not a DMA direction (0...3)") }
        return d
    }

    /// The machine's DMA subsystem, or an `OpError` naming the missing plugin.
    private static func dmaSubsystem(_ inv: OpInvocation) throws(OpError) -> any DMASubsystem { try inv.subsystem(.dma) }
}
