/// A run of simulated bytes whose data, shadow and origins are each contiguous in host memory.
///
/// Only valid inside the closure that receives it; the pointers must not escape.
package struct MemorySegment {
    /// Virtual address of the first byte.
    package var address: KernelAddress
    /// Number of bytes.
    package var count: Int
    /// Region of the virtual address; nil for an unmapped run.
    package var region: AddressRegion?
    /// Host address of the first data byte; nil for an unmapped run (metadata-only walks).
    package var data: UnsafeMutableRawPointer?
    /// Host address of the first byte's shadow, or nil for untracked memory.
    package var shadow: UnsafeMutablePointer<UInt8>?
    /// Host address of the origin slot holding the first byte (its address rounded down to 4),
    /// or nil for untracked memory.
    package var origin: UnsafeMutablePointer<UInt32>?

    /// The origin slot holding byte `i` of the segment.
    @inline(__always)
    package func originSlot(ofByte i: Int) -> UnsafeMutablePointer<UInt32> {
        let first = Int(address.raw & 3)
        return origin.unsafelyUnwrapped + ((first + i) >> 2)
    }
}

extension AddressSpace {
    /// Rejects a negative size or a range that wraps around the end of the address space (a
    /// range may end exactly at 2^64: its last byte is 0xffffffffffffffff).
    private func checkRange(_ address: KernelAddress, count: Int) throws(MemoryFault) {
        guard count >= 0, count == 0 || address.raw <= UInt64.max - UInt64(count - 1) else {
            throw MemoryFault(kind: .invalidRange, address: address, size: count)
        }
    }

    /// Checks that every byte of `[address, address + count)` is mapped. The walk visits
    /// mapped extents (the direct map in one step, page-table pages one by one) and stops at
    /// the first unmapped byte, so its time is proportional to the memory the range covers.
    /// All arithmetic is in offsets from `address`, which never wrap.
    public func validate(_ address: KernelAddress, count: Int) throws(MemoryFault) {
        try checkRange(address, count: count)
        let total = UInt64(count)
        var pos: UInt64 = 0
        while pos < total {
            let a = KernelAddress(address.raw &+ pos)
            guard let extent = mappedExtent(at: a) else {
                throw MemoryFault(kind: .unmapped, address: a, size: count)
            }
            pos += min(extent, total - pos)
        }
    }

    /// Bytes from `a` to the end of the mapped extent it starts: to the end of physical memory
    /// in the direct map, to the end of its page elsewhere; nil if `a` is not mapped.
    func mappedExtent(at a: KernelAddress) -> UInt64? {
        if a >= PAGE_OFFSET, a.raw - PAGE_OFFSET.raw < UInt64(memory.size) {
            return UInt64(memory.size) - (a.raw - PAGE_OFFSET.raw)
        }
        guard translate(a) != nil else { return nil }
        return UInt64(PAGE_SIZE - a.pageOffset)
    }

    /// Bytes from the unmapped address `a` to the next mapped byte, at most `limit`: the walk
    /// over an unmapped gap is one step, whatever its size.
    func unmappedGap(at a: KernelAddress, limit: UInt64) -> UInt64 {
        var gap = limit
        func consider(_ target: UInt64) { if target > a.raw { gap = min(gap, target - a.raw) } }
        if a < PAGE_OFFSET, memory.size > 0 { consider(PAGE_OFFSET.raw) }
        let nextPage = (a.raw >> UInt64(PAGE_SHIFT)) + 1
        for (region, table) in [(AddressRegion.vmalloc, vmallocPages), (AddressRegion.user, userPages)] {
            let from = max(nextPage, region.start.raw >> UInt64(PAGE_SHIFT))
            if let page = table.firstMappedPage(atOrAfter: from), page <= UInt64.max >> UInt64(PAGE_SHIFT) {
                consider(page << UInt64(PAGE_SHIFT))
            }
        }
        return max(gap, 1)
    }

