import HarnessCore
import KMSAN
import KernelMemory

/// Transmit through the simulated NIC (net/core/dev.c, and a driver in the style of
/// drivers/net/ethernet): `__dev_queue_xmit` linearizes an skb with a frag list (the NIC
/// advertises NETIF_F_SG but not NETIF_F_FRAGLIST, so `validate_xmit_skb` pulls it into the
/// head), then `dev_hard_start_xmit` hands it to `vnic_start_xmit`, which DMA-maps the head and
/// each fragment for the device to read. Completion unmaps and consumes it.
extension NetStack {
    /// `NET_XMIT_SUCCESS`.
    static let transmitSuccess = 0
    /// `NET_XMIT_DROP`.
    static let transmitDrop = 1

    /// `skb->dev = dev; dev_queue_xmit(skb)`.
    public func queueTransmit(_ skb: KernelAddress, device: KernelAddress, on cpu: KernelCPU) -> Int {
        cpu.call(sites.queueXmit) {
            cpu.call(sites.queueXmitInner) { () -> Int in
                let known = state.withLock { s -> (skb: Bool, device: Bool, owned: Bool) in
                    let b = s.skbs[skb.raw]
                    return (b != nil, s.devices[device.raw] != nil, b?.owner != nil)
                }
                guard known.device else { notADevice(device, "dev_queue_xmit", on: cpu); return Self.transmitDrop }
                guard known.skb else { notAnSkb(skb, "dev_queue_xmit", on: cpu); return Self.transmitDrop }
                guard !known.owned else {
                    runtime.reportHarnessFinding(.misuse, "dev_queue_xmit: sk_buff \(skb) is on a frag list or a transmit ring",
                                                 on: cpu, address: skb)
                    return Self.transmitDrop
                }
                state.withLock { $0.skbs[skb.raw]?.device = device.raw }
                if runtime.policy.skbTransmitCheck == .kmsanCheckSkb,
                   let layout = state.withLock({ layout(of: skb.raw, in: $0) }) {
                    runtime.checkSkb(layout, on: cpu)
                }
                guard cpu.call(sites.validateXmit, { linearizeFragList(skb, on: cpu) }) else {
                    free(skb, .drop, on: cpu)
                    return Self.transmitDrop
                }
                if let operations = state.withLock({ $0.devices[device.raw]?.operations }) {
                    cpu.call(sites.hardStartXmit) { operations.startXmit(skb, device, cpu) }
                    return Self.transmitSuccess
                }
                return cpu.call(sites.hardStartXmit) { cpu.call(sites.startXmit) { startTransmit(skb, device, on: cpu) } }
            }
        }
    }

    /// `__skb_linearize` of an skb with a frag list: a new private head of the headroom plus
    /// all data (memcpy, metadata with it); the old data's `dataref` is dropped. False when the
    /// new head cannot be allocated.
    private func linearizeFragList(_ skb: KernelAddress, on cpu: KernelCPU) -> Bool {
        guard let (b, pieces) = state.withLock({ s -> (SkbState.Skb, [(address: KernelAddress, length: Int)])? in
            guard let b = s.skbs[skb.raw], let shared = s.heads[b.head], !shared.fragList.isEmpty else { return nil }
            return (b, segments(of: skb.raw, in: s))
        }) else { return true }
        return cpu.call(sites.pullTail) { () -> Bool in
            guard let (head, end) = allocHead(b.data + b.length, gfp: .atomic, on: cpu) else { return false }
            copyHeadroomAndData(of: b, pieces, to: head, on: cpu)
            // The sk_buff moves to the new head; the old data loses this skb's dataref.
            state.withLock { s in
                s.heads[head.raw] = SkbState.SharedData(end: end)
                s.skbs[skb.raw]?.head = head.raw
                s.skbs[skb.raw]?.headLength = b.length
                s.skbs[skb.raw]?.dataLength = 0
            }
            releaseData(b.head, on: cpu)
            return true
        }
    }

