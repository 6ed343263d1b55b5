/// The simulated kernel virtual address space over one `PhysicalMemory`.
///
/// Regions and their bounds are in `AddressRegion`. The direct map translates arithmetically;
/// vmalloc and user pages go through their page tables; vmemmap addresses are `struct page`
/// handles with no data behind them.
public final class AddressSpace: Sendable {
    /// The physical memory behind the direct map.
    public let memory: PhysicalMemory
    /// Page table of the vmalloc region.
    public let vmallocPages = PageTable()
    /// Page table of the current task's user space.
    public let userPages = PageTable()

    /// Creates the address space of `memory`.
    public init(memory: PhysicalMemory) { self.memory = memory }

    /// Where a virtual address lands.
    public struct Translation: Sendable, Equatable {
        /// The frame holding the byte.
        public var frame: PageFrameNumber
        /// The region of the virtual address.
        public var region: AddressRegion
        /// Whether the page has KMSAN metadata.
        public var tracked: Bool

        /// Creates a translation result.
        public init(frame: PageFrameNumber, region: AddressRegion, tracked: Bool) {
            self.frame = frame
            self.region = region
            self.tracked = tracked
        }
    }

    /// Translates `address`, or nil when no page backs it.
    public func translate(_ address: KernelAddress) -> Translation? {
        let d = directMapFrame(address)
        if let d { return Translation(frame: d, region: .directMap, tracked: memory.isTracked(d)) }
        let table: PageTable
        let region: AddressRegion
        if AddressRegion.vmalloc.contains(address) { table = vmallocPages; region = .vmalloc }
        else if AddressRegion.user.contains(address) { table = userPages; region = .user }
        else { return nil }
        guard let m = table.lookup(address), memory.contains(m.frame) else { return nil }
        let tracked = m.metadata == .frame && memory.isTracked(m.frame) && region != .user
        return Translation(frame: m.frame, region: region, tracked: tracked)
    }

    /// The frame behind a direct-map address (the kernel's `virt_to_pfn`), or nil.
    public func directMapFrame(_ address: KernelAddress) -> PageFrameNumber? {
        guard address >= PAGE_OFFSET else { return nil }
        let offset = address.raw - PAGE_OFFSET.raw
        guard offset < UInt64(memory.size) else { return nil }
        return PageFrameNumber(Int(offset >> UInt64(PAGE_SHIFT)))
    }

    /// The direct-map address of a frame (the kernel's `page_address` for lowmem).
    public func directMapAddress(of pfn: PageFrameNumber) -> KernelAddress {
        PAGE_OFFSET + pfn.index * PAGE_SIZE
    }

    /// The `struct page *` handle of a frame, in the vmemmap region.
    public func pageHandle(of pfn: PageFrameNumber) -> KernelAddress {
        VMEMMAP_START + pfn.index * STRUCT_PAGE_SIZE
    }

    /// The frame named by a `struct page *` handle, or nil if it names none.
    public func frame(ofPageHandle handle: KernelAddress) -> PageFrameNumber? {
        guard AddressRegion.vmemmap.contains(handle) else { return nil }
        let offset = handle.raw - VMEMMAP_START.raw
        guard offset % UInt64(STRUCT_PAGE_SIZE) == 0 else { return nil }
        let pfn = PageFrameNumber(Int(offset / UInt64(STRUCT_PAGE_SIZE)))
        return memory.contains(pfn) ? pfn : nil
    }
}
