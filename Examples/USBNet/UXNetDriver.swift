import HarnessCore
import KMSAN
import KernelMemory

/// One machine's uxnet adapters (see `UXNetPlugin`): probe and disconnect. The driver keeps
/// what a `struct uxnet` private area would (its URBs and the skbs they carry) in one locked
/// value, and never holds the lock while it calls the USB or skb subsystem.
final class UXNetDriver: Subsystem {
    /// One bound adapter.
    struct Adapter: Sendable {
        var udev: KernelAddress
        var rxURB: KernelAddress
        /// The skb whose data the receive URB fills (NULL while none is queued).
        var rxSkb: KernelAddress = .null
        /// Transmit URBs in flight and the skb each carries.
        var transmits: [UInt64: KernelAddress] = [:]
        var bound = true
    }

    let runtime: KMSANRuntime
    let usb: any USBSubsystem
    let skb: any SkbSubsystem
    let slab: any SlabSubsystem
    let plantedBug: Bool
    let adapters = Locked<[UInt64: Adapter]>([:])
    let sites: UXNetSites

    /// The receive buffer: an Ethernet frame with the adapter's header (1514 + 8, rounded).
    static let rxBufferSize = 1536
    /// The hardware header in front of each transmitted frame.
    static let headerSize = 8
    /// `UXNET_REQ_READ_MAC`, a vendor request.
    static let readMACRequest: UInt8 = 0x01
    /// `USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_DEVICE`.
    static let vendorIn: UInt8 = 0xc0
    /// The adapter's endpoints: bulk IN 1 for frames in, bulk OUT 2 for frames out.
    static let bulkIn = 1, bulkOut = 2

    init(runtime: KMSANRuntime, usb: any USBSubsystem, skb: any SkbSubsystem, slab: any SlabSubsystem, plantedBug: Bool) {
        self.runtime = runtime
        self.usb = usb
        self.skb = skb
        self.slab = slab
        self.plantedBug = plantedBug
        sites = UXNetSites(symbols: runtime.symbols)
    }

    /// Adapters' state, for the fuzzer's restore.
    func saveState() -> SavedState? { adapters.saveState() }

    /// Puts back a state `saveState()` returned.
    func restoreState(_ saved: SavedState) { adapters.restoreState(saved) }

    /// The adapter's URBs and the skbs it holds are accounted by the USB and skb plugins.
    func outstandingAllocations() -> [OutstandingAllocation] { [] }

    /// `uxnet_probe`: read the MAC (`uxnet_read_cmd` -> `usb_control_msg`), register the net
    /// device with `uxnet_start_xmit` as its transmit, and queue the first receive.
    func probe(_ udev: KernelAddress, on cpu: KernelCPU) -> KernelAddress {
        cpu.call(sites.probe) { () -> KernelAddress in
            guard let number = usb.deviceNumber(udev) else {
                runtime.reportHarnessFinding(.misuse, "uxnet_probe: \(udev) is not a struct usb_device", on: cpu, address: udev)
                return .null
            }
            guard readMAC(udev, number, on: cpu) else { return .null }
            let operations = NetDeviceOperations { [weak self] skbPointer, net, cpu in
                self?.startTransmit(skbPointer, net, on: cpu)
            }
            let net = skb.registerNetDevice(named: "uxnet\(number)", operations: operations, on: cpu)
            guard !net.isNull, let urb = usb.allocURB(isoPackets: 0, gfp: .kernel, on: cpu) else { return .null }
            adapters.withLock { $0[net.raw] = Adapter(udev: udev, rxURB: urb) }
            submitReceive(net, on: cpu)
            return net
        }
    }

    /// `uxnet_read_cmd(dev, UXNET_REQ_READ_MAC, 0, 0, 6, buf)`: a kmalloc'ed buffer (control
    /// transfers must not use the stack), the vendor IN request, the copy out, the free.
    private func readMAC(_ udev: KernelAddress, _ number: Int, on cpu: KernelCPU) -> Bool {
        cpu.call(sites.readCommand) { () -> Bool in
            guard let buffer = slab.kmalloc(6, gfp: .kernel, on: cpu) else { return false }
            let pipe = USBPipe(.control, device: number, endpoint: 0, isIn: true).rawValue
            let got = usb.controlMessage(udev, pipe: pipe, request: Self.readMACRequest, requestType: Self.vendorIn,
                                         value: 0, index: 0, data: buffer, size: 6, on: cpu)
            slab.kfree(buffer, on: cpu)
            return got == 6
        }
    }

    /// `uxnet_disconnect`: unbind, then kill the receive URB and every transmit in flight
    /// (their handlers see -ENOENT and free their skbs), and free the URBs.
    func disconnect(_ net: KernelAddress, on cpu: KernelCPU) {
        cpu.call(sites.disconnect) {
            guard let adapter = adapters.withLock({ a -> Adapter? in
                guard let adapter = a[net.raw], adapter.bound else { return nil }
                a[net.raw]?.bound = false
                return adapter
            }) else {
                runtime.reportHarnessFinding(.misuse, "uxnet_disconnect: \(net) is not a bound uxnet adapter", on: cpu,
                                             address: net)
                return
            }
            usb.killURB(adapter.rxURB, caller: nil, on: cpu)
            usb.freeURB(adapter.rxURB, on: cpu)
            for urb in adapter.transmits.keys.sorted() { usb.killURB(KernelAddress(urb), caller: nil, on: cpu) }
        }
    }

    /// The adapter bound to `net`, or a HARNESS misuse naming `api`.
    func adapter(_ net: KernelAddress, _ api: String, on cpu: KernelCPU) -> Adapter? {
        guard let adapter = adapters.withLock({ $0[net.raw] }), adapter.bound else {
            runtime.reportHarnessFinding(.misuse, "\(api): \(net) is not a bound uxnet adapter", on: cpu, address: net)
            return nil
        }
        return adapter
    }
}

/// The driver's frames (drivers/net/usb/uxnet.c, a file of this example).
struct UXNetSites: Sendable {
    let probe, readCommand, disconnect, startXmit, txComplete, rxSubmit, rxComplete: CallSite

    init(symbols: SymbolTable) {
        func frame(_ name: String) -> CallSite { symbols.site(in: name) }
        // Probe and disconnect are what the USB core calls: misuse of them is the caller's.
        probe = symbols.site(in: "uxnet_probe", role: .subsystemEntry); readCommand = frame("uxnet_read_cmd")
        disconnect = symbols.site(in: "uxnet_disconnect", role: .subsystemEntry)
        startXmit = frame("uxnet_start_xmit"); txComplete = frame("uxnet_tx_complete")
        rxSubmit = frame("uxnet_rx_submit"); rxComplete = frame("uxnet_rx_complete")
    }
}
