import KMSAN

/// The frames of net/core's skb paths and of the simulated NIC (`vnic_*`), as a 6.18 report
/// shows them: the static inlines of include/linux/skbuff.h and netdevice.h (`alloc_skb`,
/// `netdev_alloc_skb`, `kfree_skb`, `dev_queue_xmit`, `skb_frag_dma_map`, `copy_to_iter`) are
/// `[inline]` frames. No file and line: they have not been read off a kernel tree.
struct SKBSites: Sendable {
    let allocSkb, allocSkbInner, kmallocReserve, netdevAllocSkb, netdevAllocSkbInner: CallSite
    let reserve, put, putData, push, pull, addRxFrag, fragAddHead, clone, copy, copyBits, get: CallSite
    let kfreeSkb, kfreeSkbReason, reasonDrop, consumeSkb, kfreeSkbInner, releaseData: CallSite
    let queueXmit, queueXmitInner, validateXmit, pullTail, hardStartXmit, startXmit, fragDMAMap, poll, receive, netifRx: CallSite
    let copyDatagram, datagramIter, simpleCopy, copyToIter, copyToIterInner, copyToUserIter: CallSite

    init(symbols: SymbolTable) {
        func entry(_ name: String, _ inlining: FrameInlining = .outOfLine) -> CallSite {
            symbols.site(in: name, role: .subsystemEntry, inlining: inlining)
        }
        func frame(_ name: String, _ inlining: FrameInlining = .outOfLine) -> CallSite {
            symbols.site(in: name, inlining: inlining)
        }
        allocSkb = entry("alloc_skb", .inlined); allocSkbInner = entry("__alloc_skb"); kmallocReserve = frame("kmalloc_reserve")
        netdevAllocSkb = entry("netdev_alloc_skb", .inlined); netdevAllocSkbInner = entry("__netdev_alloc_skb")
        reserve = entry("skb_reserve", .inlined); put = entry("skb_put"); putData = entry("skb_put_data", .inlined)
        push = entry("skb_push"); pull = entry("skb_pull"); addRxFrag = entry("skb_add_rx_frag")
        fragAddHead = entry("skb_frag_add_head", .inlined); clone = entry("skb_clone"); copy = entry("skb_copy")
        copyBits = frame("skb_copy_bits"); get = entry("skb_get", .inlined)
        kfreeSkb = entry("kfree_skb", .inlined); kfreeSkbReason = entry("kfree_skb_reason", .inlined)
        reasonDrop = entry("sk_skb_reason_drop"); consumeSkb = entry("consume_skb"); kfreeSkbInner = entry("__kfree_skb")
        releaseData = frame("skb_release_data")
        queueXmit = entry("dev_queue_xmit", .inlined); queueXmitInner = entry("__dev_queue_xmit")
        validateXmit = frame("validate_xmit_skb"); pullTail = frame("__pskb_pull_tail")
        hardStartXmit = frame("dev_hard_start_xmit"); startXmit = frame("vnic_start_xmit")
        fragDMAMap = frame("skb_frag_dma_map", .inlined); poll = entry("vnic_poll"); receive = entry("vnic_rx")
        netifRx = entry("netif_rx")
        copyDatagram = entry("skb_copy_datagram_iter"); datagramIter = frame("__skb_datagram_iter")
        simpleCopy = frame("simple_copy_to_iter", .inlined); copyToIter = frame("copy_to_iter", .inlined)
        copyToIterInner = frame("_copy_to_iter"); copyToUserIter = frame("copy_to_user_iter", .inlined)
    }
}
