import KMSAN

/// The frames of drivers/usb/core's call paths, as a 6.18 report shows them. Static helpers
/// the compiler inlines (`usb_internal_control_msg`, `usb_hcd_link_urb_to_ep`) get no frame. No
/// file and line: they have not been read off a kernel tree.
struct USBSites: Sendable {
    let allocURB, freeURB, submitURB, hcdSubmitURB, giveback, givebackInner, killURB: CallSite
    let startWait, bulkMessage, controlMessage, disconnect: CallSite

    init(symbols: SymbolTable) {
        func entry(_ name: String) -> CallSite { symbols.site(in: name, role: .subsystemEntry) }
        allocURB = entry("usb_alloc_urb"); freeURB = entry("usb_free_urb"); submitURB = entry("usb_submit_urb")
        hcdSubmitURB = symbols.site(in: "usb_hcd_submit_urb")
        giveback = entry("usb_hcd_giveback_urb"); givebackInner = symbols.site(in: "__usb_hcd_giveback_urb")
        killURB = entry("usb_kill_urb")
        startWait = entry("usb_start_wait_urb")
        bulkMessage = entry("usb_bulk_msg"); controlMessage = entry("usb_control_msg")
        disconnect = entry("usb_disconnect")
    }
}
