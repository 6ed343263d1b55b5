import HarnessCore
import KMSAN
import KernelMemory

/// One machine's sk_buffs and net devices (see `SKBPlugin`). skb and net-device pointers are
/// stand-ins in an unmapped range, never dereferenced; heads and fragment pages are real
/// memory. Thread-safe: one lock guards the state, and no allocator, DMA or KMSAN call is made
/// while it is held.
public final class NetStack: SkbSubsystem {
    /// The runtime.
    public let runtime: KMSANRuntime
    let pages: any PageAllocatorSubsystem
    let slab: any SlabSubsystem
    let dma: any DMASubsystem
    let state = Locked(SkbState())
    let sites: SKBSites
    /// The user copies of `skb_copy_datagram_iter`.
    let userAccess: UserAccess

    /// Where net-device pointers start.
    static let deviceBase: UInt64 = 0xffff_fc00_0000_0000
    /// Where sk_buff pointers start (`sizeof(struct sk_buff)` rounded up apart).
    static let skbBase: UInt64 = 0xffff_fc80_0000_0000
    /// The most net devices one machine registers.
    static let maxDevices = 256
    /// The most sk_buffs alive at once: past it allocation fails, as under memory pressure.
    static let maxSkbs = 4096
    /// The largest `alloc_skb` size tried (kmalloc fails far below it; `unsigned int` bound).
    static let maxSize = 1 << 30
    /// `NET_SKB_PAD` on x86-64: `max(32, L1_CACHE_BYTES)`.
    static let netSkbPad = 64
    /// `SMP_CACHE_BYTES`: `SKB_DATA_ALIGN` rounds to it.
    static let cacheBytes = 64
    /// `SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64.
    static let sharedInfoSize = 320
    /// `MAX_SKB_FRAGS`.
    static let maxFragments = 17
    /// The NIC's transmit ring.
    static let ringSize = 256

    init(runtime: KMSANRuntime, pages: any PageAllocatorSubsystem, slab: any SlabSubsystem, dma: any DMASubsystem) {
        self.runtime = runtime
        self.pages = pages
        self.slab = slab
        self.dma = dma
        sites = SKBSites(symbols: runtime.symbols)
        userAccess = UserAccess(runtime: runtime)
    }

    /// The state, for the fuzzer's restore.
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// sk_buffs never freed (kmemleak reports each; their heads are the slab's to report).
    public func outstandingAllocations() -> [OutstandingAllocation] {
        state.withLock { s in
            s.skbs.keys.sorted().map { OutstandingAllocation(address: $0, size: 232, kind: "sk_buff (skbuff_head_cache)") }
        }
    }

    /// A new net device, its NIC and the NIC's 64-bit DMA device; NULL past `maxDevices`.
    public func netDevice(named name: String, on cpu: KernelCPU) -> KernelAddress {
        guard state.withLock({ $0.nextDevice < Self.maxDevices }) else { return .null }
        return addDevice(SkbState.NetDevice(name: name, dmaDevice: dma.device(named: name, mask: 64, on: cpu).raw))
    }

    /// A net device a plugin driver transmits for; NULL past `maxDevices`.
    public func registerNetDevice(named name: String, operations: NetDeviceOperations, on cpu: KernelCPU) -> KernelAddress {
        addDevice(SkbState.NetDevice(name: name, dmaDevice: 0, operations: operations))
    }

    private func addDevice(_ device: SkbState.NetDevice) -> KernelAddress {
        state.withLock { s in
            guard s.nextDevice < Self.maxDevices else { return .null }
            let address = Self.deviceBase + UInt64(s.nextDevice) * 0x1000
            s.nextDevice += 1
            s.devices[address] = device
            return KernelAddress(address)
        }
    }

