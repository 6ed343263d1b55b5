import HarnessCore
import KMSAN
import KernelMemory

/// The synchronous calls of drivers/usb/core/message.c. Each allocates a URB, submits it
/// through `usb_start_wait_urb` and waits; the simulated device answers at once (IN: all the
/// bytes asked for, or its short-read limit; OUT: everything sent), so the wait never times out.
extension USBHost {
    /// `usb_bulk_msg`: an interrupt endpoint gets an interrupt URB, as the kernel rewrites the
    /// pipe; `*actual_length` is stored when `actualLength` is not NULL.
    public func bulkMessage(_ device: KernelAddress, pipe: UInt32, data: KernelAddress, length: Int, actualLength: KernelAddress,
                            on cpu: KernelCPU) -> Int {
        cpu.call(sites.bulkMessage) { () -> Int in
            let ep = state.withLock { $0.devices[device.raw]?.endpoint(for: USBPipe(rawValue: pipe)) }
            guard ep != nil, length >= 0 else { return -Errno.EINVAL }
            var pipe = USBPipe(rawValue: pipe)
            if ep?.kind == .interrupt { pipe = USBPipe(.interrupt, device: pipe.device, endpoint: pipe.endpoint, isIn: pipe.isIn) }
            let fill = URBFill(device: device, pipe: pipe.rawValue, buffer: data, length: length, completion: .program(""))
            return startWait(fill, actualLength: actualLength, on: cpu)
        }
    }

    /// `usb_control_msg`: the setup packet is kmalloc'ed and filled (so initialized), the
    /// transfer made (`usb_internal_control_msg`, inlined: no frame of its own), the packet freed.
    /// Returns the bytes transferred or a negative errno.
    public func controlMessage(_ device: KernelAddress, pipe: UInt32, request: UInt8, requestType: UInt8, value: UInt16,
                               index: UInt16, data: KernelAddress, size: Int, on cpu: KernelCPU) -> Int {
        cpu.call(sites.controlMessage) { () -> Int in
            let size = size & 0xffff  // __u16 size
            guard let dr = slab.kmalloc(8, gfp: [.io], on: cpu) else { return -Errno.ENOMEM }
            runtime.store(.initialized(UInt64(requestType), width: .bits8), to: dr, on: cpu)
            runtime.store(.initialized(UInt64(request), width: .bits8), to: dr + 1, on: cpu)
            runtime.store(.initialized(UInt64(value), width: .bits16), to: dr + 2, on: cpu)
            runtime.store(.initialized(UInt64(index), width: .bits16), to: dr + 4, on: cpu)
            runtime.store(.initialized(UInt64(size), width: .bits16), to: dr + 6, on: cpu)
            let fill = URBFill(device: device, pipe: pipe, setupPacket: dr, buffer: data, length: size, completion: .program(""))
            let length = runtime.withLocal(size: 4, name: "length", on: cpu) { lengthAddress -> Int in
                let result = startWait(fill, actualLength: lengthAddress, on: cpu)
                guard result >= 0 else { return result }
                return Int(runtime.load(.bits32, from: lengthAddress, on: cpu).value)
            }
            slab.kfree(dr, on: cpu)
            return length
        }
    }

    /// `usb_start_wait_urb`: allocate, submit, wait for the device, store `*actual_length`,
    /// free. Returns 0 or the errno of the submission or of the transfer.
    private func startWait(_ fill: URBFill, actualLength: KernelAddress, on cpu: KernelCPU) -> Int {
        cpu.call(sites.startWait) { () -> Int in
            guard let urb = allocURB(isoPackets: 0, gfp: [.io], on: cpu) else { return -Errno.ENOMEM }
            fillURB(urb, fill, on: cpu)
            var result = submitURB(urb, gfp: [.io], on: cpu)
            if result == 0 {
                // The device answers at once; usb_api_blocking_completion wakes the waiter.
                giveback(urb, actualLength: fill.length, status: 0, caller: nil, on: cpu)
                result = Int(Int64(bitPattern: field(.status, of: urb) ?? 0))
            }
            if !actualLength.isNull {
                let done = field(.actualLength, of: urb) ?? 0  // 0 unless the device transferred something
                runtime.store(.initialized(done & 0xffff_ffff, width: .bits32), to: actualLength, on: cpu)
            }
            freeURB(urb, on: cpu)
            return result
        }
    }
}
