import HarnessCore
import KMSAN
import KernelMemory

/// Clones, copies and freeing (net/core/skbuff.c): users count sk_buffs, `dataref` counts the
/// sk_buffs sharing a head, and the last `dataref` frees the head, the fragment pages and the
/// frag list.
extension NetStack {
    /// `skb_clone`: a new sk_buff on the same data (`skb_cloned()` is `dataref > 1`).
    public func clone(_ skb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.clone) { () -> KernelAddress? in
            enum Outcome { case unknown, failed, cloned(UInt64) }
            let outcome = state.withLock { s -> Outcome in
                guard let b = s.skbs[skb.raw] else { return .unknown }
                var n = b
                n.users = 1
                n.owner = nil
                guard let address = s.insert(n, base: Self.skbBase, limit: Self.maxSkbs) else { return .failed }
                s.heads[b.head]?.dataref += 1
                return .cloned(address)
            }
            switch outcome {
            case .unknown: notAnSkb(skb, "skb_clone", on: cpu); return nil
            case .failed: return nil
            case .cloned(let address): return KernelAddress(address)
            }
        }
    }

    /// `skb_copy`: `__alloc_skb(skb_end_offset + data_len)`, the same headroom reserved, `len`
    /// bytes put, and `skb_copy_bits` of headroom and data (memcpy: metadata moves with them).
    public func copy(_ skb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.copy) { () -> KernelAddress? in
            guard let (b, end, pieces) = state.withLock({ s -> (SkbState.Skb, Int, [(address: KernelAddress, length: Int)])? in
                guard let b = s.skbs[skb.raw], let shared = s.heads[b.head] else { return nil }
                return (b, shared.end, segments(of: skb.raw, in: s))
            }) else {
                notAnSkb(skb, "skb_copy", on: cpu)
                return nil
            }
            guard let n = cpu.call(sites.allocSkbInner, { makeSkb(end + b.dataLength, gfp: gfp, on: cpu) }),
                  let newHead = state.withLock({ s -> UInt64? in
                      s.skbs[n.raw]?.data = b.data
                      s.skbs[n.raw]?.headLength = b.length
                      s.skbs[n.raw]?.device = b.device
                      return s.skbs[n.raw]?.head
                  }) else { return nil }
            cpu.call(sites.copyBits) { copyHeadroomAndData(of: b, pieces, to: KernelAddress(newHead), on: cpu) }
            return n
        }
    }

    /// `kfree_skb` (-> `sk_skb_reason_drop`) or `consume_skb`, then `__kfree_skb`. An skb a
    /// frag list or the NIC owns is refused: the caller gave its reference away.
    public func free(_ skb: KernelAddress, _ reason: SkbFreeReason, on cpu: KernelCPU) {
        guard !skb.isNull else { return }
        switch reason {
        case .drop:
            cpu.call(sites.kfreeSkb) {
                cpu.call(sites.kfreeSkbReason) { cpu.call(sites.reasonDrop) { dropUser(skb, reason, on: cpu) } }
            }
        case .consume:
            cpu.call(sites.consumeSkb) { dropUser(skb, reason, on: cpu) }
        }
    }

    /// `skb_unref`, then `__kfree_skb` for the last user.
    private func dropUser(_ skb: KernelAddress, _ reason: SkbFreeReason, on cpu: KernelCPU) {
        enum Outcome { case unknown, owned(SkbState.Owner), shared, last }
        let outcome = state.withLock { s -> Outcome in
            guard let b = s.skbs[skb.raw] else { return .unknown }
            if let owner = b.owner { return .owned(owner) }
            guard b.users == 1 else {
                s.skbs[skb.raw]?.users -= 1
                return .shared
            }
            return .last
        }
        switch outcome {
        case .unknown:
            if wasAllocated(skb) {
                runtime.reportHarnessFinding(.doubleFree, "\(reason.rawValue): sk_buff \(skb) was already freed", on: cpu,
                                             address: skb)
            } else {
                runtime.reportHarnessFinding(.invalidFree, "\(reason.rawValue): \(skb) is not an sk_buff of this machine",
                                             on: cpu, address: skb)
            }
        case .owned(let owner):
            let holder = switch owner {
            case .fragList(let parent): "the frag list of \(KernelAddress(parent))"
            case .transmitRing(let device): "the transmit ring of \(KernelAddress(device))"
            case .receiveQueue(let device): "the receive queue of \(KernelAddress(device))"
            }
            runtime.reportHarnessFinding(.misuse, "\(reason.rawValue): sk_buff \(skb) belongs to \(holder)", on: cpu,
                                         address: skb)
        case .shared: break
        case .last: cpu.call(sites.kfreeSkbInner) { release(skb, on: cpu) }
        }
    }

    /// Whether `skb` is a handle this machine once gave out (handles are never reused).
    private func wasAllocated(_ skb: KernelAddress) -> Bool {
        guard skb.raw >= Self.skbBase, (skb.raw - Self.skbBase) % 0x100 == 0 else { return false }
        return (skb.raw - Self.skbBase) / 0x100 < UInt64(state.withLock { $0.nextSkb })
    }

    /// `__kfree_skb` of an skb whose users reached zero, whoever owned it: the sk_buff goes, and
    /// `skb_release_data` drops a `dataref`; the last frees the fragment pages, the frag list
    /// (`kfree_skb_list`) and the head.
    func release(_ skb: KernelAddress, on cpu: KernelCPU) {
        guard let b = state.withLock({ $0.skbs.removeValue(forKey: skb.raw) }) else { return }
        releaseData(b.head, on: cpu)
    }

    /// `skb_release_data`: one `dataref` of the head at `head` goes; the last frees it.
    func releaseData(_ head: UInt64, on cpu: KernelCPU) {
        let freed = state.withLock { s -> SkbState.SharedData? in
            s.heads[head]?.dataref -= 1
            guard let shared = s.heads[head], shared.dataref <= 0 else { return nil }
            s.heads[head] = nil
            for member in shared.fragList { s.skbs[member]?.owner = nil }
            return shared
        }
        guard let freed else { return }
        cpu.call(sites.releaseData) {
            for f in freed.fragments {
                let handle = KernelAddress(f.page)
                let order = runtime.addressSpace.frame(ofPageHandle: handle).flatMap { pages.allocationOrder(of: $0) } ?? 0
                pages.freePages(handle: handle, order: order, on: cpu)
            }
            for member in freed.fragList { free(KernelAddress(member), .drop, on: cpu) }
            slab.kfree(KernelAddress(head), on: cpu)
        }
    }
}
