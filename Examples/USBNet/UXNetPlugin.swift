import HarnessCore
import KMSAN
import KernelMemory

/// An example driver written as a third-party plugin: "uxnet", a small USB Ethernet adapter
/// in the style of drivers/net/usb (asix, ax88179_178a, rtl8150), built only on the public
/// protocols of the USB and skb subsystems, as a user's own package would be.
///
/// Probe reads the MAC address with a vendor control request, registers a net device and
/// queues a receive URB whose buffer is an skb's data. Transmit pushes an 8-byte hardware
/// header in front of the frame and sends the skb's data as a bulk OUT URB; the URB's
/// completion frees both. A finished receive URB becomes the received skb (`netif_rx`) and is
/// resubmitted with a fresh one.
///
/// The planted bug (`config uxnet-planted-bug=on`): the header's 32-bit checksum-offload word
/// is only written when the stack asked for offload, so on every other frame four bytes of the
/// skb's headroom go to the device uninitialized: `kernel-usb-infoleak` in `uxnet_start_xmit`,
/// as syzbot reports such leaks in real drivers.
public struct UXNetPlugin: HarnessPlugin {
    /// `uxnet-planted-bug`: leave the header's checksum word unwritten.
    public static let plantedBug = ConfigKey.plugin(
        "uxnet-planted-bug", default: "off", help: "the uxnet example driver leaves its TX header's csum word uninitialized")
    /// A uxnet adapter (its `struct net_device *`, usable by the skb ops).
    public static let adapter = ResourceKind("uxnet-adapter", refines: .netDevice)

    /// `uxnet`.
    public var name: String { "uxnet" }
    /// A driver: no subsystem of its own.
    public var provides: SubsystemKind? { nil }
    /// It drives a USB device and feeds the network stack.
    public var requires: [SubsystemKind] { [.usb, .skb, .slab] }
    /// The planted bug's switch.
    public var settings: [ConfigKey] { [Self.plantedBug] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `UXNetDriver`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let usb = context.subsystem(.usb, as: (any USBSubsystem).self),
              let skb = context.subsystem(.skb, as: (any SkbSubsystem).self),
              let slab = context.subsystem(.slab, as: (any SlabSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the USB, skb or slab plugin does not implement its protocol")
        }
        return UXNetDriver(runtime: context.runtime, usb: usb, skb: skb, slab: slab,
                           plantedBug: context.configuration.value(of: Self.plantedBug) == "on")
    }

    /// The driver's ops: the probe a USB core would call, and what the adapter's hardware does.
    public var ops: [ScenarioOp] {
        [
            ScenarioOp("uxnet_probe", [.init("udev", .pointer, resource: .usbDevice)], returnsValue: true, result: Self.adapter,
                       help: "bind to a USB device: read its MAC, register a net device, queue a receive URB; NULL on error") {
                inv throws(OpError) in
                .pointer(try Self.driver(inv).probe(try inv.pointer(0), on: inv.cpu))
            },
            ScenarioOp("uxnet_hw_rx", [.init("net", .pointer, resource: Self.adapter), .init("len", .integer, range: 0...1536)],
                       returnsValue: false, help: "the adapter receives a frame of len bytes into the queued receive URB") {
                inv throws(OpError) in
                try Self.driver(inv).hardwareReceive(try inv.pointer(0), length: try inv.integer(1), on: inv.cpu)
                return nil
            },
            ScenarioOp("uxnet_hw_tx_done", [.init("net", .pointer, resource: Self.adapter)], returnsValue: true,
                       help: "the adapter finishes every transmit URB in flight; how many") { inv throws(OpError) in
                .integer(try Self.driver(inv).hardwareTransmitDone(try inv.pointer(0), on: inv.cpu))
            },
            ScenarioOp("uxnet_disconnect", [.init("net", .pointer, resource: Self.adapter)], returnsValue: false,
                       help: "unbind: kill the URBs in flight (their handlers free what they own)") { inv throws(OpError) in
                try Self.driver(inv).disconnect(try inv.pointer(0), on: inv.cpu)
                return nil
            },
        ]
    }

    /// The machine's driver state.
    private static func driver(_ inv: OpInvocation) throws(OpError) -> UXNetDriver {
        guard let driver = inv.machine.state(ofPlugin: "uxnet", as: UXNetDriver.self) else {
            throw OpError("no uxnet plugin on this machine")
        }
        return driver
    }
}
