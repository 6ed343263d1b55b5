import KMSAN
import KernelMemory

extension StandardOps {
    /// Transfer lengths worth generating.
    static let usbLengths: ClosedRange<Int64> = 0...65536

    /// The USB subsystem's ops (drivers/usb/core), against `USBSubsystem`. A completion handler
    /// is named by a string: a `func` of the scenario file, called with the URB pointer when the
    /// URB completes, or "" for a handler that does nothing.
    static let usb: [ScenarioOp] = [
        ScenarioOp("usb_device", [.init("name", .string)], returnsValue: true, result: .usbDevice,
                   help: "a new configured USB device: ep0 control, ep1 bulk IN, ep2 bulk OUT, ep3 interrupt IN") {
            inv throws(OpError) in
            .pointer(try usb(inv).usbDevice(named: try inv.string(0), on: inv.cpu))
        },
        ScenarioOp("usb_disconnect", [.init("dev", .pointer, resource: .usbDevice)], returnsValue: false,
                   help: "unplug the device: URBs in flight complete with -ESHUTDOWN; later submissions are misuse") {
            inv throws(OpError) in
            try usb(inv).disconnect(try inv.pointer(0), caller: inv.callFunction, on: inv.cpu)
            return nil
        },
        ScenarioOp("usb_device_short_reads", [.init("dev", .pointer, resource: .usbDevice), .init("max", .integer, range: usbLengths)],
                   returnsValue: false, help: "the device answers IN transfers with at most max bytes from now on") {
            inv throws(OpError) in
            try usb(inv).setMaximumResponse(try inv.pointer(0), length: try inv.integer(1), on: inv.cpu)
            return nil
        },
    ] + pipeOps + [
        ScenarioOp("usb_alloc_urb", [.init("iso_packets", .integer, range: 0...8), .init("gfp", .gfp)], returnsValue: true,
                   result: .urb, help: "a zeroed URB with one reference; NULL on failure") { inv throws(OpError) in
            .pointer(try usb(inv).allocURB(isoPackets: try inv.integer(0), gfp: try inv.gfp(1), on: inv.cpu) ?? .null)
        },
        fill("usb_fill_bulk_urb", setup: false, interval: false),
        fill("usb_fill_int_urb", setup: false, interval: true),
        fill("usb_fill_control_urb", setup: true, interval: false),
        ScenarioOp("usb_submit_urb", [.init("urb", .pointer, resource: .urb), .init("gfp", .gfp)], returnsValue: true,
                   help: "submit: kmsan_handle_urb checks an OUT buffer (kernel-usb-infoleak) or unpoisons an IN one; 0 or -errno") {
            inv throws(OpError) in
            .integer(try usb(inv).submitURB(try inv.pointer(0), gfp: try inv.gfp(1), on: inv.cpu))
        },
        ScenarioOp("usb_hcd_giveback_urb", [.init("urb", .pointer, resource: .urb), .init("actual_length", .integer, range: usbLengths),
                                            .init("status", .integer, range: -125...0)],
                   returnsValue: false,
                   help: "the device finishes the URB (IN: writes actual_length bytes, data only), then its handler runs") {
            inv throws(OpError) in
            try usb(inv).giveback(try inv.pointer(0), actualLength: try inv.integer(1), status: try inv.integer(2),
                                  caller: inv.callFunction, on: inv.cpu)
            return nil
        },
        ScenarioOp("usb_kill_urb", [.init("urb", .pointer, resource: .urb)], returnsValue: false,
                   help: "cancel a URB in flight: its handler runs with -ENOENT") { inv throws(OpError) in
            try usb(inv).killURB(try inv.pointer(0), caller: inv.callFunction, on: inv.cpu)
            return nil
        },
        ScenarioOp("usb_get_urb", [.init("urb", .pointer, resource: .urb)], returnsValue: false,
                   help: "take a reference") { inv throws(OpError) in
            try usb(inv).getURB(try inv.pointer(0), on: inv.cpu)
            return nil
        },
        ScenarioOp("usb_free_urb", [.init("urb", .pointer, resource: .urb)], returnsValue: false,
                   help: "drop a reference; the last frees the URB") { inv throws(OpError) in
            try usb(inv).freeURB(try inv.pointer(0), on: inv.cpu)
            return nil
        },
    ] + URBField.allCases.map(fieldOp) + [
        ScenarioOp("usb_bulk_msg", [.init("dev", .pointer, resource: .usbDevice), .init("pipe", .integer, resource: .usbPipe),
                                    .init("data", .pointer, resource: .address), .init("len", .integer, range: usbLengths),
                                    .init("actual_length", .pointer, resource: .address), .init("timeout", .integer, range: 0...5000)],
                   returnsValue: true, help: "a synchronous bulk (or interrupt) transfer; stores the bytes moved; 0 or -errno") {
            inv throws(OpError) in
            .integer(try usb(inv).bulkMessage(try inv.pointer(0), pipe: try pipe(inv, 1), data: try inv.pointer(2),
                                              length: try inv.integer(3), actualLength: try inv.pointer(4), on: inv.cpu))
        },
        ScenarioOp("usb_control_msg", [.init("dev", .pointer, resource: .usbDevice), .init("pipe", .integer, resource: .usbPipe),
                                       .init("request", .integer, range: 0...255), .init("requesttype", .integer, range: 0...255),
                                       .init("value", .integer, range: 0...65535), .init("index", .integer, range: 0...65535),
                                       .init("data", .pointer, resource: .address), .init("size", .integer, range: 0...65535),
                                       .init("timeout", .integer, range: 0...5000)],
                   returnsValue: true, help: "a synchronous control transfer; the bytes moved, or -errno") { inv throws(OpError) in
            .integer(try usb(inv).controlMessage(
                try inv.pointer(0), pipe: try pipe(inv, 1), request: UInt8(truncatingIfNeeded: try inv.integer(2)),
                requestType: UInt8(truncatingIfNeeded: try inv.integer(3)), value: UInt16(truncatingIfNeeded: try inv.integer(4)),
                index: UInt16(truncatingIfNeeded: try inv.integer(5)), data: try inv.pointer(6), size: try inv.integer(7),
                on: inv.cpu))
        },
    ]

