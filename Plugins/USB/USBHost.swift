import HarnessCore
import KMSAN
import KernelMemory

/// One machine's USB host: devices, URBs, and the host controller (see `USBPlugin`). Device
/// and URB pointers are stand-ins in an unmapped range, never dereferenced. Thread-safe: one
/// lock guards the state, and no handler runs while it is held.
public final class USBHost: USBSubsystem {
    /// The runtime.
    public let runtime: KMSANRuntime
    let slab: any SlabSubsystem
    let state = Locked(USBState())
    let sites: USBSites

    /// Where device pointers start.
    static let deviceBase: UInt64 = 0xffff_fd00_0000_0000
    /// Where URB pointers start (`sizeof(struct urb)` apart).
    static let urbBase: UInt64 = 0xffff_fd80_0000_0000
    /// The most devices one bus numbers (devnum 1...127).
    static let maxDevices = 127
    /// The most URBs alive at once: a program allocating more gets NULL, as under memory pressure.
    static let maxURBs = 4096

    init(runtime: KMSANRuntime, slab: any SlabSubsystem) {
        self.runtime = runtime
        self.slab = slab
        sites = USBSites(symbols: runtime.symbols)
    }

    /// The state, for the fuzzer's restore.
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// URBs never freed (`usb_alloc_urb` kmallocs them: kmemleak would report each).
    public func outstandingAllocations() -> [OutstandingAllocation] {
        state.withLock { s in
            s.urbs.keys.sorted().map { OutstandingAllocation(address: $0, size: 192, kind: "urb (usb_alloc_urb)") }
        }
    }

    /// A new configured device; NULL once 127 are numbered.
    public func usbDevice(named name: String, on cpu: KernelCPU) -> KernelAddress {
        state.withLock { s in
            guard s.nextDevice < Self.maxDevices else { return .null }
            let address = Self.deviceBase + UInt64(s.nextDevice) * 0x1000
            s.nextDevice += 1
            s.devices[address] = USBState.Device(name: name, number: s.nextDevice)
            return KernelAddress(address)
        }
    }

    /// `udev->devnum`.
    public func deviceNumber(_ device: KernelAddress) -> Int? { state.withLock { $0.devices[device.raw]?.number } }

    /// Short reads from now on.
    public func setMaximumResponse(_ device: KernelAddress, length: Int, on cpu: KernelCPU) {
        let known = state.withLock { s -> Bool in
            guard s.devices[device.raw] != nil else { return false }
            s.devices[device.raw]?.maxResponse = max(0, length)
            return true
        }
        if !known { notADevice(device, "usb_device_short_reads", on: cpu) }
    }

    /// `usb_alloc_urb`: `kmalloc(struct_size(urb, iso_frame_desc, iso_packets))` then
    /// `usb_init_urb`, which zeroes it; NULL past `maxURBs` or for a negative packet count.
    public func allocURB(isoPackets: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(sites.allocURB) { () -> KernelAddress? in
            guard isoPackets >= 0, isoPackets <= 128 else { return nil }
            return state.withLock { s -> KernelAddress? in
                guard s.urbs.count < Self.maxURBs else { return nil }
                let address = Self.urbBase + UInt64(s.nextURB) * 0x100
                s.nextURB += 1
                s.urbs[address] = USBState.URB()
                return KernelAddress(address)
            }
        }
    }

    /// `usb_fill_*_urb`: sets the fields (the kernel's inline fills check nothing; the `int`
    /// buffer length lands in the `u32` transfer_buffer_length, so a negative one wraps). Refilling
    /// a URB in flight is a HARNESS misuse: the host controller still owns it.
    public func fillURB(_ urb: KernelAddress, _ fill: URBFill, on cpu: KernelCPU) {
        var fill = fill
        fill.length = Int(UInt32(truncatingIfNeeded: fill.length))
        let outcome = state.withLock { s -> Bool? in
            guard s.urbs[urb.raw] != nil else { return nil }
            guard s.urbs[urb.raw]?.inFlight == false else { return false }
            s.urbs[urb.raw]?.fill = fill
            return true
        }
        switch outcome {
        case nil: notAURB(urb, "usb_fill_urb", on: cpu)
        case false?: runtime.reportHarnessFinding(.misuse, "usb_fill_urb: URB \(urb) is in flight", on: cpu, address: urb)
        case true?: break
        }
    }

    /// `usb_get_urb`.
    public func getURB(_ urb: KernelAddress, on cpu: KernelCPU) {
        let known = state.withLock { s -> Bool in
            guard s.urbs[urb.raw] != nil else { return false }
            s.urbs[urb.raw]?.references += 1
            return true
        }
        if !known { notAURB(urb, "usb_get_urb", on: cpu) }
    }

    /// `usb_free_urb` -> `usb_put_urb`: the last reference frees the URB. A driver dropping its
    /// last reference to a URB in flight without killing it is a HARNESS misuse (the host
    /// controller's reference keeps it alive; the driver has lost track of it).
    public func freeURB(_ urb: KernelAddress, on cpu: KernelCPU) {
        guard !urb.isNull else { return }
        cpu.call(sites.freeURB) {
            enum Outcome { case unknown, inFlight, done }
            let outcome = state.withLock { s -> Outcome in
                guard var u = s.urbs[urb.raw] else { return .unknown }
                u.references -= 1
                let lastOfDriver = u.inFlight && u.references == 1
                if u.references <= 0 { s.urbs[urb.raw] = nil } else { s.urbs[urb.raw] = u }
                return lastOfDriver ? .inFlight : .done
            }
            switch outcome {
            case .unknown:
                runtime.reportHarnessFinding(.invalidFree, "usb_free_urb: \(urb) is not a live URB", on: cpu, address: urb)
            case .inFlight:
                runtime.reportHarnessFinding(.misuse, "usb_free_urb: URB \(urb) freed while in flight (not killed)",
                                             on: cpu, address: urb)
            case .done: break
            }
        }
    }

    /// A URB field.
    public func field(_ field: URBField, of urb: KernelAddress) -> UInt64? {
        state.withLock { s -> UInt64? in
            guard let u = s.urbs[urb.raw] else { return nil }
            switch field {
            case .status: return UInt64(bitPattern: Int64(u.status))
            case .actualLength: return UInt64(u.actualLength)
            case .transferBuffer: return u.fill?.buffer.raw ?? 0
            case .transferBufferLength: return UInt64(u.fill?.length ?? 0)
            }
        }
    }

    /// A HARNESS misuse: `pointer` names no URB.
    func notAURB(_ pointer: KernelAddress, _ api: String, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(.misuse, "\(api): \(pointer) is not a URB of this machine", on: cpu, address: pointer)
    }

    /// A HARNESS misuse: `pointer` names no device.
    func notADevice(_ pointer: KernelAddress, _ api: String, on cpu: KernelCPU) {
        runtime.reportHarnessFinding(.misuse, "\(api): \(pointer) is not a struct usb_device of this machine", on: cpu,
                                     address: pointer)
    }
}
