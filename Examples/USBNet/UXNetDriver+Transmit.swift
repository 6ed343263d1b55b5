import HarnessCore
import KMSAN
import KernelMemory

/// Transmit: the skb's data becomes a bulk OUT URB behind the adapter's header.
extension UXNetDriver {
    /// `uxnet_start_xmit(skb, net)`: the header pushed into the headroom (a frame without 8
    /// bytes of headroom, or with fragments, is dropped: this small adapter takes linear frames),
    /// the URB filled with `skb->data` and submitted (`kmsan_handle_urb` checks all of it), and
    /// the skb kept until the URB completes. The header:
    ///
    /// | offset | field        | value                                                  |
    /// |--------|--------------|--------------------------------------------------------|
    /// | 0      | `__le16 len` | the frame's length                                     |
    /// | 2      | `__le16 flags` | `UXNET_TX_FIRST | UXNET_TX_LAST` (0xc000)              |
    /// | 4      | `__le32 csum` | the checksum-offload word: 0 without offload          |
    ///
    /// With the planted bug the `csum = 0` branch is missing, as in real infoleaks.
    func startTransmit(_ skbPointer: KernelAddress, _ net: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.startXmit) {
            guard adapter(net, "uxnet_start_xmit", on: cpu) != nil, let headroom = skb.field(.headroom, of: skbPointer),
                  let dataLength = skb.field(.dataLen, of: skbPointer), let length = skb.field(.len, of: skbPointer),
                  headroom >= UInt64(Self.headerSize), dataLength == 0, length <= 0xffff - UInt64(Self.headerSize) else {
                skb.free(skbPointer, .drop, on: cpu)
                return
            }
            guard let header = skb.push(skbPointer, Self.headerSize, on: cpu) else {
                skb.free(skbPointer, .drop, on: cpu)
                return
            }
            runtime.store(.initialized(length, width: .bits16), to: header, on: cpu)
            runtime.store(.initialized(0xc000, width: .bits16), to: header + 2, on: cpu)
            if !plantedBug { runtime.store(.initialized(0, width: .bits32), to: header + 4, on: cpu) }
            guard let urb = usb.allocURB(isoPackets: 0, gfp: .atomic, on: cpu),
                  let udev = adapters.withLock({ $0[net.raw]?.udev }), let number = usb.deviceNumber(udev) else {
                skb.free(skbPointer, .drop, on: cpu)
                return
            }
            let pipe = USBPipe(.bulk, device: number, endpoint: Self.bulkOut, isIn: false).rawValue
            let completion = URBCompletion.handler { [weak self] urb, cpu in self?.transmitComplete(urb, on: cpu) }
            usb.fillURB(urb, URBFill(device: udev, pipe: pipe, buffer: header, length: Int(length) + Self.headerSize,
                                     completion: completion), on: cpu)
            adapters.withLock { $0[net.raw]?.transmits[urb.raw] = skbPointer }
            if usb.submitURB(urb, gfp: .atomic, on: cpu) != 0 {
                adapters.withLock { _ = $0[net.raw]?.transmits.removeValue(forKey: urb.raw) }
                usb.freeURB(urb, on: cpu)
                skb.free(skbPointer, .drop, on: cpu)
            }
        }
    }

    /// `uxnet_tx_complete(urb)`: the skb is consumed (dev_kfree_skb_any) and the URB freed,
    /// whatever the status (sent, killed, or shut down).
    func transmitComplete(_ urb: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.txComplete) {
            let carried = adapters.withLock { a -> KernelAddress? in
                for (net, adapter) in a where adapter.transmits[urb.raw] != nil {
                    return a[net]?.transmits.removeValue(forKey: urb.raw)
                }
                return nil
            }
            if let carried { skb.free(carried, .consume, on: cpu) }
            usb.freeURB(urb, on: cpu)
        }
    }

    /// The adapter's hardware sends every queued frame: each transmit URB is given back.
    func hardwareTransmitDone(_ net: KernelAddress, on cpu: KernelCPU) -> Int {
        guard let adapter = adapter(net, "uxnet_hw_tx_done", on: cpu) else { return 0 }
        let urbs = adapter.transmits.keys.sorted()
        for urb in urbs {
            let length = usb.field(.transferBufferLength, of: KernelAddress(urb)) ?? 0
            usb.giveback(KernelAddress(urb), actualLength: Int(length), status: 0, caller: nil, on: cpu)
        }
        return urbs.count
    }
}
