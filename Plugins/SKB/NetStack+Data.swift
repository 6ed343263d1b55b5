import HarnessCore
import KMSAN
import KernelMemory

/// The head's data pointers (include/linux/skbuff.h, net/core/skbuff.c): what each call
/// moves, and the kernel's BUG()s as HARNESS findings in `skb_panic`'s words (the call then
/// leaves the skb as it was and returns NULL, where the kernel would not return).
extension NetStack {
    /// What a data-pointer call finds.
    enum Adjustment {
        case done(KernelAddress)
        case unknown
        case refused(HarnessErrorKind, String)
    }

    /// `skb_reserve(skb, len)`: data and tail move by `len` (an inline with no check; a move
    /// outside the head is refused here, since the kernel's next access would corrupt memory).
    public func reserve(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) {
        cpu.call(sites.reserve) {
            _ = finish(adjust(skb) { b, shared, _ in
                guard length >= -b.data, length <= shared.end - b.tail else {
                    return .refused(.misuse, "skb_reserve: \(length) bytes would move data outside the head "
                                    + "(headroom \(b.data), tailroom \(shared.end - b.tail))")
                }
                b.data += length
                return .done(.null)
            }, "skb_reserve", skb, on: cpu)
        }
    }

    /// `skb_put(skb, len)`: the old tail; `skb_over_panic` past the end, and
    /// `SKB_LINEAR_ASSERT` for an skb with fragments.
    public func put(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.put) { putBody(skb, length, on: cpu) }
    }

    /// The body of `skb_put`.
    func putBody(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress? {
        finish(adjust(skb) { b, shared, device in
            guard b.dataLength == 0 else {
                return .refused(.misuse, "skb_put: SKB_LINEAR_ASSERT: the skb is nonlinear (data_len \(b.dataLength))")
            }
            guard length >= 0, length <= shared.end - b.tail else {
                return .refused(.misuse, panicText("skb_over_panic", skb, b, shared, put: length, device: device))
            }
            let old = KernelAddress(b.head) + b.tail
            b.headLength += length
            return .done(old)
        }, "skb_put", skb, on: cpu)
    }

    /// `skb_put_data(skb, data, len)`: `skb_put`, then `memcpy` of the data with its metadata.
    public func putData(_ skb: KernelAddress, from source: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.putData) { () -> KernelAddress? in
            guard let tail = cpu.call(sites.put, { putBody(skb, length, on: cpu) }) else { return nil }
            runtime.memcpy(tail, source, count: length, on: cpu)
            return tail
        }
    }

    /// `skb_push(skb, len)`: the new data; `skb_under_panic` past the head.
    public func push(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.push) {
            finish(adjust(skb) { b, shared, device in
                guard length >= 0, length <= b.data else {
                    return .refused(.misuse, panicText("skb_under_panic", skb, b, shared, put: length, device: device))
                }
                b.data -= length
                b.headLength += length
                return .done(KernelAddress(b.head) + b.data)
            }, "skb_push", skb, on: cpu)
        }
    }

    /// `skb_pull(skb, len)`: NULL when `len > skb->len`; a pull into the fragments BUG()s in
    /// `__skb_pull` (`skb->len < skb->data_len`).
    public func pull(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.pull) {
            finish(adjust(skb) { b, _, _ in
                guard length >= 0, length <= b.length else { return .done(.null) }
                guard length <= b.headLength else {
                    return .refused(.misuse, "skb_pull: kernel BUG in __skb_pull: pulling \(length) of \(b.headLength) "
                                    + "linear bytes leaves len < data_len (\(b.dataLength))")
                }
                b.data += length
                b.headLength -= length
                return .done(KernelAddress(b.head) + b.data)
            }, "skb_pull", skb, on: cpu)
        }
    }

    /// Runs `body` on the skb and its shared data under the lock.
    func adjust(_ skb: KernelAddress, _ body: (inout SkbState.Skb, SkbState.SharedData, String) -> Adjustment) -> Adjustment {
        state.withLock { s in
            guard var b = s.skbs[skb.raw], let shared = s.heads[b.head] else { return .unknown }
            let result = body(&b, shared, s.devices[b.device]?.name ?? "<NULL>")
            s.skbs[skb.raw] = b
            return result
        }
    }

    /// Reports what `adjust` refused; the address, or nil.
    func finish(_ adjustment: Adjustment, _ api: String, _ skb: KernelAddress, on cpu: KernelCPU) -> KernelAddress? {
        switch adjustment {
        case .done(let address): return address.isNull ? nil : address
        case .unknown: notAnSkb(skb, api, on: cpu); return nil
        case .refused(let kind, let message):
            runtime.reportHarnessFinding(kind, message, on: cpu, address: skb)
            return nil
        }
    }

    /// `skb_panic`'s line: "skb_over_panic: text:... len:%d put:%d head:%px data:%px tail:%#lx
    /// end:%#lx dev:%s" (the text address is the caller's; here the skb's).
    func panicText(_ name: String, _ skb: KernelAddress, _ b: SkbState.Skb, _ shared: SkbState.SharedData, put: Int,
                   device: String) -> String {
        return "\(name): text:\(skb) len:\(b.length) put:\(put) head:\(KernelAddress(b.head)) "
            + "data:\(KernelAddress(b.head) + b.data) tail:0x\(String(b.tail, radix: 16)) end:0x\(String(shared.end, radix: 16)) "
            + "dev:\(device)"
    }
}
