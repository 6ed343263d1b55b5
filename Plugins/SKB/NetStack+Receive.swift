import HarnessCore
import KMSAN
import KernelMemory

/// Receive through the simulated NIC, and the copy of an skb's data to user space
/// (net/core/datagram.c).
extension NetStack {
    /// `vnic_rx`: `netdev_alloc_skb(dev, length)`, `dma_map_single` of its data for the device
    /// (FROM_DEVICE: the DMA hook unpoisons the buffer), the device writes the frame, the
    /// mapping goes, and `skb_put(skb, length)`. The skb the stack would deliver, or nil.
    public func receive(on device: KernelAddress, length: Int, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.receive) { () -> KernelAddress? in
            guard let dmaDevice = state.withLock({ $0.devices[device.raw].map { KernelAddress($0.dmaDevice) } }) else {
                notADevice(device, "netif_receive", on: cpu)
                return nil
            }
            guard length > 0, length <= Self.maxSize, let skb = netdevAllocSkb(device, length: length, on: cpu),
                  let data = field(.data, of: skb) else { return nil }
            let handle = dma.mapSingle(dmaDevice, KernelAddress(data), size: length, direction: .fromDevice, on: cpu)
            guard handle != Self.mappingError else {
                free(skb, .drop, on: cpu)
                return nil
            }
            dma.deviceWrite(dmaDevice, handle, offset: 0, length: length, on: cpu)
            dma.unmapSingle(dmaDevice, handle, size: length, direction: .fromDevice, on: cpu)
            _ = put(skb, length, on: cpu)
            return skb
        }
    }

    /// `netif_rx`: queued on `skb->dev` (a driver's device), held by the queue.
    public func netifRx(_ skb: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.netifRx) {
            let problem = state.withLock { s -> String? in
                guard let b = s.skbs[skb.raw] else { return "netif_rx: \(skb) is not a live sk_buff of this machine" }
                guard b.owner == nil, s.devices[b.device] != nil else {
                    return "netif_rx: sk_buff \(skb) has no net device or is already owned"
                }
                s.skbs[skb.raw]?.owner = .receiveQueue(of: b.device)
                s.devices[b.device]?.received.append(skb.raw)
                return nil
            }
            if let problem { runtime.reportHarnessFinding(.misuse, problem, on: cpu, address: skb) }
        }
    }

    /// The next queued skb of `device`, handed to the caller.
    public func receiveNext(from device: KernelAddress, on cpu: KernelCPU) -> KernelAddress? {
        let outcome = state.withLock { s -> UInt64?? in
            guard let d = s.devices[device.raw] else { return nil }
            guard let first = d.received.first else { return .some(nil) }
            s.devices[device.raw]?.received.removeFirst()
            s.skbs[first]?.owner = nil
            return .some(first)
        }
        switch outcome {
        case nil: notADevice(device, "skb_recv_datagram", on: cpu); return nil
        case .some(let skb): return skb.map { KernelAddress($0) }
        }
    }

    /// `skb_copy_datagram_iter(skb, offset, to, len)` -> `__skb_datagram_iter`: each piece of
    /// the data from `offset` (head, fragments, frag list) goes through `simple_copy_to_iter`
    /// -> `_copy_to_iter`, whose user copy is checked (`kernel-infoleak`) piece by piece. -EFAULT
    /// when the range passes `skb->len` or a copy falls short.
    public func copyDatagram(_ skb: KernelAddress, offset: Int, to: KernelAddress, length: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.copyDatagram) {
            cpu.call(sites.datagramIter) { () -> Int in
                guard let (total, pieces) = state.withLock({ s -> (Int, [(address: KernelAddress, length: Int)])? in
                    guard let b = s.skbs[skb.raw] else { return nil }
                    return (b.length, segments(of: skb.raw, in: s))
                }) else {
                    notAnSkb(skb, "skb_copy_datagram_iter", on: cpu)
                    return -Errno.EFAULT
                }
                guard offset >= 0, length >= 0, offset <= total - min(length, total), length <= total else {
                    return -Errno.EFAULT
                }
                var skip = offset, left = length, at = to
                for piece in pieces where left > 0 {
                    if skip >= piece.length { skip -= piece.length; continue }
                    let n = min(piece.length - skip, left)
                    let notCopied = cpu.call(sites.simpleCopy) {
                        cpu.call(sites.copyToIter) {
                            cpu.call(sites.copyToIterInner) {
                                cpu.call(sites.copyToUserIter) { userAccess.copyToUser(at, piece.address + skip, count: n, on: cpu) }
                            }
                        }
                    }
                    if notCopied > 0 { return -Errno.EFAULT }
                    skip = 0
                    left -= n
                    at = at + n
                }
                return 0
            }
        }
    }
}
