import HarnessCore
import KMSAN
import KernelMemory

/// The skb plugin's bookkeeping, one value (saved and restored whole). A `struct sk_buff` is a
/// handle in an unmapped range; its data lives in a kmalloc'ed head whose `struct
/// skb_shared_info` (fragments, frag list, `dataref`) is kept here, shared by clones.
struct SkbState: Sendable {
    /// A page fragment (`skb_frag_t`): the `struct page *`, offset and size.
    struct Fragment: Sendable {
        var page: UInt64
        var offset: Int
        var size: Int
    }

    /// A head and its shared info (`skb_shinfo`), keyed by the head's address.
    struct SharedData: Sendable {
        /// `skb_end_offset(skb)`: the usable bytes before the shared info.
        var end: Int
        /// `shinfo->dataref`: the sk_buffs whose data this is.
        var dataref = 1
        var fragments: [Fragment] = []
        /// `shinfo->frag_list`, head first: the list holds one user of each.
        var fragList: [UInt64] = []
    }

    /// A `struct sk_buff`. `head + data` is `skb->data`; `skb_headlen` is `headLength`.
    struct Skb: Sendable {
        var head: UInt64
        var data: Int
        var headLength = 0
        /// `skb->data_len`: bytes in fragments and the frag list.
        var dataLength = 0
        /// `skb->users`.
        var users = 1
        /// `skb->dev`.
        var device: UInt64 = 0
        /// Set while a frag list or the NIC owns it.
        var owner: Owner?

        /// `skb->len`.
        var length: Int { headLength + dataLength }
        /// `skb_tail_pointer(skb)` as an offset from the head.
        var tail: Int { data + headLength }
    }

    /// Who holds an skb besides its users.
    enum Owner: Sendable, Equatable {
        case fragList(of: UInt64)
        case transmitRing(of: UInt64)
        case receiveQueue(of: UInt64)
    }

    /// One streaming mapping of a transmit.
    struct Mapping: Sendable {
        var handle: UInt64
        var size: Int
        var isPage: Bool
    }

    /// An skb handed to the NIC, with the mappings its DMA reads.
    struct Transmit: Sendable {
        var skb: UInt64
        var mappings: [Mapping]
    }

    /// A net device and its NIC.
    struct NetDevice: Sendable {
        var name: String
        /// The NIC's `struct device *` for the DMA API.
        var dmaDevice: UInt64
        /// Transmits handed to the NIC and not yet completed, oldest first.
        var transmitRing: [Transmit] = []
        /// A plugin driver's operations (nil: the simulated NIC).
        var operations: NetDeviceOperations?
        /// Received skbs `netif_rx` queued, oldest first.
        var received: [UInt64] = []
    }

    /// Files `skb` under a new handle (`base` plus `sizeof(struct sk_buff)` rounded up per
    /// handle, never reused); nil once `limit` sk_buffs are alive.
    mutating func insert(_ skb: Skb, base: UInt64, limit: Int) -> UInt64? {
        let address = base + UInt64(nextSkb % (1 << 32)) * 0x100
        guard skbs.count < limit, skbs[address] == nil else { return nil }
        nextSkb += 1
        skbs[address] = skb
        return address
    }

    var skbs: [UInt64: Skb] = [:]
    var heads: [UInt64: SharedData] = [:]
    var devices: [UInt64: NetDevice] = [:]
    var nextSkb = 0
    var nextDevice = 0
}
