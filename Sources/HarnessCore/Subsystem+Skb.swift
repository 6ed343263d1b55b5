import KMSAN
import KernelMemory

/// Socket buffers and a simulated NIC. skbs and net devices are named by their pointers.
/// Transmit goes through a driver that DMA-maps the head and frags (mainline has no skb hook);
/// the RFC v3 profile checks the skb itself.
public protocol SkbSubsystem: Subsystem {
    /// `alloc_skb(size, gfp)`.
    func allocSkb(_ size: Int, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_reserve(skb, n)`.
    func reserve(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU)
    /// `skb_put(skb, n)`: the address of the new tail.
    func put(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_put_data(skb, src, n)`.
    func putData(_ skb: KernelAddress, from source: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_push(skb, n)`.
    func push(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_pull(skb, n)`.
    func pull(_ skb: KernelAddress, _ length: Int, on cpu: KernelCPU) -> KernelAddress?
    /// `skb_add_rx_frag(skb, page, off, size)`.
    func addReceiveFragment(_ skb: KernelAddress, page: PageFrameNumber, offset: Int, size: Int, on cpu: KernelCPU)
    /// `skb_clone(skb, gfp)`.
    func clone(_ skb: KernelAddress, gfp: GFPFlags, on cpu: KernelCPU) -> KernelAddress?
    /// `kfree_skb(skb)`.
    func free(_ skb: KernelAddress, on cpu: KernelCPU)
    /// A simulated network device.
    func netDevice(named name: String, on cpu: KernelCPU) -> KernelAddress
    /// `dev_queue_xmit(skb, ndev)`.
    func queueTransmit(_ skb: KernelAddress, device: KernelAddress, on cpu: KernelCPU) -> Int32
    /// A received skb of `length` bytes, written by the device.
    func receive(on device: KernelAddress, length: Int, on cpu: KernelCPU) -> KernelAddress?
}
