import KernelMemory
import Testing

/// `AddressSpace` translation: the direct map, page-table regions and vmemmap handles.
@Suite("Address translation")
struct AddressTranslationTests {
    let memory: PhysicalMemory
    let space: AddressSpace

    init() throws {
        memory = try PhysicalMemory(size: 4 << 20)
        space = AddressSpace(memory: memory)
    }

    // MARK: Direct map

    /// Frame N lives at PAGE_OFFSET + N * 4096 and every byte of that page translates back to N.
    @Test("direct-map address of frame N translates back to N", arguments: [0, 1, 513, 1023])
    func directMapRoundTrip(frame: Int) throws {
        let pfn = PageFrameNumber(frame)
        let expectedAddress = KernelAddress(0xffff_8880_0000_0000 + UInt64(frame) * 4096)
        let expected = AddressSpace.Translation(frame: pfn, region: .directMap, tracked: true)

        let address = space.directMapAddress(of: pfn)
        #expect(address == expectedAddress)
        #expect(space.translate(address) == expected)
        #expect(space.translate(address + PAGE_SIZE - 1) == expected)
        #expect(space.directMapFrame(address + 123) == pfn)
    }

    /// The direct map reports the frame's tracking flag.
    @Test("direct-map translation reflects setTracked")
    func directMapTracking() throws {
        let pfn = PageFrameNumber(42)
        let address = space.directMapAddress(of: pfn)
        #expect(space.translate(address)?.tracked == true)

        try memory.setTracked(false, from: pfn)
        #expect(space.translate(address)?.tracked == false)
        #expect(space.translate(address - PAGE_SIZE)?.tracked == true)

        try memory.setTracked(true, from: pfn)
        #expect(space.translate(address)?.tracked == true)
    }

    /// Past the end of memory the direct map has no backing, though the region continues.
    @Test("a direct-map address past the end of memory does not translate")
    func directMapPastEnd() {
        let end = PAGE_OFFSET + memory.size
        #expect(AddressRegion.containing(end) == .directMap)
        #expect(space.translate(end) == nil)
        #expect(space.directMapFrame(end) == nil)
        #expect(space.translate(AddressRegion.directMap.end - 1) == nil)
        // The last byte of memory still translates.
        #expect(space.translate(end - 1)?.frame == PageFrameNumber(memory.frameCount - 1))
    }

    /// Addresses below PAGE_OFFSET and in the layout's holes never translate.
    @Test("addresses outside any backed region do not translate", arguments: [
        UInt64(0), UInt64(0xffff_887f_ffff_ffff), UInt64(0xffff_e900_0000_0000), UInt64.max,
    ])
    func holesDoNotTranslate(raw: UInt64) {
        #expect(space.translate(KernelAddress(raw)) == nil)
        #expect(space.directMapFrame(KernelAddress(raw)) == nil)
    }

    // MARK: vmalloc

    /// A vmalloc page translates only while it is mapped.
    @Test("a vmalloc page translates after map and stops after unmap")
    func vmallocMapUnmap() {
        let page = VMALLOC_START + 5 * PAGE_SIZE
        let frame = PageFrameNumber(77)
        #expect(space.translate(page) == nil, "unmapped before map")

        space.vmallocPages.map(page, to: PageMapping(frame: frame, metadata: .frame))
        #expect(space.translate(page + 100) == AddressSpace.Translation(frame: frame, region: .vmalloc, tracked: true))
        #expect(space.translate(page + PAGE_SIZE) == nil, "the next page stays unmapped")
        #expect(space.vmallocPages.count == 1)

        let old = space.vmallocPages.unmap(page)
        #expect(old == PageMapping(frame: frame, metadata: .frame))
        #expect(space.translate(page) == nil)
        #expect(space.vmallocPages.count == 0)
        #expect(space.vmallocPages.unmap(page) == nil, "unmapping twice finds nothing")
    }

    /// A vmalloc alias shares the frame's tracking flag with the direct map.
    @Test("a .frame vmalloc mapping follows the frame's tracking")
    func vmallocFollowsFrameTracking() throws {
        let page = VMALLOC_START
        let frame = PageFrameNumber(9)
        space.vmallocPages.map(page, to: PageMapping(frame: frame, metadata: .frame))
        #expect(space.translate(page)?.tracked == true)
        try memory.setTracked(false, from: frame)
        #expect(space.translate(page)?.tracked == false)
    }

