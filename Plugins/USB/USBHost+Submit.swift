import HarnessCore
import KMSAN
import KernelMemory

/// `usb_submit_urb` as drivers/usb/core/urb.c orders its checks, and the host controller taking
/// the URB (`usb_hcd_submit_urb`).
extension USBHost {
    /// `usb_submit_urb(urb, gfp)`: 0, or the negative errno of the first check that fails.
    public func submitURB(_ urb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> Int {
        cpu.call(sites.submitURB) { () -> Int in
            let (found, device) = state.withLock { s -> (USBState.URB?, USBState.Device?) in
                let u = s.urbs[urb.raw]
                return (u, u?.fill.flatMap { s.devices[$0.device.raw] })
            }
            guard let u = found else {
                notAURB(urb, "usb_submit_urb", on: cpu)
                return -Errno.EINVAL
            }
            guard let fill = u.fill, !fill.completion.isNone else { return -Errno.EINVAL }
            if u.inFlight {
                // WARN_ONCE(1, "URB %pK submitted while active\n", urb)
                runtime.reportHarnessFinding(.misuse, "URB \(urb) submitted while active", on: cpu, address: urb)
                return -Errno.EBUSY
            }
            guard let dev = device else { return -Errno.ENODEV }
            guard dev.attached else {
                runtime.reportHarnessFinding(.misuse, "usb_submit_urb: \(dev.name) is disconnected (USB_STATE_NOTATTACHED)",
                                             on: cpu, address: fill.device)
                return -Errno.ENODEV
            }
            let pipe = USBPipe(rawValue: fill.pipe)
            guard let ep = dev.endpoint(for: pipe) else { return -Errno.ENOENT }
            let isOut: Bool
            if ep.kind == .control {
                guard !fill.setupPacket.isNull else { return -Errno.ENOEXEC }
                guard let out = controlDirection(fill, on: cpu) else { return -Errno.EBADR }
                isOut = out
            } else {
                isOut = !ep.isIn
            }
            runtime.handleURB(transferBuffer: fill.buffer, length: fill.length, isOut: isOut, on: cpu)
            guard ep.maxPacket > 0 else { return -Errno.EMSGSIZE }
            return cpu.call(sites.hcdSubmitURB) { () -> Int in
                state.withLock { s in
                    s.urbs[urb.raw]?.references += 1  // usb_get_urb: the host controller's reference
                    s.urbs[urb.raw]?.inFlight = true
                    s.urbs[urb.raw]?.isOut = isOut
                    s.urbs[urb.raw]?.status = -Errno.EINPROGRESS
                    s.urbs[urb.raw]?.actualLength = 0
                }
                return 0
            }
        }
    }

    /// A control URB's direction: `is_out = !(setup->bRequestType & USB_DIR_IN) ||
    /// !setup->wLength`, then `wLength != transfer_buffer_length` is -EBADR (nil). Compiled
    /// code branches on both fields, so an uninitialized one is an uninit-value here; the hook
    /// never checks the setup packet itself.
    private func controlDirection(_ fill: URBFill, on cpu: KernelCPU) -> Bool? {
        let requestType = runtime.load(.bits8, from: fill.setupPacket, on: cpu)
        let wLength = runtime.load(.bits16, from: fill.setupPacket + 6, on: cpu)
        let dirIn = ShadowedValue.and(requestType, .initialized(0x80, width: .bits8))
        runtime.branch(on: dirIn, on: cpu)
        var isOut = dirIn.value == 0
        if !isOut {
            runtime.branch(on: wLength, on: cpu)
            isOut = wLength.value == 0
        }
        let wide = ShadowedValue(value: wLength.value, shadow: wLength.shadow, origin: wLength.origin, width: .bits32)
        let mismatch = ShadowedValue.notEqual(wide, .initialized(UInt64(truncatingIfNeeded: fill.length), width: .bits32))
        runtime.branch(on: mismatch, on: cpu)
        return mismatch.value == 0 ? isOut : nil
    }
}

extension URBCompletion {
    /// Whether there is no handler (`urb->complete == NULL`).
    var isNone: Bool { if case .none = self { true } else { false } }
}
