/// A USB pipe, encoded as the kernel's `unsigned int` (include/linux/usb.h):
///
/// | bits  | field                                                          |
/// |-------|----------------------------------------------------------------|
/// | 31-30 | type: 0 isochronous, 1 interrupt, 2 control, 3 bulk (`PIPE_*`) |
/// | 18-15 | endpoint number                                                |
/// | 14-8  | device number (`dev->devnum`)                                  |
/// | 7     | direction: 1 IN (`USB_DIR_IN`), 0 OUT                          |
///
/// `usb_sndbulkpipe(dev, ep)` is `PIPE_BULK << 30 | ep << 15 | devnum << 8`; the `rcv` forms
/// add `USB_DIR_IN`.
public struct USBPipe: Sendable, Hashable {
    /// The pipe's transfer type (`usb_pipetype`).
    public enum Kind: UInt32, Sendable, CaseIterable {
        /// `PIPE_ISOCHRONOUS`.
        case isochronous = 0
        /// `PIPE_INTERRUPT`.
        case interrupt = 1
        /// `PIPE_CONTROL`.
        case control = 2
        /// `PIPE_BULK`.
        case bulk = 3
    }

    /// The encoded value.
    public var rawValue: UInt32

    /// The pipe of `endpoint` (0...15) of device number `device` (0...127).
    public init(_ kind: Kind, device: Int, endpoint: Int, isIn: Bool) {
        rawValue = kind.rawValue << 30 | UInt32(endpoint & 0xf) << 15 | UInt32(device & 0x7f) << 8 | (isIn ? 0x80 : 0)
    }

    /// A pipe as a program passed it.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `usb_pipetype`.
    public var kind: Kind { Kind(rawValue: rawValue >> 30) ?? .isochronous }
    /// `usb_pipeendpoint`.
    public var endpoint: Int { Int(rawValue >> 15 & 0xf) }
    /// `usb_pipedevice`.
    public var device: Int { Int(rawValue >> 8 & 0x7f) }
    /// `usb_pipein`.
    public var isIn: Bool { rawValue & 0x80 != 0 }
}
