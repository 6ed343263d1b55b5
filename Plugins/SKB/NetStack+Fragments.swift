import HarnessCore
import KMSAN
import KernelMemory

/// Page fragments, the frag list, and the walks over an skb's data in order (head, fragments,
/// frag list) that copies, linearization, datagram copies and `kmsan_check_skb` make.
extension NetStack {
    /// The deepest frag-list nesting walked (real ones are one level deep).
    static let maxFragListDepth = 8

    /// `skb_add_rx_frag(skb, i, page, off, size, truesize)`: fragment `i` must be the next one
    /// (`skb_fill_page_desc` sets `nr_frags = i + 1`; a lower `i` would leak page references)
    /// and lie inside the page block; the skb takes the page's reference. The harness keeps no
    /// page reference counts, so a page already held by an skb fragment is refused.
    public func addReceiveFragment(_ skb: KernelAddress, index: Int, page: KernelAddress, offset: Int, size: Int,
                                   truesize: Int, on cpu: KernelCPU) {
        cpu.call(sites.addRxFrag) {
            guard let pfn = runtime.addressSpace.frame(ofPageHandle: page), let order = pages.allocationOrder(of: pfn) else {
                runtime.reportHarnessFinding(.badAccess, "skb_add_rx_frag: \(page) is not an allocated struct page of this machine",
                                             on: cpu, address: page)
                return
            }
            let blockSize = PAGE_SIZE << order
            let problem = state.withLock { s -> String? in
                guard let b = s.skbs[skb.raw], var shared = s.heads[b.head] else { return "" }
                guard index == shared.fragments.count, index < Self.maxFragments else {
                    return "skb_add_rx_frag: fragment \(index) of an skb with nr_frags \(shared.fragments.count) "
                        + "(MAX_SKB_FRAGS \(Self.maxFragments))"
                }
                guard offset >= 0, size >= 0, offset <= blockSize - size else {
                    return "skb_add_rx_frag: offset \(offset) size \(size) outside the \(blockSize)-byte page block"
                }
                guard !s.heads.values.contains(where: { $0.fragments.contains { $0.page == page.raw } }) else {
                    return "skb_add_rx_frag: page \(page) is already an skb fragment (no page references are modelled)"
                }
                shared.fragments.append(SkbState.Fragment(page: page.raw, offset: offset, size: size))
                s.heads[b.head] = shared
                s.skbs[skb.raw]?.dataLength += size
                return nil
            }
            switch problem {
            case nil: break
            case ""?: notAnSkb(skb, "skb_add_rx_frag", on: cpu)
            case let message?: runtime.reportHarnessFinding(.misuse, message, on: cpu, address: skb)
            }
        }
    }

    /// `skb_frag_add_head(skb, frag)` plus the callers' accounting. Refused: a member that is
    /// not a sole-user skb of its own, or one whose frag lists lead back to `skb`'s data (a cycle
    /// the kernel would walk forever).
    public func addToFragList(_ skb: KernelAddress, _ member: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.fragAddHead) {
            let problem = state.withLock { s -> String? in
                guard let b = s.skbs[skb.raw] else { return "" }
                guard let m = s.skbs[member.raw] else { return "skb_frag_add_head: \(member) is not a live sk_buff" }
                guard m.owner == nil, m.users == 1 else {
                    return "skb_frag_add_head: \(member) is shared (users \(m.users)) or already owned"
                }
                guard !reaches(member.raw, head: b.head, in: s, depth: 0) else {
                    return "skb_frag_add_head: \(member) would put \(skb)'s data on its own frag list"
                }
                s.heads[b.head]?.fragList.insert(member.raw, at: 0)
                s.skbs[member.raw]?.owner = .fragList(of: skb.raw)
                s.skbs[skb.raw]?.dataLength += m.length
                return nil
            }
            switch problem {
            case nil: break
            case ""?: notAnSkb(skb, "skb_frag_add_head", on: cpu)
            case let message?: runtime.reportHarnessFinding(.misuse, message, on: cpu, address: skb)
            }
        }
    }

    /// Whether `skb`'s data, or any frag list under it, is the head `head` (or nesting is deeper
    /// than `maxFragListDepth`, which is refused the same way).
    private func reaches(_ skb: UInt64, head: UInt64, in s: SkbState, depth: Int) -> Bool {
        guard let b = s.skbs[skb] else { return false }
        if b.head == head || depth >= Self.maxFragListDepth { return true }
        return s.heads[b.head]?.fragList.contains { reaches($0, head: head, in: s, depth: depth + 1) } ?? false
    }

    /// The skb's data in order as direct-map ranges, `skb->len` bytes at most: the head's
    /// `skb_headlen` bytes, each fragment, then each frag-list member's data.
    func segments(of skb: UInt64, in s: SkbState) -> [(address: KernelAddress, length: Int)] {
        var out: [(address: KernelAddress, length: Int)] = []
        var left = s.skbs[skb]?.length ?? 0
        appendSegments(of: skb, in: s, depth: 0, left: &left, to: &out)
        return out
    }

    private func appendSegments(of skb: UInt64, in s: SkbState, depth: Int, left: inout Int,
                                to out: inout [(address: KernelAddress, length: Int)]) {
        guard let b = s.skbs[skb], let shared = s.heads[b.head], depth <= Self.maxFragListDepth else { return }
        func add(_ address: KernelAddress, _ length: Int) {
            let n = min(length, left)
            if n > 0 { out.append((address, n)); left -= n }
        }
        add(KernelAddress(b.head) + b.data, b.headLength)
        for f in shared.fragments {
            guard let pfn = runtime.addressSpace.frame(ofPageHandle: KernelAddress(f.page)) else { continue }
            add(runtime.addressSpace.directMapAddress(of: pfn) + f.offset, f.size)
        }
        for member in shared.fragList { appendSegments(of: member, in: s, depth: depth + 1, left: &left, to: &out) }
    }

    /// What `kmsan_check_skb` reads of the skb.
    func layout(of skb: UInt64, in s: SkbState, depth: Int = 0) -> SkbLayout? {
        guard let b = s.skbs[skb], let shared = s.heads[b.head], depth <= Self.maxFragListDepth else { return nil }
        let fragments = shared.fragments.compactMap { f -> SkbLayout.Fragment? in
            guard let pfn = runtime.addressSpace.frame(ofPageHandle: KernelAddress(f.page)) else { return nil }
            return SkbLayout.Fragment(address: runtime.addressSpace.directMapAddress(of: pfn) + f.offset, size: f.size)
        }
        return SkbLayout(data: KernelAddress(b.head) + b.data, headLength: b.headLength, length: b.length,
                         fragments: fragments, fragList: shared.fragList.compactMap { layout(of: $0, in: s, depth: depth + 1) })
    }
}