    /// `usb_{snd,rcv}{ctrl,bulk,int}pipe(dev, endpoint)`.
    private static let pipeOps: [ScenarioOp] = [
        ("ctrl", USBPipe.Kind.control), ("bulk", .bulk), ("int", .interrupt),
    ].flatMap { name, kind in
        [false, true].map { isIn in
            ScenarioOp("usb_\(isIn ? "rcv" : "snd")\(name)pipe", [.init("dev", .pointer, resource: .usbDevice),
                                                               .init("endpoint", .integer, range: 0...15)],
                       returnsValue: true, result: .usbPipe,
                       help: "the \(isIn ? "IN" : "OUT") \(kind) pipe of an endpoint (the kernel's encoding)") { inv throws(OpError) in
                let dev = try inv.pointer(0)
                guard let number = try usb(inv).deviceNumber(dev) else { throw OpError("\(dev) is not a struct usb_device") }
                return .integer(Int(USBPipe(kind, device: number, endpoint: try inv.integer(1), isIn: isIn).rawValue))
            }
        }
    }

    /// A `usb_fill_*_urb` op: (urb, dev, pipe, [setup,] buf, len, complete[, interval]).
    private static func fill(_ name: String, setup: Bool, interval: Bool) -> ScenarioOp {
        var parameters: [ScenarioOp.Parameter] = [.init("urb", .pointer, resource: .urb), .init("dev", .pointer, resource: .usbDevice),
                                                  .init("pipe", .integer, resource: .usbPipe)]
        if setup { parameters.append(.init("setup", .pointer, resource: .address)) }
        parameters += [.init("buf", .pointer, resource: .address), .init("len", .integer, range: usbLengths),
                       .init("complete", .string)]
        if interval { parameters.append(.init("interval", .integer, range: 1...16)) }
        let op = ScenarioOp(name, parameters, returnsValue: false,
                          help: "set what the URB transfers and the func completing it (\"\": a handler that does nothing)") {
            inv throws(OpError) in
            let k = setup ? 1 : 0
            let fill = URBFill(device: try inv.pointer(1), pipe: try pipe(inv, 2), setupPacket: setup ? try inv.pointer(3) : .null,
                               buffer: try inv.pointer(3 + k), length: try inv.integer(4 + k),
                               completion: .program(try inv.string(5 + k)))
            try usb(inv).fillURB(try inv.pointer(0), fill, on: inv.cpu)
            return nil
        }
        // The scenario format's first spelling of the bulk fill has no handler: "" (one that does nothing).
        guard !setup, !interval else { return op }
        return op.withShortForm(Array(parameters.dropLast()), help: "\(name)(urb, dev, pipe, buf, len, \"\")") { inv in
            inv.arguments + [.string("")]
        }
    }

    /// `urb_<field>(urb)`: what a completion handler reads.
    private static func fieldOp(_ field: URBField) -> ScenarioOp {
        ScenarioOp("urb_\(field.rawValue)", [.init("urb", .pointer, resource: .urb)], returnsValue: true,
                   help: "urb->\(field.rawValue)") { inv throws(OpError) in
            let urb = try inv.pointer(0)
            guard let v = try usb(inv).field(field, of: urb) else { throw OpError("\(urb) is not a URB") }
            return .initialized(v, width: .bits64)
        }
    }

    /// Argument `index` as a pipe.
    private static func pipe(_ inv: OpInvocation, _ index: Int) throws(OpError) -> UInt32 {
        UInt32(truncatingIfNeeded: try inv.integer(index))
    }

    /// The machine's USB subsystem, or an `OpError` naming the missing plugin.
    private static func usb(_ inv: OpInvocation) throws(OpError) -> any USBSubsystem { try inv.subsystem(.usb) }
}
