import KMSAN
import KernelMemory

extension StandardOps {
    /// Packet and buffer lengths worth generating.
    static let skbLengths: ClosedRange<Int64> = 0...65536
    /// Headroom adjustments worth generating.
    static let skbHeadroom: ClosedRange<Int64> = 0...1024

    /// The skb subsystem's ops (net/core/skbuff.c and a simulated NIC), against `SkbSubsystem`.
    static let skb: [ScenarioOp] = [
        ScenarioOp("net_device", [.init("name", .string)], returnsValue: true, result: .netDevice,
                   help: "a registered net device with a simulated NIC (TX DMA-maps head and fragments)") { inv throws(OpError) in
            .pointer(try skb(inv).netDevice(named: try inv.string(0), on: inv.cpu))
        },
        ScenarioOp("alloc_skb", [.init("size", .integer, range: skbLengths), .init("gfp", .gfp)], returnsValue: true, result: .skb,
                   help: "an empty skb with a kmalloc'ed head of at least size bytes (uninitialized); NULL on failure") {
            inv throws(OpError) in
            .pointer(try skb(inv).allocSkb(try inv.integer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("netdev_alloc_skb", [.init("dev", .pointer, resource: .netDevice), .init("length", .integer, range: skbLengths)],
                   returnsValue: true, result: .skb, help: "alloc_skb(length + NET_SKB_PAD) with the pad reserved, for dev") {
            inv throws(OpError) in
            .pointer(try skb(inv).netdevAllocSkb(try inv.pointer(0), length: try inv.integer(1), on: inv.cpu) ?? .null)
        },
        adjust("skb_reserve", range: skbHeadroom, returnsValue: false, help: "move data and tail: headroom of an empty skb") {
            s, skb, n, cpu in s.reserve(skb, n, on: cpu); return nil
        },
        adjust("skb_put", range: skbLengths, help: "extend the data at the tail; the old tail (skb_over_panic past the end)") {
            s, skb, n, cpu in s.put(skb, n, on: cpu)
        },
        ScenarioOp("skb_put_data", [.init("skb", .pointer, resource: .skb), .init("data", .pointer, resource: .address),
                                    .init("len", .integer, range: skbLengths)],
                   returnsValue: true, result: .address, help: "skb_put then memcpy (data and KMSAN metadata)") {
            inv throws(OpError) in
            .pointer(try skb(inv).putData(try inv.pointer(0), from: try inv.pointer(1), try inv.integer(2), on: inv.cpu) ?? .null)
        },
        adjust("skb_push", range: skbHeadroom, help: "extend the data at the head; the new data (skb_under_panic past the head)") {
            s, skb, n, cpu in s.push(skb, n, on: cpu)
        },
        adjust("skb_pull", range: skbHeadroom, help: "remove data from the head; the new data, or NULL if len > skb->len") {
            s, skb, n, cpu in s.pull(skb, n, on: cpu)
        },
        ScenarioOp("skb_add_rx_frag", [.init("skb", .pointer, resource: .skb), .init("i", .integer, range: 0...17),
                                       .init("page", .pointer, resource: .page), .init("off", .integer, range: 0...4096),
                                       .init("size", .integer, range: 0...4096), .init("truesize", .integer, range: 0...8192)],
                   returnsValue: false, help: "append page fragment i; the skb owns the page and frees it with its data") {
            inv throws(OpError) in
            try skb(inv).addReceiveFragment(try inv.pointer(0), index: try inv.integer(1), page: try inv.pointer(2),
                                            offset: try inv.integer(3), size: try inv.integer(4), truesize: try inv.integer(5),
                                            on: inv.cpu)
            return nil
        }.withShortForm([.init("skb", .pointer, resource: .skb), .init("page", .pointer, resource: .page),
                         .init("off", .integer, range: 0...4096), .init("size", .integer, range: 0...4096)],
                        help: "skb_add_rx_frag(skb, skb_nr_frags(skb), page, off, size, size): the next fragment") {
            inv throws(OpError) in
            let pointer = try inv.pointer(0)
            guard let next = try skb(inv).field(.nrFrags, of: pointer) else { throw OpError("\(pointer) is not a live sk_buff") }
            let a = inv.arguments
            return [a[0], .value(.initialized(next, width: .bits64)), a[1], a[2], a[3], a[3]]
        },
        ScenarioOp("skb_frag_add_head", [.init("skb", .pointer, resource: .skb), .init("frag", .pointer, resource: .skb)],
                   returnsValue: false, help: "frag heads skb's frag list (the list owns it); len and data_len grow") {
            inv throws(OpError) in
            try skb(inv).addToFragList(try inv.pointer(0), try inv.pointer(1), on: inv.cpu)
            return nil
        },
        ScenarioOp("skb_clone", [.init("skb", .pointer, resource: .skb), .init("gfp", .gfp)], returnsValue: true, result: .skb,
                   help: "a new sk_buff sharing the data (dataref + 1); NULL on failure") { inv throws(OpError) in
            .pointer(try skb(inv).clone(try inv.pointer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("skb_copy", [.init("skb", .pointer, resource: .skb), .init("gfp", .gfp)], returnsValue: true, result: .skb,
                   help: "a linear private copy of headroom and all data (metadata too); NULL on failure") { inv throws(OpError) in
            .pointer(try skb(inv).copy(try inv.pointer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("skb_get", [.init("skb", .pointer, resource: .skb)], returnsValue: false, help: "one more user") {
            inv throws(OpError) in
            try skb(inv).get(try inv.pointer(0), on: inv.cpu)
            return nil
        },
    ] + SkbFreeReason.allCases.map(freeOp) + SkbField.allCases.map(skbFieldOp) + [
        ScenarioOp("dev_queue_xmit", [.init("skb", .pointer, resource: .skb), .init("dev", .pointer, resource: .netDevice)],
                   returnsValue: true, help: "skb->dev = dev, then transmit: the NIC DMA-maps head and fragments and owns the skb; "
                       + "0 (NET_XMIT_SUCCESS) or 1 (NET_XMIT_DROP)") { inv throws(OpError) in
            .integer(try skb(inv).queueTransmit(try inv.pointer(0), device: try inv.pointer(1), on: inv.cpu))
        },
        ScenarioOp("netdev_tx_complete", [.init("dev", .pointer, resource: .netDevice)], returnsValue: true,
                   help: "the NIC finishes its pending transmits: unmaps and frees each skb; how many") { inv throws(OpError) in
            .integer(try skb(inv).completeTransmit(try inv.pointer(0), on: inv.cpu))
        },
        ScenarioOp("netif_receive", [.init("dev", .pointer, resource: .netDevice), .init("length", .integer, range: 1...9000)],
                   returnsValue: true, result: .skb, help: "the NIC receives a frame: an skb of length bytes written by DMA") {
            inv throws(OpError) in
            .pointer(try skb(inv).receive(on: try inv.pointer(0), length: try inv.integer(1), on: inv.cpu) ?? .null)
        },
        ScenarioOp("skb_recv_datagram", [.init("dev", .pointer, resource: .netDevice)], returnsValue: true, result: .skb,
                   help: "the oldest skb a driver's netif_rx queued on dev (a packet socket's receive); NULL if none") {
            inv throws(OpError) in
            .pointer(try skb(inv).receiveNext(from: try inv.pointer(0), on: inv.cpu) ?? .null)
        },
        ScenarioOp("skb_copy_datagram_iter", [.init("skb", .pointer, resource: .skb), .init("offset", .integer, range: skbLengths),
                                              .init("to", .pointer, resource: .userAddress),
                                              .init("len", .integer, range: skbLengths)],
                   returnsValue: true, help: "copy skb data (head, fragments, frag list) to user memory, each piece checked "
                       + "(kernel-infoleak in _copy_to_iter); 0 or -EFAULT") { inv throws(OpError) in
            .integer(try skb(inv).copyDatagram(try inv.pointer(0), offset: try inv.integer(1), to: try inv.pointer(2),
                                               length: try inv.integer(3), on: inv.cpu))
        },
    ]

    /// An `(skb, len)` op.
    private static func adjust(
        _ name: String, range: ClosedRange<Int64>, returnsValue: Bool = true, help: String,
        _ body: @escaping @Sendable (any SkbSubsystem, KernelAddress, Int, KernelCPU) -> KernelAddress?
    ) -> ScenarioOp {
        ScenarioOp(name, [.init("skb", .pointer, resource: .skb), .init("len", .integer, range: range)],
                   returnsValue: returnsValue, result: returnsValue ? .address : nil, help: help) { inv throws(OpError) in
            let address = body(try skb(inv), try inv.pointer(0), try inv.integer(1), inv.cpu)
            return returnsValue ? .pointer(address ?? .null) : nil
        }
    }

    /// `kfree_skb(skb)` or `consume_skb(skb)`.
    private static func freeOp(_ reason: SkbFreeReason) -> ScenarioOp {
        ScenarioOp(reason.rawValue, [.init("skb", .pointer, resource: .skb)], returnsValue: false,
                   help: "drop a user (\(reason == .drop ? "a drop" : "consumed")); the last frees the data") {
            inv throws(OpError) in
            try skb(inv).free(try inv.pointer(0), reason, on: inv.cpu)
            return nil
        }
    }

    /// `skb_<field>(skb)`.
    private static func skbFieldOp(_ field: SkbField) -> ScenarioOp {
        ScenarioOp("skb_\(field.rawValue)", [.init("skb", .pointer, resource: .skb)], returnsValue: true,
                   help: field.expression) { inv throws(OpError) in
            let pointer = try inv.pointer(0)
            guard let v = try skb(inv).field(field, of: pointer) else { throw OpError("\(pointer) is not a live sk_buff") }
            return .initialized(v, width: .bits64)
        }
    }

    /// The machine's skb subsystem, or an `OpError` naming the missing plugin.
    private static func skb(_ inv: OpInvocation) throws(OpError) -> any SkbSubsystem { try inv.subsystem(.skb) }
}
