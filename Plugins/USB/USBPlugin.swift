import HarnessCore
import KMSAN
import KernelMemory

/// The USB plugin: devices with a network adapter's endpoints, URBs with references, a host
/// controller that completes them with the device writing IN data as hardware would, and the
/// synchronous `usb_bulk_msg`/`usb_control_msg`. `kmsan_handle_urb` runs in `usb_submit_urb`
/// once the direction is known: an OUT buffer is checked (`kernel-usb-infoleak`), an IN buffer
/// unpoisoned, `transfer_buffer_length` bytes either way. A control URB's setup packet is not
/// checked by the hook, but `usb_submit_urb` branches on its bRequestType and wLength. As the
/// USB provider it gets the standard ops (`kmsan-harness ops` lists them).
public struct USBPlugin: HarnessPlugin {
    /// `usb`.
    public var name: String { "usb" }
    /// It provides the USB subsystem.
    public var provides: SubsystemKind? { .usb }
    /// `usb_control_msg` kmallocs its setup packet.
    public var requires: [SubsystemKind] { [.slab] }

    /// Creates the plugin.
    public init() {}

    /// Builds the machine's `USBHost`.
    public func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let slab = context.subsystem(.slab, as: (any SlabSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the slab allocator does not implement SlabSubsystem")
        }
        return USBHost(runtime: context.runtime, slab: slab)
    }
}