    /// `.untracked` mappings have no metadata even over a tracked frame.
    @Test("an .untracked vmalloc mapping is untracked")
    func vmallocUntracked() {
        let page = VMALLOC_START + PAGE_SIZE
        let frame = PageFrameNumber(10)
        space.vmallocPages.map(page, to: PageMapping(frame: frame, metadata: .untracked))
        #expect(memory.isTracked(frame))
        #expect(space.translate(page) == AddressSpace.Translation(frame: frame, region: .vmalloc, tracked: false))
    }

    /// Mapping a page again replaces its entry.
    @Test("re-mapping a page replaces the old entry")
    func remapReplaces() {
        let page = VMALLOC_START
        space.vmallocPages.map(page, to: PageMapping(frame: PageFrameNumber(1), metadata: .frame))
        space.vmallocPages.map(page, to: PageMapping(frame: PageFrameNumber(2), metadata: .untracked))
        #expect(space.vmallocPages.count == 1)
        #expect(space.translate(page)?.frame == PageFrameNumber(2))
        #expect(space.translate(page)?.tracked == false)
    }

    /// A page-table entry naming a frame outside memory does not translate.
    @Test("a mapping to a frame outside memory does not translate")
    func mappingBeyondMemory() {
        let page = VMALLOC_START
        space.vmallocPages.map(page, to: PageMapping(frame: PageFrameNumber(memory.frameCount), metadata: .frame))
        #expect(space.translate(page) == nil)
    }

    /// Each region only consults its own page table.
    @Test("a vmalloc entry does not map the same page number elsewhere")
    func tablesAreRegionSpecific() {
        let userPage = KernelAddress(0x0000_5555_0000_0000)
        space.vmallocPages.map(userPage, to: PageMapping(frame: PageFrameNumber(3), metadata: .frame))
        #expect(space.translate(userPage) == nil, "a user address ignores the vmalloc table")
    }

    // MARK: User

    /// A user page translates only while mapped, and is never tracked.
    @Test("a user page translates after map, is untracked, and stops after unmap")
    func userMapUnmap() {
        let page = KernelAddress(0x0000_5555_5555_4000)
        let frame = PageFrameNumber(200)
        #expect(space.translate(page) == nil)

        space.userPages.map(page, to: PageMapping(frame: frame, metadata: .frame))
        #expect(memory.isTracked(frame))
        #expect(space.translate(page + 8) == AddressSpace.Translation(frame: frame, region: .user, tracked: false))

        space.userPages.unmap(page)
        #expect(space.translate(page) == nil)
    }

    /// Pages below the user region (the NULL guard area) never translate, even if mapped.
    @Test("a mapping below the user region does not translate")
    func nullPageNeverTranslates() {
        space.userPages.map(.null, to: PageMapping(frame: PageFrameNumber(1), metadata: .frame))
        #expect(space.translate(.null) == nil)
        #expect(space.translate(KernelAddress(0x10)) == nil)
    }

    // MARK: vmemmap

    /// `pageHandle(of:)` and `frame(ofPageHandle:)` round-trip for every frame of memory.
    @Test("page handles round-trip", arguments: [0, 1, 1023])
    func pageHandleRoundTrip(frame: Int) {
        let pfn = PageFrameNumber(frame)
        let handle = space.pageHandle(of: pfn)
        #expect(handle == VMEMMAP_START + frame * STRUCT_PAGE_SIZE)
        #expect(AddressRegion.containing(handle) == .vmemmap)
        #expect(space.frame(ofPageHandle: handle) == pfn)
    }

    /// A handle in the middle of a `struct page` names no frame.
    @Test("misaligned page handles give nil", arguments: [1, 8, 63])
    func misalignedHandle(offset: Int) {
        let handle = space.pageHandle(of: PageFrameNumber(5)) + offset
        #expect(space.frame(ofPageHandle: handle) == nil)
    }

    /// Handles past the last frame, or outside vmemmap, name no frame.
    @Test("out-of-range page handles give nil")
    func outOfRangeHandle() {
        #expect(space.frame(ofPageHandle: space.pageHandle(of: PageFrameNumber(memory.frameCount))) == nil)
        #expect(space.frame(ofPageHandle: VMEMMAP_START - STRUCT_PAGE_SIZE) == nil)
        #expect(space.frame(ofPageHandle: AddressRegion.vmemmap.end) == nil)
        #expect(space.frame(ofPageHandle: PAGE_OFFSET) == nil)
        #expect(space.frame(ofPageHandle: .null) == nil)
    }

    /// vmemmap handles are not data: they never translate.
    @Test("page handles do not translate to data")
    func handlesHaveNoData() {
        #expect(space.translate(space.pageHandle(of: PageFrameNumber(0))) == nil)
    }
}