    /// Calls `body` for each maximal run of `[address, address + count)` with contiguous host
    /// data and metadata, in address order.
    ///
    /// By default the whole range must be mapped (else a `MemoryFault` and no call). With
    /// `unmappedAsUntracked`, as KMSAN's metadata-only operations do, unmapped memory becomes
    /// runs with neither data nor metadata and nothing is thrown for them; an unmapped gap is
    /// one run reached in one step.
    package func forEachSegment(
        _ address: KernelAddress, count: Int, unmappedAsUntracked: Bool = false,
        _ body: (MemorySegment) -> Void
    ) throws(MemoryFault) {
        if unmappedAsUntracked {
            try checkRange(address, count: count)
        } else {
            try validate(address, count: count)
        }
        let total = UInt64(count)
        var pos: UInt64 = 0
        var current: MemorySegment?
        var lastFrame = PageFrameNumber(-2)
        while pos < total {
            let a = KernelAddress(address.raw &+ pos)
            guard let t = translate(a) else {
                let chunk = Int(unmappedGap(at: a, limit: total - pos))
                if var seg = current, seg.region == nil {
                    seg.count += chunk
                    current = seg
                } else {
                    if let seg = current { body(seg) }
                    current = MemorySegment(address: a, count: chunk, region: nil, data: nil, shadow: nil, origin: nil)
                }
                lastFrame = PageFrameNumber(-2)
                pos += UInt64(chunk)
                continue
            }
            let chunk = Int(min(total - pos, UInt64(PAGE_SIZE - a.pageOffset)))
            memory.touch(t.frame.index, t.frame.index)
            if var seg = current, t.region == seg.region, t.frame.index == lastFrame.index + 1,
               memory.section(of: t.frame) == memory.section(of: lastFrame), (seg.shadow != nil) == t.tracked {
                seg.count += chunk
                current = seg
            } else {
                if let seg = current { body(seg) }
                let off = a.pageOffset
                current = MemorySegment(
                    address: a, count: chunk, region: t.region,
                    data: memory.dataBase(t.frame) + off,
                    shadow: t.tracked ? memory.shadowBase(t.frame) + off : nil,
                    origin: t.tracked ? memory.originBase(t.frame) + (off >> 2) : nil)
            }
            lastFrame = t.frame
            pos += UInt64(chunk)
        }
        if let seg = current { body(seg) }
    }

    /// Reads `count` bytes of simulated data (no metadata involved, as a device would).
    public func readBytes(_ address: KernelAddress, count: Int) throws(MemoryFault) -> [UInt8] {
        try validate(address, count: count)  // before any host memory is reserved for the bytes
        var out: [UInt8] = []
        out.reserveCapacity(count)
        try forEachSegment(address, count: count) { seg in
            out.append(contentsOf: UnsafeRawBufferPointer(start: seg.data, count: seg.count))
        }
        return out
    }

    /// Writes bytes of simulated data (no metadata involved, as a device would).
    public func writeBytes(_ bytes: [UInt8], at address: KernelAddress) throws(MemoryFault) {
        var pos = 0
        try forEachSegment(address, count: bytes.count) { seg in
            bytes.withUnsafeBytes { src in
                seg.data.unsafelyUnwrapped.copyMemory(from: src.baseAddress! + pos, byteCount: seg.count)
            }
            pos += seg.count
        }
    }
}

extension AddressSpace {
    /// Moves `count` data bytes from `src` to `dst` with memmove semantics; both ranges must
    /// be mapped (else nothing moves).
    public func moveData(to dst: KernelAddress, from src: KernelAddress, count: Int) throws(MemoryFault) {
        guard count > 0, dst != src else {
            try validate(src, count: count)
            try validate(dst, count: count)
            return
        }
        if let d = contiguousRun(dst, count: count), let s = contiguousRun(src, count: count) {
            d.data.copyMemory(from: s.data, byteCount: count)
            return
        }
        try validate(src, count: count)
        try validate(dst, count: count)
        var d: [(UnsafeMutableRawPointer, Int)] = [], s: [(UnsafeMutableRawPointer, Int)] = []
        try forEachSegment(dst, count: count) { d.append(($0.data.unsafelyUnwrapped, $0.count)) }
        try forEachSegment(src, count: count) { s.append(($0.data.unsafelyUnwrapped, $0.count)) }
        if d.count == 1, s.count == 1 {
            d[0].0.copyMemory(from: s[0].0, byteCount: count)
            return
        }
        // Split across frames: stage through a buffer, which handles any overlap.
        let staged = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        defer { staged.deallocate() }
        var pos = 0
        for (p, n) in s { (staged + pos).copyMemory(from: p, byteCount: n); pos += n }
        pos = 0
        for (p, n) in d { p.copyMemory(from: staged + pos, byteCount: n); pos += n }
    }

    /// Fills `count` data bytes at `address` with `byte`; the range must be mapped.
    public func fillData(_ address: KernelAddress, byte: UInt8, count: Int) throws(MemoryFault) {
        if let run = contiguousRun(address, count: count) {
            run.data.initializeMemory(as: UInt8.self, repeating: byte, count: count)
            return
        }
        try forEachSegment(address, count: count) { seg in
            seg.data.unsafelyUnwrapped.initializeMemory(as: UInt8.self, repeating: byte, count: seg.count)
        }
    }
}
