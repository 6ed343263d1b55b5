import HarnessCore
import KMSAN
import KernelMemory

/// Generic KASAN's vmalloc shadow (mm/kasan/shadow.c): one shadow byte per 8-byte granule
/// (0 all accessible, 1-7 the first k bytes, 0xF8 KASAN_VMALLOC_INVALID), one shadow page per
/// 32 KiB of vmalloc space. Shadow pages are real pages of the page allocator, holding the
/// shadow bytes as their data, installed in `VmallocState.shadow` by shadow page number
/// (region offset >> 15); a shadow byte of offset `o` is byte `(o >> 3) & 4095` of its page.
extension VmallocAllocator {
    /// `kasan_populate_vmalloc`: every shadow page the range maps onto is installed; a missing
    /// one is allocated outside the lock and filled with 0xF8, then installed under it only if
    /// still missing (the loser of a race frees its page). Installed pages keep their bytes.
    func kasanPopulate(_ range: Range<UInt64>, on cpu: KernelCPU) {
        guard options.kasan else { return }
        let first = range.lowerBound / Self.memoryPerShadowPage, last = (range.upperBound - 1) / Self.memoryPerShadowPage
        for page in first...last {
            if state.withLock({ $0.shadow[page] != nil }) { continue }
            guard let pfn = pages.allocPages(.kernel, order: 0, on: cpu) else { continue }
            pages.setOwner("kasan-shadow", ofBlockAt: pfn)
            try? runtime.addressSpace.fillData(runtime.addressSpace.directMapAddress(of: pfn), byte: Self.invalidShadow,
                                               count: PAGE_SIZE)
            // The fill is done before the page is visible (the kernel's smp_wmb()): the lock.
            let won = state.withLock { s -> Bool in
                guard s.shadow[page] == nil else { return false }
                s.shadow[page] = pfn.index
                return true
            }
            if !won {
                pages.setOwner(nil, ofBlockAt: pfn)
                pages.freePages(pfn, order: 0, on: cpu)
            }
        }
    }

    /// `kasan_unpoison_vmalloc`: `size` bytes from `start` accessible, a partial last granule
    /// getting `size % 8`.
    func kasanUnpoison(_ start: UInt64, size: Int) {
        guard options.kasan, size > 0 else { return }
        writeShadow(start, granules: size / 8, 0)
        if size % 8 != 0 { writeShadow(start + UInt64(size / 8 * 8), granules: 1, UInt8(size % 8)) }
    }

    /// `kasan_poison_vmalloc`: the area's mapped bytes back to 0xF8.
    func kasanPoison(_ start: UInt64, size: Int) {
        guard options.kasan, size > 0 else { return }
        writeShadow(start, granules: (size + 7) / 8, Self.invalidShadow)
    }

    /// Writes `granules` shadow bytes of `value` from the granule of `start`, page by page.
    func writeShadow(_ start: UInt64, granules: Int, _ value: UInt8) {
        var index = start >> 3, left = UInt64(granules)
        while left > 0 {
            let page = index >> 12, inPage = index & 4095
            let n = min(left, 4096 - inPage)
            if let pfn = state.withLock({ $0.shadow[page] }) {
                let base = runtime.addressSpace.directMapAddress(of: PageFrameNumber(pfn))
                try? runtime.addressSpace.fillData(base + Int(inPage), byte: value, count: Int(n))
            }
            index += n
            left -= n
        }
    }

    /// The shadow byte of region offset `o`, or nil when its shadow page is not installed.
    func shadowByte(_ o: UInt64) -> UInt8? {
        guard let pfn = state.withLock({ $0.shadow[o >> 15] }) else { return nil }
        let a = runtime.addressSpace.directMapAddress(of: PageFrameNumber(pfn)) + Int((o >> 3) & 4095)
        return (try? runtime.addressSpace.readBytes(a, count: 1))?.first
    }

    /// `kasan_release_vmalloc(start, end, free_region_start, free_region_end)`: the shadow
    /// pages fully inside the area's range go, and a partial edge page too when the free
    /// region, aligned inwards, reaches past it. Returns the frames taken out of `s.shadow`.
    static func releaseShadow(_ area: Range<UInt64>, freeRegion: Range<UInt64>, in s: inout VmallocState) -> [Int] {
        let unit = memoryPerShadowPage
        func alignUp(_ v: UInt64) -> UInt64 { (v + unit - 1) / unit * unit }
        func alignDown(_ v: UInt64) -> UInt64 { v / unit * unit }
        var regionStart = alignUp(area.lowerBound), regionEnd = alignDown(area.upperBound)
        if area.lowerBound != regionStart, alignUp(freeRegion.lowerBound) < regionStart { regionStart -= unit }
        if area.upperBound != regionEnd, alignDown(freeRegion.upperBound) > regionEnd { regionEnd += unit }
        guard regionEnd > regionStart else { return [] }
        var frames: [Int] = []
        for page in (regionStart / unit)..<(regionEnd / unit) {
            if let pfn = s.shadow.removeValue(forKey: page) { frames.append(pfn) }
        }
        return frames
    }

