import HarnessCore
import KMSAN
import KernelMemory

/// The host controller's side: giving URBs back (`usb_hcd_giveback_urb` ->
/// `__usb_hcd_giveback_urb` -> `urb->complete(urb)`), `usb_kill_urb`, and unplugging a device.
/// In 6.18 the giveback runs in a bottom half; here it runs where the program asks for it.
extension USBHost {
    /// The device finishes `urb`: an IN transfer gets `min(actualLength, transfer_buffer_length,
    /// the device's short-read limit)` bytes of data (0xa0 + offset pattern, data only); an OUT
    /// transfer counts the bytes sent. Then the handler runs with `status`, and the host
    /// controller drops its reference.
    public func giveback(_ urb: KernelAddress, actualLength: Int, status: Int, caller: ProgramFunctionCaller?,
                         on cpu: KernelCPU) {
        cpu.call(sites.giveback) {
            guard let (u, limit) = state.withLock({ s -> (USBState.URB, Int?)? in
                guard let u = s.urbs[urb.raw] else { return nil }
                return (u, u.fill.flatMap { s.devices[$0.device.raw]?.maxResponse })
            }) else {
                notAURB(urb, "usb_hcd_giveback_urb", on: cpu)
                return
            }
            guard u.inFlight, let fill = u.fill else {
                runtime.reportHarnessFinding(.misuse, "usb_hcd_giveback_urb: URB \(urb) is not in flight", on: cpu, address: urb)
                return
            }
            var done = min(max(0, actualLength), max(0, fill.length))
            if !u.isOut {
                done = min(done, limit ?? done)
                // Validated before any host memory is taken for the bytes: a length may be absurd.
                if done > 0, (try? runtime.addressSpace.validate(fill.buffer, count: done)) == nil
                    || (try? runtime.addressSpace.writeBytes((0..<done).map { UInt8(truncatingIfNeeded: 0xa0 &+ $0) },
                                                             at: fill.buffer)) == nil {
                    runtime.reportHarnessFinding(.badAccess, "usb_hcd_giveback_urb: the device cannot write \(done) bytes at "
                                                 + "\(fill.buffer)", on: cpu, address: fill.buffer)
                    done = 0
                }
            }
            finish(urb, fill, actualLength: done, status: status, caller: caller, on: cpu)
        }
    }

    /// `usb_kill_urb`: a URB in flight is unlinked and completes with -ENOENT.
    public func killURB(_ urb: KernelAddress, caller: ProgramFunctionCaller?, on cpu: KernelCPU) {
        guard !urb.isNull else { return }
        cpu.call(sites.killURB) {
            guard let u = state.withLock({ $0.urbs[urb.raw] }) else {
                notAURB(urb, "usb_kill_urb", on: cpu)
                return
            }
            guard u.inFlight, let fill = u.fill else { return }
            cpu.call(sites.giveback) { finish(urb, fill, actualLength: 0, status: -Errno.ENOENT, caller: caller, on: cpu) }
        }
    }

    /// Unplugs a device (`usb_disconnect`): URBs in flight to it complete with -ESHUTDOWN, as the
    /// host controller flushes its endpoints.
    public func disconnect(_ device: KernelAddress, caller: ProgramFunctionCaller?, on cpu: KernelCPU) {
        cpu.call(sites.disconnect) {
            guard let pending = state.withLock({ s -> [UInt64]? in
                guard s.devices[device.raw] != nil else { return nil }
                s.devices[device.raw]?.attached = false
                return s.urbs.filter { $0.value.inFlight && $0.value.fill?.device == device }.keys.sorted()
            }) else {
                notADevice(device, "usb_disconnect", on: cpu)
                return
            }
            for urb in pending {
                guard let fill = state.withLock({ $0.urbs[urb]?.fill }) else { continue }
                cpu.call(sites.giveback) {
                    finish(KernelAddress(urb), fill, actualLength: 0, status: -Errno.ESHUTDOWN, caller: caller, on: cpu)
                }
            }
        }
    }

    /// `__usb_hcd_giveback_urb`: the URB leaves the host controller with its status and length,
    /// the handler runs (it may resubmit or free the URB), then the host controller's reference
    /// goes.
    func finish(_ urb: KernelAddress, _ fill: URBFill, actualLength: Int, status: Int, caller: ProgramFunctionCaller?,
                on cpu: KernelCPU) {
        cpu.call(sites.givebackInner) {
            state.withLock { s in
                s.urbs[urb.raw]?.inFlight = false
                s.urbs[urb.raw]?.status = status
                s.urbs[urb.raw]?.actualLength = actualLength
            }
            switch fill.completion {
            case .none: break
            case .handler(let handler): handler(urb, cpu)
            case .program(let name) where name.isEmpty: break
            case .program(let name):
                guard let caller else {
                    runtime.reportHarnessFinding(.misuse, "URB \(urb): no program to run its handler '\(name)'", on: cpu)
                    break
                }
                if case .failure(let e) = caller(name, [.pointer(urb)]) {
                    runtime.reportHarnessFinding(.misuse, "URB \(urb) completion: \(e.message)", on: cpu, address: urb)
                }
            }
            // usb_put_urb: the host controller's reference.
            state.withLock { s in
                guard var u = s.urbs[urb.raw] else { return }
                u.references -= 1
                s.urbs[urb.raw] = u.references <= 0 ? nil : u
            }
        }
    }
}
