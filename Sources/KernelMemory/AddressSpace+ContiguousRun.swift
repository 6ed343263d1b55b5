/// A direct-map range whose data, shadow and origins are each one contiguous host block: the
/// fast path of every metadata operation, which otherwise walks `MemorySegment`s.
///
/// Only valid inside the function that obtained it; the pointers must not escape.
package struct ContiguousRun {
    /// Host address of the first data byte.
    package var data: UnsafeMutableRawPointer
    /// Host address of the first byte's shadow, or nil when the range is untracked.
    package var shadow: UnsafeMutablePointer<UInt8>?
    /// Host address of the origin slot holding the first byte, or nil when untracked.
    package var origin: UnsafeMutablePointer<UInt32>?
    /// `address & 3`: the first byte's position within its origin slot.
    package var lead: Int
}

extension AddressSpace {
    /// Host pointers for `[address, address + count)` if the range lies in the direct map,
    /// inside one memory section (so its host memory is contiguous), and its frames are all
    /// tracked or all untracked. Nil otherwise: callers then walk segments.
    @inline(__always)
    package func contiguousRun(_ address: KernelAddress, count: Int) -> ContiguousRun? {
        guard count > 0, address >= PAGE_OFFSET else { return nil }
        let offset = address.raw &- PAGE_OFFSET.raw
        let size = UInt64(memory.size)
        guard offset < size, UInt64(count) <= size - offset else { return nil }
        let first = Int(offset >> UInt64(PAGE_SHIFT))
        let last = Int((offset + UInt64(count) - 1) >> UInt64(PAGE_SHIFT))
        let perSection = PhysicalMemory.framesPerSection
        guard first / perSection == last / perSection else { return nil }
        let pfn = PageFrameNumber(first)
        let tracked = memory.isTracked(pfn)
        if last > first {
            for f in (first + 1)...last where memory.isTracked(PageFrameNumber(f)) != tracked { return nil }
        }
        let inPage = Int(offset & UInt64(PAGE_SIZE - 1))
        memory.touch(first, last)
        return ContiguousRun(
            data: memory.dataBase(pfn) + inPage,
            shadow: tracked ? memory.shadowBase(pfn) + inPage : nil,
            origin: tracked ? memory.originBase(pfn) + (inPage >> 2) : nil,
            lead: inPage & 3)
    }
}