    /// KASAN's check of an access to vmalloc space (`kasan_check_range`): the first byte whose
    /// granule says it is not accessible makes a `vmalloc-out-of-bounds` report, printed once
    /// per boot unless multi-shot (`report_enabled`).
    public func checkAccess(_ address: KernelAddress, size: Int, _ direction: KASANAccess.Direction, on cpu: KernelCPU) {
        guard options.kasan, let start = offset(address) else { return }
        let end = start + UInt64(min(size, Int(VMALLOC_END.raw - address.raw)))
        guard let bad = firstBadByte(start..<end) else { return }
        let print = state.withLock { s -> Bool in
            defer { s.kasanReported = true }
            return options.multiShot || !s.kasanReported
        }
        guard print else { return }
        runtime.reportKASAN(.vmallocOutOfBounds, KASANAccess(direction, size: size), at: address,
                            description: description(accessOffset: start, badOffset: bad), on: cpu)
    }

    /// `kasan_find_first_bad_addr`: the first byte of `range` whose granule's shadow says it is
    /// not accessible. The walk reads each installed shadow page once and jumps over pages that
    /// are not installed (an access there faults on its own), so its time is proportional to
    /// the shadow the range covers, whatever its size.
    func firstBadByte(_ range: Range<UInt64>) -> UInt64? {
        var o = range.lowerBound
        while o < range.upperBound {
            let page = o / Self.memoryPerShadowPage
            let pageEnd = min((page + 1) * Self.memoryPerShadowPage, range.upperBound)
            guard let pfn = state.withLock({ $0.shadow[page] }) else {
                // Jump to the next installed shadow page, if any lies inside the range.
                let next = state.withLock { s in s.shadow.keys.filter { $0 > page }.min() }
                guard let next else { return nil }
                o = max(pageEnd, next * Self.memoryPerShadowPage)
                continue
            }
            let firstIndex = Int((o >> 3) & 4095), lastIndex = Int(((pageEnd - 1) >> 3) & 4095)
            let base = runtime.addressSpace.directMapAddress(of: PageFrameNumber(pfn))
            guard let bytes = try? runtime.addressSpace.readBytes(base + firstIndex, count: lastIndex - firstIndex + 1) else {
                return nil
            }
            for (k, shadow) in bytes.enumerated() where shadow != 0 {
                let granule = (o & ~7) + UInt64(k) * 8
                let from = max(granule, o), to = min(granule + 8, pageEnd)
                if shadow >= 0x80 { return from }
                if from & 7 >= UInt64(shadow) { return from }
                if (to - 1) & 7 >= UInt64(shadow) { return granule + UInt64(shadow) }
            }
            o = pageEnd
        }
        return nil
    }

    /// What mm/kasan/report.c (Linux 6.18) prints after the call trace for a vmalloc address:
    /// `print_address_description` asks `vmalloc_dump_obj` about the page-aligned access address
    /// ("belongs to a N-page vmalloc region starting at ... allocated at <caller>", N being
    /// `vm->nr_pages`, 0 for vmap and ioremap) or says "a vmalloc virtual mapping"; then
    /// `print_memory_metadata` prints the shadow rows around the first bad granule (16 granules a
    /// row, two rows each side, `>` and `^` at it). The physical page's `dump_page` block, which
    /// the kernel prints between the two for a mapped address, is left out.
    func description(accessOffset: UInt64, badOffset: UInt64) -> [String] {
        var lines: [String] = []
        let aligned = (accessOffset + UInt64(PAGE_SIZE) - 1) / UInt64(PAGE_SIZE) * UInt64(PAGE_SIZE)
        if let area = state.withLock({ $0.area(containing: aligned) }) {
            let pages = area.kind == .vmalloc ? area.frames.count : 0
            let caller = runtime.symbols.symbolize(area.caller).description
            lines.append("The buggy address belongs to a \(pages)-page vmalloc region starting at 0x"
                         + String(address(area.start).raw, radix: 16) + " allocated at \(caller)")
        } else {
            lines.append("The buggy address belongs to a vmalloc virtual mapping")
        }
        lines.append("Memory state around the buggy address:")
        let rowBytes: UInt64 = 16 * 8
        let guilty = badOffset / rowBytes * rowBytes
        for i in -2...2 {
            let row = Int64(guilty) + Int64(i) * Int64(rowBytes)
            guard row >= 0 else { continue }
            let r = UInt64(row)
            let bytes = (0..<16).map { g in String(format: "%02x", shadowByte(r + UInt64(g) * 8) ?? Self.invalidShadow) }
            lines.append("\(i == 0 ? ">" : " ")\(hex16(address(r).raw)): " + bytes.joined(separator: " "))
            if i == 0 {
                let column = 3 + 16 + Int((badOffset - r) / 8) * 3 + 1
                lines.append(String(repeating: " ", count: column - 1) + "^")
            }
        }
        return lines
    }
}