    /// `alloc_skb` -> `__alloc_skb`: the sk_buff (its fields up to `tail` zeroed), a head from
    /// `kmalloc_reserve` of `SKB_DATA_ALIGN(size)` plus the shared info, its usable end from
    /// the size kmalloc rounded to (`SKB_WITH_OVERHEAD(ksize)`), and the shared info's leading
    /// fields zeroed up to `dataref`. The head's data is uninitialized.
    public func allocSkb(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.allocSkb) { cpu.call(sites.allocSkbInner) { makeSkb(size, gfp: gfp, on: cpu) } }
    }

    /// The body of `__alloc_skb`.
    func makeSkb(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        guard state.withLock({ $0.skbs.count < Self.maxSkbs }), let (head, end) = allocHead(size, gfp: gfp, on: cpu) else {
            return nil
        }
        let skb = state.withLock { s -> UInt64? in
            guard let address = s.insert(SkbState.Skb(head: head.raw, data: 0), base: Self.skbBase, limit: Self.maxSkbs)
            else { return nil }
            s.heads[head.raw] = SkbState.SharedData(end: end)
            return address
        }
        guard let skb else {
            slab.kfree(head, on: cpu)
            return nil
        }
        return KernelAddress(skb)
    }

    /// `offsetof(struct skb_shared_info, dataref)` on x86-64: flags, meta_len, nr_frags,
    /// tx_flags, gso_size, gso_segs, frag_list, hwtstamps, gso_type and tskey.
    static let dataRefOffset = 32

    /// A head for `size` data bytes: `kmalloc_reserve` of `SKB_DATA_ALIGN(size)` plus the
    /// shared info (its attempt is `gfp | __GFP_NOMEMALLOC | __GFP_NOWARN`; no pfmemalloc retry
    /// here), the usable end from the size kmalloc rounded to (`SKB_WITH_OVERHEAD(ksize)`), and
    /// `__finalize_skb_around`'s `memset(shinfo, 0, offsetof(..., dataref))` and
    /// `atomic_set(&shinfo->dataref, 1)`. The data bytes stay uninitialized.
    func allocHead(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> (head: KernelAddress, end: Int)? {
        guard size >= 0, size <= Self.maxSize else { return nil }
        let aligned = (size + Self.cacheBytes - 1) / Self.cacheBytes * Self.cacheBytes
        let reserve = { self.slab.kmalloc(aligned + Self.sharedInfoSize, gfp: gfp.union(.noWarn), on: cpu) }
        guard let head = cpu.call(sites.kmallocReserve, reserve), !head.isNull else { return nil }
        let end = slab.ksize(head, on: cpu) - Self.sharedInfoSize
        runtime.memset(head + end, 0, count: Self.dataRefOffset, on: cpu)
        runtime.store(.initialized(1, width: .bits32), to: head + end + Self.dataRefOffset, on: cpu)
        return (head, end)
    }

    /// `skb_copy_bits` of `skb`'s headroom and data (`pieces`, in order) to the start of
    /// `head`: memcpy, so the metadata moves with the bytes.
    func copyHeadroomAndData(of skb: SkbState.Skb, _ pieces: [(address: KernelAddress, length: Int)], to head: KernelAddress,
                             on cpu: KernelCPU) {
        runtime.memcpy(head, KernelAddress(skb.head), count: skb.data, on: cpu)
        var at = head + skb.data
        for piece in pieces {
            runtime.memcpy(at, piece.address, count: piece.length, on: cpu)
            at = at + piece.length
        }
    }

    /// `netdev_alloc_skb` -> `__netdev_alloc_skb`: `length + NET_SKB_PAD` bytes, the pad
    /// reserved, `skb->dev` set. (The kernel takes small heads from a page-fragment cache; here
    /// every head is kmalloc'ed, which KMSAN sees the same way: uninitialized until written.)
    public func netdevAllocSkb(_ device: KernelAddress, length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.netdevAllocSkb) {
            cpu.call(sites.netdevAllocSkbInner) { () -> KernelAddress? in
                guard state.withLock({ $0.devices[device.raw] != nil }) else {
                    notADevice(device, "netdev_alloc_skb", on: cpu)
                    return nil
                }
                guard length >= 0, length <= Self.maxSize,
                      let skb = cpu.call(sites.allocSkbInner, { makeSkb(length + Self.netSkbPad, gfp: .atomic, on: cpu) })
                else { return nil }
                state.withLock { s in
                    s.skbs[skb.raw]?.data = Self.netSkbPad
                    s.skbs[skb.raw]?.device = device.raw
                }
                return skb
            }
        }
    }

    /// `skb_get`.
    public func get(_ skb: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.get) {
            let known = state.withLock { s -> Bool in
                guard s.skbs[skb.raw] != nil else { return false }
                s.skbs[skb.raw]?.users += 1
                return true
            }
            if !known { notAnSkb(skb, "skb_get", on: cpu) }
        }
    }

    /// A field.
    public func field(_ field: SkbField, of skb: KernelAddress) -> UInt64? {
        state.withLock { s -> UInt64? in
            guard let b = s.skbs[skb.raw], let shared = s.heads[b.head] else { return nil }
            switch field {
            case .data: return b.head + UInt64(b.data)
            case .len: return UInt64(b.length)
            case .dataLen: return UInt64(b.dataLength)
            case .headlen: return UInt64(b.headLength)
            case .headroom: return UInt64(b.data)
            case .tailroom: return b.dataLength > 0 ? 0 : UInt64(shared.end - b.tail)
            case .nrFrags: return UInt64(shared.fragments.count)
            }
        }
    }

    /// A HARNESS misuse: `pointer` names no live skb.
    func notAnSkb(_ pointer: KernelAddress, _ api: String, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(.misuse, "\(api): \(pointer) is not a live sk_buff of this machine", on: cpu, address: pointer)
    }

    /// A HARNESS misuse: `pointer` names no net device.
    func notADevice(_ pointer: KernelAddress, _ api: String, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(.misuse, "\(api): \(pointer) is not a struct net_device of this machine", on: cpu,
                                     address: pointer)
    }
}
