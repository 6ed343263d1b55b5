import KernelMemory

/// What `kmsan_check_skb` reads of a `struct sk_buff`: the head's data, `skb->len`, the page
/// fragments of its shared info and the skbs on its frag list.
public struct SkbLayout: Sendable, Equatable {
    /// A page fragment (`skb_frag_t`): the direct-map address of its first byte and its size.
    public struct Fragment: Sendable, Equatable {
        /// `page_address(skb_frag_page(f)) + skb_frag_off(f)`.
        public var address: KernelAddress
        /// `skb_frag_size(f)`.
        public var size: Int

        /// Creates a fragment.
        public init(address: KernelAddress, size: Int) {
            self.address = address
            self.size = size
        }
    }

    /// `skb->data`.
    public var data: KernelAddress
    /// `skb_headlen(skb)`.
    public var headLength: Int
    /// `skb->len`.
    public var length: Int
    /// `skb_shinfo(skb)->frags[0 ..< nr_frags]`.
    public var fragments: [Fragment]
    /// `skb_shinfo(skb)->frag_list`, in list order.
    public var fragList: [SkbLayout]

    /// Creates a layout.
    public init(data: KernelAddress, headLength: Int, length: Int, fragments: [Fragment] = [], fragList: [SkbLayout] = []) {
        self.data = data
        self.headLength = headLength
        self.length = length
        self.fragments = fragments
        self.fragList = fragList
    }
}

/// RFC v3's skb hook (mainline has none: see `KMSANPolicy.SkbTransmitCheck`).
extension KMSANRuntime {
    /// `kmsan_check_skb(skb)` as the 2019 RFC v3 seed wrote it: nothing for an empty skb; the
    /// head's `skb_headlen` bytes checked (`uninit-value`); the fragment loop runs, but it
    /// passes `copy = 0` as the length to `skb_frag_foreach_page`, whose body so never runs:
    /// no fragment is checked (the seed's bug, kept); then each skb of the frag list, by a
    /// recursive call. Ungated, as the seed's helper takes no runtime guard.
    public func checkSkb(_ skb: SkbLayout, on cpu: KernelCPU) {
        hook(cpu, hookSites.checkSkb, gate: .ungated) { checkSkbBody(skb, depth: 0, on: cpu) }
    }

    /// One level of the seed's recursion; the frag lists of real skbs are one level deep, so a
    /// deeper one (a program chaining frag lists) stops at 64 levels rather than overflow.
    private func checkSkbBody(_ skb: SkbLayout, depth: Int, on cpu: KernelCPU) {
        guard skb.length > 0, depth < 64 else { return }
        checkRange(skb.data, size: skb.headLength, userAddress: nil, reason: .any, on: cpu)
        let copy = 0
        for fragment in skb.fragments {
            // skb_frag_foreach_page(f, skb_frag_off(f) - start, copy, ...): a zero length, so
            // the loop body (kmap_atomic, kmsan_internal_check_memory) is never entered.
            var walked = 0
            while walked < copy {
                let chunk = min(copy - walked, PAGE_SIZE - (fragment.address + walked).pageOffset)
                checkRange(fragment.address + walked, size: chunk, userAddress: nil, reason: .any, on: cpu)
                walked += chunk
            }
        }
        for member in skb.fragList {
            cpu.call(hookSites.checkSkb) { checkSkbBody(member, depth: depth + 1, on: cpu) }
        }
    }
}
