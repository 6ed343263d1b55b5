/// The named regions of the simulated kernel virtual address space (x86-64, 4-level paging).
///
/// | region      | start                 | end (exclusive)       | what lives there                              |
/// |-------------|-----------------------|-----------------------|-----------------------------------------------|
/// | `user`      | `0x0000000000010000`  | `0x00007ffffffff000`  | the current task's user pages (TASK_SIZE_MAX) |
/// | `directMap` | `0xffff888000000000`  | `0xffffc88000000000`  | all physical memory, linearly (PAGE_OFFSET)   |
/// | `vmalloc`   | `0xffffc90000000000`  | `0xffffe90000000000`  | vmalloc, vmap and ioremap mappings            |
/// | `vmemmap`   | `0xffffea0000000000`  | `0xffffeb0000000000`  | `struct page` handles, 64 bytes per frame     |
///
/// Only the first `memorySize` bytes of the direct map are backed; `vmalloc` and `user`
/// are backed page by page through page tables; `vmemmap` addresses are handles for
/// page frames (the kernel's `struct page *`) and hold no simulated data.
/// Any access outside a backed page is a `MemoryFault`, never a host crash.
public enum AddressRegion: String, CaseIterable, Sendable {
    /// User space of the current task, below TASK_SIZE.
    case user
    /// The linear mapping of all physical memory at PAGE_OFFSET.
    case directMap
    /// The vmalloc/vmap/ioremap range.
    case vmalloc
    /// The `struct page` array.
    case vmemmap

    /// First address of the region.
    public var start: KernelAddress {
        switch self {
        case .user: KernelAddress(0x0000_0000_0001_0000)
        case .directMap: KernelAddress(0xffff_8880_0000_0000)
        case .vmalloc: KernelAddress(0xffff_c900_0000_0000)
        case .vmemmap: KernelAddress(0xffff_ea00_0000_0000)
        }
    }

    /// One past the last address of the region.
    public var end: KernelAddress {
        switch self {
        case .user: KernelAddress(0x0000_7fff_ffff_f000)
        case .directMap: KernelAddress(0xffff_c880_0000_0000)
        case .vmalloc: KernelAddress(0xffff_e900_0000_0000)
        case .vmemmap: KernelAddress(0xffff_eb00_0000_0000)
        }
    }

    /// Whether `address` falls inside the region.
    public func contains(_ address: KernelAddress) -> Bool { address >= start && address < end }

    /// The region holding `address`, or nil for a hole in the layout.
    public static func containing(_ address: KernelAddress) -> AddressRegion? {
        allCases.first { $0.contains(address) }
    }
}

/// The kernel's PAGE_OFFSET: where the direct map starts.
public let PAGE_OFFSET = AddressRegion.directMap.start
/// The kernel's TASK_SIZE_MAX: the end of user space.
public let TASK_SIZE = AddressRegion.user.end
/// Start of the vmalloc range.
public let VMALLOC_START = AddressRegion.vmalloc.start
/// End (exclusive) of the vmalloc range.
public let VMALLOC_END = AddressRegion.vmalloc.end
/// Start of the `struct page` array.
public let VMEMMAP_START = AddressRegion.vmemmap.start
/// Size of one simulated `struct page`.
public let STRUCT_PAGE_SIZE = 64
