/// What a value refers to, in the manner of syzkaller's resource descriptions: an op declares
/// the resource kind it returns and the kinds its arguments take, so that a program generator
/// knows which results may feed which arguments, and `kmsan-harness ops` can document them.
///
/// Declarations, not restrictions: a scenario may pass anything that parses (misuse scenarios
/// free stack locals on purpose). Kinds form a tree: a kind that `refines` another may be passed
/// wherever the other is taken (a slab object is an address). An open set: the core declares
/// the kinds of its own ops and of the six subsystems' standard ops; a plugin declares more as
/// static members in its module. Two kinds are the same kind when their names are equal.
public struct ResourceKind: Sendable, Hashable, CustomStringConvertible {
    /// The kind's name (`slab-object`).
    public let name: String
    /// Its name and its ancestors' names, nearest first (`["slab-object", "address"]`).
    public let lineage: [String]

    /// Declares a kind, refining `parent` if given.
    public init(_ name: String, refines parent: ResourceKind? = nil) {
        self.name = name
        self.lineage = [name] + (parent?.lineage ?? [])
    }

    /// The kind it refines, by name, if any.
    public var parentName: String? { lineage.count > 1 ? lineage[1] : nil }

    /// Whether a value of this kind may be passed where `other` is taken.
    public func conforms(to other: ResourceKind) -> Bool { lineage.contains(other.name) }

    /// Kinds are equal when their names are.
    public static func == (a: ResourceKind, b: ResourceKind) -> Bool { a.name == b.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The name.
    public var description: String { name }

    /// A kernel virtual address of mapped memory.
    public static let address = ResourceKind("address")
    /// The name of a `func` of the running program (a handler, a work function), as a string:
    /// generators name the funcs the program has.
    public static let programFunction = ResourceKind("func")
    /// A user-space address (`void __user *`, from `user_alloc`): the kernel must not
    /// dereference it directly.
    public static let userAddress = ResourceKind("user-address")
    /// A stack local of the current frame (`local`).
    public static let stackLocal = ResourceKind("stack-local", refines: .address)
    /// A per-CPU pointer (`alloc_percpu`), turned into an address by `this_cpu_ptr`.
    public static let percpuPointer = ResourceKind("percpu-pointer")
    /// A stack depot handle (`stack_depot_save`).
    public static let depotHandle = ResourceKind("depot-handle")
    /// A `struct page *` (a vmemmap address).
    public static let page = ResourceKind("page")
    /// The direct-map address of a block of pages (`page_address`, `__get_free_pages`).
    public static let pageAddress = ResourceKind("page-address", refines: .address)
    /// A `struct kmem_cache *`.
    public static let kmemCache = ResourceKind("kmem-cache")
    /// A slab object (`kmalloc`, `kmem_cache_alloc`).
    public static let slabObject = ResourceKind("slab-object", refines: .address)
    /// The start of a vmalloc area (`vmalloc`, `vzalloc`, `__vmalloc`).
    public static let vmallocArea = ResourceKind("vmalloc-area", refines: .address)
    /// The start of a vmap alias (`vmap`).
    public static let vmapArea = ResourceKind("vmap-area", refines: .address)
    /// A `struct device *` (`dma_device`).
    public static let dmaDevice = ResourceKind("dma-device")
    /// A `dma_addr_t` of a live mapping (`dma_map_single`, `dma_map_page`).
    public static let dmaHandle = ResourceKind("dma-handle")
    /// A scatterlist table (`sg_init_table`).
    public static let scatterlist = ResourceKind("scatterlist")
    /// The CPU address of a coherent DMA buffer (`dma_alloc_coherent`).
    public static let dmaCoherent = ResourceKind("dma-coherent", refines: .address)
    /// A `struct usb_device *` (`usb_device`).
    public static let usbDevice = ResourceKind("usb-device")
    /// A `struct urb *` (`usb_alloc_urb`).
    public static let urb = ResourceKind("urb")
    /// A USB pipe (`usb_sndbulkpipe` and the others; see `USBPipe`).
    public static let usbPipe = ResourceKind("usb-pipe")
    /// A `struct sk_buff *` (`alloc_skb`, `netdev_alloc_skb`, `skb_clone`).
    public static let skb = ResourceKind("skb")
    /// A `struct net_device *` of the simulated NIC (`net_device`).
    public static let netDevice = ResourceKind("net-device")
    /// The start of an ioremap mapping (`ioremap`).
    public static let ioremapArea = ResourceKind("ioremap-area", refines: .address)
}
