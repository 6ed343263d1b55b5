import KMSAN
import KernelMemory

/// USB request blocks. Devices and URBs are named by their kernel pointers; a pipe is the
/// kernel's encoded `unsigned int`. An implementation calls `kmsan_handle_urb` where
/// drivers/usb/core/urb.c does (on submit).
public protocol USBSubsystem: Subsystem {
    /// A simulated USB device.
    func usbDevice(named name: String, on cpu: KernelCPU) -> KernelAddress
    /// `usb_sndbulkpipe(udev, ep)`.
    func sendBulkPipe(_ device: KernelAddress, endpoint: Int) -> UInt32
    /// `usb_rcvbulkpipe(udev, ep)`.
    func receiveBulkPipe(_ device: KernelAddress, endpoint: Int) -> UInt32
    /// `usb_alloc_urb(iso_packets, gfp)`.
    func allocURB(isoPackets: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `usb_fill_bulk_urb(urb, udev, pipe, buf, len)`.
    func fillBulkURB(_ urb: KernelAddress, device: KernelAddress, pipe: UInt32, buffer: KernelAddress, length: Int, on cpu: KernelCPU)
    /// `usb_submit_urb(urb, gfp)`: 0 or a negative errno.
    func submitURB(_ urb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> Int32
    /// `usb_free_urb(urb)`.
    func freeURB(_ urb: KernelAddress, on cpu: KernelCPU)
}
