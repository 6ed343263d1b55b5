import HarnessCore
import KMSAN
import KernelMemory

/// Receive: one bulk IN URB, always queued, whose buffer is the data of the next skb.
extension UXNetDriver {
    /// `ETH_HLEN`: a shorter frame is a runt and dropped.
    static let ethernetHeader = 14

    /// `uxnet_rx_submit`: a fresh skb (`netdev_alloc_skb`) whose data the receive URB fills;
    /// `usb_submit_urb` unpoisons the whole buffer (`kmsan_handle_urb`, IN).
    func submitReceive(_ net: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.rxSubmit) {
            guard let adapter = adapters.withLock({ $0[net.raw] }), adapter.bound,
                  let number = usb.deviceNumber(adapter.udev),
                  let rx = skb.netdevAllocSkb(net, length: Self.rxBufferSize, on: cpu),
                  let data = skb.field(.data, of: rx) else { return }
            let pipe = USBPipe(.bulk, device: number, endpoint: Self.bulkIn, isIn: true).rawValue
            let completion = URBCompletion.handler { [weak self] urb, cpu in self?.receiveComplete(urb, on: cpu) }
            usb.fillURB(adapter.rxURB, URBFill(device: adapter.udev, pipe: pipe, buffer: KernelAddress(data),
                                               length: Self.rxBufferSize, completion: completion), on: cpu)
            adapters.withLock { $0[net.raw]?.rxSkb = rx }
            if usb.submitURB(adapter.rxURB, gfp: .atomic, on: cpu) != 0 {
                adapters.withLock { $0[net.raw]?.rxSkb = .null }
                skb.free(rx, .drop, on: cpu)
            }
        }
    }

    /// `uxnet_rx_complete(urb)`: a frame of at least `ETH_HLEN` bytes is put into its skb and
    /// handed to the stack (`netif_rx`); a runt is dropped. While bound the URB is resubmitted
    /// with a fresh skb; a killed or shut-down URB only frees its skb.
    func receiveComplete(_ urb: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.rxComplete) {
            guard let (net, rx, bound) = adapters.withLock({ a -> (UInt64, KernelAddress, Bool)? in
                guard let (net, adapter) = a.first(where: { $0.value.rxURB == urb }) else { return nil }
                a[net]?.rxSkb = .null
                return (net, adapter.rxSkb, adapter.bound)
            }), !rx.isNull else { return }
            let status = Int64(bitPattern: usb.field(.status, of: urb) ?? 0)
            let actual = Int(usb.field(.actualLength, of: urb) ?? 0)
            if status == 0, actual >= Self.ethernetHeader, skb.put(rx, actual, on: cpu) != nil {
                skb.netifRx(rx, on: cpu)
            } else {
                skb.free(rx, .drop, on: cpu)
            }
            if status == 0, bound { submitReceive(KernelAddress(net), on: cpu) }
        }
    }

    /// The adapter's hardware receives a frame of `length` bytes into the queued URB.
    func hardwareReceive(_ net: KernelAddress, length: Int, on cpu: KernelCPU) {
        guard let adapter = adapter(net, "uxnet_hw_rx", on: cpu) else { return }
        guard !adapter.rxSkb.isNull else {
            runtime.reportHarnessFinding(.misuse, "uxnet_hw_rx: no receive URB is queued on \(net)", on: cpu, address: net)
            return
        }
        usb.giveback(adapter.rxURB, actualLength: length, status: 0, caller: nil, on: cpu)
    }
}
