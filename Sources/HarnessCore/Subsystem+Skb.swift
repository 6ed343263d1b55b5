import KMSAN
import KernelMemory

/// Socket buffers (net/core/skbuff.c, include/linux/skbuff.h) and a simulated NIC per
/// `struct net_device`. skbs and net devices are named by their pointers; a head is kmalloc'ed
/// and its data is KMSAN-tracked memory. Mainline has no skb hook: transmitted data is checked
/// where the NIC driver DMA-maps the head and each fragment. Under a policy whose
/// `skbTransmitCheck` is `.kmsanCheckSkb` (RFC v3) the transmit path calls
/// `KMSANRuntime.checkSkb` instead. Misuse the kernel would BUG() on (`skb_over_panic`,
/// `skb_under_panic`, a pull past the head) is a HARNESS finding in the kernel's words.
public protocol SkbSubsystem: Subsystem {
    /// A new net device named `name` with its NIC (and the NIC's DMA device); NULL past the limit.
    func netDevice(named name: String, on cpu: KernelCPU) -> KernelAddress
    /// A net device a plugin drives (`register_netdev` with its `net_device_ops`): transmit
    /// hands skbs to `operations.startXmit` instead of the simulated NIC; NULL past the limit.
    func registerNetDevice(named name: String, operations: NetDeviceOperations, on cpu: KernelCPU) -> KernelAddress
    /// `netif_rx(skb)`: a driver delivers a received skb to the stack, which queues it on
    /// `skb->dev` for `receiveNext` (a packet socket bound to the device) and holds it till then.
    func netifRx(_ skb: KernelAddress, on cpu: KernelCPU)
    /// The oldest skb `netifRx` queued on `device` (the socket's `skb_recv_datagram`), now the
    /// caller's; nil when none is queued.
    func receiveNext(from device: KernelAddress, on cpu: KernelCPU) -> KernelAddress?
    /// `alloc_skb(size, gfp)`: an empty skb whose kmalloc'ed head has at least `size` bytes of
    /// tailroom (uninitialized, as kmalloc leaves it), or nil.
    func allocSkb(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `netdev_alloc_skb(dev, length)`: `alloc_skb` of `length + NET_SKB_PAD` with the pad
    /// reserved as headroom and `skb->dev` set, or nil.
    func netdevAllocSkb(_ device: KernelAddress, length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_reserve(skb, length)`: moves data and tail (an empty skb's headroom).
    func reserve(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU)
    /// `skb_put(skb, length)`: the old tail, where the `length` new bytes start; nil after an
    /// `skb_over_panic` finding.
    func put(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_put_data(skb, source, length)`: `skb_put` then a `memcpy` (data and KMSAN metadata).
    func putData(_ skb: KernelAddress, from source: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_push(skb, length)`: the new data pointer; nil after an `skb_under_panic` finding.
    func push(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_pull(skb, length)`: the new data pointer, or nil when `length > skb->len`.
    func pull(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_add_rx_frag(skb, index, page, offset, size, truesize)`: the skb takes the page
    /// reference and frees the page with its data.
    func addReceiveFragment(_ skb: KernelAddress, index: Int, page: KernelAddress, offset: Int, size: Int, truesize: Int,
                            on cpu: KernelCPU)
    /// `skb_frag_add_head(skb, member)` with the length accounting its callers do: `member`
    /// heads the frag list and `skb->len`/`data_len` grow by its length; the list owns it.
    func addToFragList(_ skb: KernelAddress, _ member: KernelAddress, on cpu: KernelCPU)
    /// `skb_clone(skb, gfp)`: a new sk_buff sharing the data (`dataref` + 1), or nil.
    func clone(_ skb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_copy(skb, gfp)`: a linear skb with a private copy of headroom and all data, or nil.
    func copy(_ skb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_get(skb)`: one more user.
    func get(_ skb: KernelAddress, on cpu: KernelCPU)
    /// `kfree_skb(skb)` (`.drop`) or `consume_skb(skb)` (`.consume`): drops a user; the last
    /// releases the data (the last `dataref` frees head, fragment pages and frag list).
    func free(_ skb: KernelAddress, _ reason: SkbFreeReason, on cpu: KernelCPU)
    /// A field of an skb, or nil for a pointer that is no live skb.
    func field(_ field: SkbField, of skb: KernelAddress) -> UInt64?
    /// `skb->dev = device; dev_queue_xmit(skb)`: the skb is handed to the device's NIC, which
    /// owns it until `completeTransmit`. `NET_XMIT_SUCCESS` (0) or `NET_XMIT_DROP` (1).
    func queueTransmit(_ skb: KernelAddress, device: KernelAddress, on cpu: KernelCPU) -> Int
    /// The NIC finishes every pending transmit: unmaps and frees each skb. The number finished.
    func completeTransmit(_ device: KernelAddress, on cpu: KernelCPU) -> Int
    /// The NIC receives a frame of `length` bytes: a new skb whose data the device wrote by DMA.
    func receive(on device: KernelAddress, length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_copy_datagram_iter(skb, offset, to, length)` into user memory at `to`: 0, or -EFAULT.
    func copyDatagram(_ skb: KernelAddress, offset: Int, to: KernelAddress, length: Int, on cpu: KernelCPU) -> Int
}

/// A driver's `struct net_device_ops`, as far as the stack calls it.
public struct NetDeviceOperations: Sendable {
    /// `ndo_start_xmit(skb, dev)`: from then on the skb is the driver's, to free when the
    /// hardware is done with it (or at once, dropping it).
    public var startXmit: @Sendable (_ skb: KernelAddress, _ device: KernelAddress, _ cpu: KernelCPU) -> Void

    /// Operations with the driver's transmit function.
    public init(startXmit: @escaping @Sendable (_ skb: KernelAddress, _ device: KernelAddress, _ cpu: KernelCPU) -> Void) {
        self.startXmit = startXmit
    }
}

/// Why an skb is freed: the two entry points of net/core/skbuff.c.
public enum SkbFreeReason: String, Sendable, CaseIterable {
    /// `kfree_skb`: a drop.
    case drop = "kfree_skb"
    /// `consume_skb`: a normal end of life.
    case consume = "consume_skb"
}

/// The skb fields a scenario reads; the op is `skb_<rawValue>` (`skb_headroom` and the others
/// are the kernel's own helpers).
public enum SkbField: String, Sendable, CaseIterable {
    /// `skb->data`.
    case data
    /// `skb->len`.
    case len
    /// `skb->data_len`: the bytes in fragments and the frag list.
    case dataLen = "data_len"
    /// `skb_headlen(skb)`.
    case headlen
    /// `skb_headroom(skb)`.
    case headroom
    /// `skb_tailroom(skb)` (0 for a nonlinear skb).
    case tailroom
    /// `skb_shinfo(skb)->nr_frags`.
    case nrFrags = "nr_frags"

    /// The C expression the field is, for help texts.
    public var expression: String {
        switch self {
        case .data, .len, .dataLen: "skb->\(rawValue)"
        case .headlen, .headroom, .tailroom: "skb_\(rawValue)(skb)"
        case .nrFrags: "skb_shinfo(skb)->nr_frags"
        }
    }
}
