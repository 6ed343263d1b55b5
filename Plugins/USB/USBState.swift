import HarnessCore
import KMSAN
import KernelMemory

/// The USB plugin's bookkeeping, one value (saved and restored whole): devices with their
/// endpoints, and URBs with their references and transfer state.
struct USBState: Sendable {
    /// An endpoint descriptor (`struct usb_endpoint_descriptor`): the type and direction a pipe
    /// must match, and `wMaxPacketSize`.
    struct Endpoint: Sendable, Equatable {
        var kind: USBPipe.Kind
        var isIn: Bool
        var maxPacket: Int
    }

    /// A device (`struct usb_device`).
    struct Device: Sendable {
        var name: String
        var number: Int
        /// USB_STATE_CONFIGURED until `disconnect`, then USB_STATE_NOTATTACHED.
        var attached = true
        /// The most bytes the device answers an IN transfer with (nil: all asked for).
        var maxResponse: Int?
        /// Endpoints by (number, isIn); endpoint 0 is control in both directions.
        var endpoints: [Int: Endpoint] = Device.defaultEndpoints

        /// ep0 control (64-byte packets), ep1 bulk IN and ep2 bulk OUT (512), ep3 interrupt IN
        /// (16): a USB network adapter's usual set. Keys are `number << 1 | isIn`.
        static let defaultEndpoints: [Int: Endpoint] = [
            0 << 1 | 0: Endpoint(kind: .control, isIn: false, maxPacket: 64),
            0 << 1 | 1: Endpoint(kind: .control, isIn: true, maxPacket: 64),
            1 << 1 | 1: Endpoint(kind: .bulk, isIn: true, maxPacket: 512),
            2 << 1 | 0: Endpoint(kind: .bulk, isIn: false, maxPacket: 512),
            3 << 1 | 1: Endpoint(kind: .interrupt, isIn: true, maxPacket: 16),
        ]

        /// `usb_pipe_endpoint(dev, pipe)`.
        func endpoint(for pipe: USBPipe) -> Endpoint? { endpoints[pipe.endpoint << 1 | (pipe.isIn ? 1 : 0)] }
    }

    /// A URB (`struct urb`).
    struct URB: Sendable {
        /// `urb->kref`.
        var references = 1
        var fill: URBFill?
        /// Set while the host controller owns it (`urb->hcpriv`).
        var inFlight = false
        var isOut = false
        var status = 0
        var actualLength = 0
    }

    var devices: [UInt64: Device] = [:]
    var urbs: [UInt64: URB] = [:]
    var nextDevice = 0
    var nextURB = 0
}
