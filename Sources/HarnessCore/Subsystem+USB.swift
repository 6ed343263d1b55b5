import KMSAN
import KernelMemory

/// USB request blocks (drivers/usb/core). Devices and URBs are named by their kernel pointers;
/// a pipe is the kernel's encoded `unsigned int` (see `USBPipe`). An implementation calls
/// `kmsan_handle_urb` where drivers/usb/core/urb.c does (in `usb_submit_urb`, once the direction
/// is known), and reports misuse (a URB submitted while active or freed in flight, a submission
/// to a disconnected device) as HARNESS findings in the kernel's words where it has them.
public protocol USBSubsystem: Subsystem {
    /// A new configured device named `name` with the default endpoints (`USBPipe` lists them).
    func usbDevice(named name: String, on cpu: KernelCPU) -> KernelAddress
    /// `udev->devnum` (1...127), or nil for a pointer that is no device of this machine.
    func deviceNumber(_ device: KernelAddress) -> Int?
    /// Unplugs the device: its state becomes NOTATTACHED; URBs in flight complete with -ESHUTDOWN.
    func disconnect(_ device: KernelAddress, caller: ProgramFunctionCaller?, on cpu: KernelCPU)
    /// From now on the device answers IN transfers with at most `length` bytes (a short read).
    func setMaximumResponse(_ device: KernelAddress, length: Int, on cpu: KernelCPU)
    /// `usb_alloc_urb(iso_packets, gfp)`: a URB with one reference, or nil.
    func allocURB(isoPackets: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `usb_fill_{bulk,int,control}_urb`: what the URB transfers and who completes it.
    func fillURB(_ urb: KernelAddress, _ fill: URBFill, on cpu: KernelCPU)
    /// `usb_submit_urb(urb, gfp)`: 0 or a negative errno.
    func submitURB(_ urb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> Int
    /// The host controller finishes a URB in flight (`usb_hcd_giveback_urb`): an IN transfer gets
    /// `actualLength` bytes written by the device (data only: KMSAN never sees hardware), then the
    /// completion handler runs with `status`.
    func giveback(_ urb: KernelAddress, actualLength: Int, status: Int, caller: ProgramFunctionCaller?, on cpu: KernelCPU)
    /// `usb_kill_urb(urb)`: a URB in flight completes with -ENOENT; nothing otherwise.
    func killURB(_ urb: KernelAddress, caller: ProgramFunctionCaller?, on cpu: KernelCPU)
    /// `usb_get_urb(urb)`: one more reference.
    func getURB(_ urb: KernelAddress, on cpu: KernelCPU)
    /// `usb_free_urb(urb)`: drops a reference; the last one frees the URB.
    func freeURB(_ urb: KernelAddress, on cpu: KernelCPU)
    /// A field of a URB (`urb->status` and the others), or nil for a pointer that is no URB.
    func field(_ field: URBField, of urb: KernelAddress) -> UInt64?
    /// `usb_bulk_msg(dev, pipe, data, len, &actual_length, timeout)`: 0 or a negative errno;
    /// the bytes transferred are stored at `actualLength` (when not NULL).
    func bulkMessage(_ device: KernelAddress, pipe: UInt32, data: KernelAddress, length: Int, actualLength: KernelAddress,
                     on cpu: KernelCPU) -> Int
    /// `usb_control_msg(dev, pipe, request, requesttype, value, index, data, size, timeout)`:
    /// the bytes transferred, or a negative errno.
    func controlMessage(_ device: KernelAddress, pipe: UInt32, request: UInt8, requestType: UInt8, value: UInt16,
                        index: UInt16, data: KernelAddress, size: Int, on cpu: KernelCPU) -> Int
}

/// What `usb_fill_*_urb` sets.
public struct URBFill: Sendable {
    /// `urb->dev`.
    public var device: KernelAddress
    /// `urb->pipe`.
    public var pipe: UInt32
    /// `urb->setup_packet` (control URBs; NULL otherwise).
    public var setupPacket: KernelAddress
    /// `urb->transfer_buffer`.
    public var buffer: KernelAddress
    /// `urb->transfer_buffer_length`.
    public var length: Int
    /// `urb->complete`.
    public var completion: URBCompletion

    /// Creates a fill.
    public init(device: KernelAddress, pipe: UInt32, setupPacket: KernelAddress = .null, buffer: KernelAddress, length: Int,
                completion: URBCompletion) {
        self.device = device; self.pipe = pipe; self.setupPacket = setupPacket
        self.buffer = buffer; self.length = length; self.completion = completion
    }
}

/// A URB's completion handler (`urb->complete`).
public enum URBCompletion: Sendable {
    /// No handler: `usb_submit_urb` refuses the URB with -EINVAL.
    case none
    /// A function of the running program (a scenario `func`), called with the URB pointer.
    case program(String)
    /// A plugin's handler (a driver written as a plugin), called with the URB pointer.
    case handler(@Sendable (KernelAddress, KernelCPU) -> Void)
}

/// The URB fields a completion handler reads.
public enum URBField: String, Sendable, CaseIterable {
    /// `urb->status`: 0, -EINPROGRESS while in flight, or the negative errno it completed with.
    case status
    /// `urb->actual_length`: the bytes the device transferred.
    case actualLength = "actual_length"
    /// `urb->transfer_buffer`.
    case transferBuffer = "transfer_buffer"
    /// `urb->transfer_buffer_length`.
    case transferBufferLength = "transfer_buffer_length"
}