    /// `vnic_start_xmit`: under mainline, `dma_map_single` of the head and `skb_frag_dma_map`
    /// of each fragment (`kmsan_handle_dma` checks each); a failed mapping unmaps what was
    /// mapped and drops the skb, as drivers do. Under RFC v3 the data was checked by
    /// `kmsan_check_skb` already and the device reads it unmapped. A full ring drops.
    private func startTransmit(_ skb: KernelAddress, _ device: KernelAddress, on cpu: KernelCPU) -> Int {
        typealias Snapshot = (SkbState.Skb, KernelAddress, Bool, [SkbState.Fragment])
        guard let (b, dmaDevice, full, fragments) = state.withLock({ s -> Snapshot? in
            guard let b = s.skbs[skb.raw], let d = s.devices[device.raw], let shared = s.heads[b.head] else { return nil }
            return (b, KernelAddress(d.dmaDevice), d.transmitRing.count >= Self.ringSize, shared.fragments)
        }) else { return Self.transmitDrop }
        guard !full else {
            free(skb, .drop, on: cpu)
            return Self.transmitDrop
        }
        var mappings: [SkbState.Mapping] = []
        if runtime.policy.skbTransmitCheck == .atDMAMapping {
            var failed = false
            if b.headLength > 0 {
                let handle = dma.mapSingle(dmaDevice, KernelAddress(b.head) + b.data, size: b.headLength, direction: .toDevice,
                                           on: cpu)
                if handle == NetStack.mappingError { failed = true } else {
                    mappings.append(SkbState.Mapping(handle: handle, size: b.headLength, isPage: false))
                }
            }
            for f in fragments where !failed && f.size > 0 {
                let handle = cpu.call(sites.fragDMAMap) {
                    dma.mapPage(dmaDevice, KernelAddress(f.page), offset: f.offset, size: f.size, direction: .toDevice, on: cpu)
                }
                if handle == NetStack.mappingError { failed = true } else {
                    mappings.append(SkbState.Mapping(handle: handle, size: f.size, isPage: true))
                }
            }
            if failed {
                unmap(mappings, dmaDevice, on: cpu)
                free(skb, .drop, on: cpu)
                return Self.transmitSuccess
            }
        }
        state.withLock { s in
            s.skbs[skb.raw]?.owner = .transmitRing(of: device.raw)
            s.devices[device.raw]?.transmitRing.append(SkbState.Transmit(skb: skb.raw, mappings: mappings))
        }
        return Self.transmitSuccess
    }

    /// DMA_MAPPING_ERROR.
    static var mappingError: UInt64 { UInt64.max }

    /// `vnic_poll`'s transmit clean-up: each pending skb's mappings unmapped, then consumed.
    public func completeTransmit(_ device: KernelAddress, on cpu: KernelCPU) -> Int {
        cpu.call(sites.poll) { () -> Int in
            guard let (ring, dmaDevice) = state.withLock({ s -> ([SkbState.Transmit], KernelAddress)? in
                guard let d = s.devices[device.raw] else { return nil }
                s.devices[device.raw]?.transmitRing = []
                for t in d.transmitRing { s.skbs[t.skb]?.owner = nil }
                return (d.transmitRing, KernelAddress(d.dmaDevice))
            }) else {
                notADevice(device, "netdev_tx_complete", on: cpu)
                return 0
            }
            for t in ring {
                unmap(t.mappings, dmaDevice, on: cpu)
                free(KernelAddress(t.skb), .consume, on: cpu)
            }
            return ring.count
        }
    }

    /// `dma_unmap_single`/`dma_unmap_page` of a transmit's mappings.
    private func unmap(_ mappings: [SkbState.Mapping], _ dmaDevice: KernelAddress, on cpu: KernelCPU) {
        for m in mappings {
            if m.isPage {
                dma.unmapPage(dmaDevice, m.handle, size: m.size, direction: .toDevice, on: cpu)
            } else {
                dma.unmapSingle(dmaDevice, m.handle, size: m.size, direction: .toDevice, on: cpu)
            }
        }
    }
}
