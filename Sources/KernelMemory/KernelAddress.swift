/// The page size of the simulated kernel (x86-64: 4 KiB pages).
public let PAGE_SIZE = 4096
/// log2(PAGE_SIZE).
public let PAGE_SHIFT = 12

/// `get_order(size)`: the smallest order whose block of `PAGE_SIZE << order` bytes holds `size`
/// (`fls64(size - 1) - PAGE_SHIFT`; 0 for a size of at most a page). Overflow-free for every `Int`.
public func getOrder(_ size: Int) -> Int {
    size <= PAGE_SIZE ? 0 : Int.bitWidth - (size - 1).leadingZeroBitCount - PAGE_SHIFT
}

/// A virtual address in the simulated kernel's 64-bit address space.
///
/// Prints as the kernel's `%px` does: 16 lowercase hex digits without `0x`.
public struct KernelAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw 64-bit address.
    public var raw: UInt64

    /// Wraps a raw address.
    public init(_ raw: UInt64) { self.raw = raw }

    /// The null pointer.
    public static let null = KernelAddress(0)

    /// Whether this is the null pointer.
    public var isNull: Bool { raw == 0 }

    /// Offset of the address within its page.
    public var pageOffset: Int { Int(raw & UInt64(PAGE_SIZE - 1)) }

    /// The address rounded down to its page.
    public var pageAligned: KernelAddress { KernelAddress(raw & ~UInt64(PAGE_SIZE - 1)) }

    /// The address rounded down to a multiple of `alignment` (a power of two).
    public func alignedDown(to alignment: Int) -> KernelAddress {
        KernelAddress(raw & ~UInt64(alignment - 1))
    }

    /// `%px` formatting: 16 lowercase hex digits.
    public var description: String { hex16(raw) }

    /// Adds a byte offset (wrapping, as pointer arithmetic on a 64-bit machine does).
    public static func + (lhs: KernelAddress, rhs: Int) -> KernelAddress {
        KernelAddress(lhs.raw &+ UInt64(bitPattern: Int64(rhs)))
    }

    /// Subtracts a byte offset.
    public static func - (lhs: KernelAddress, rhs: Int) -> KernelAddress {
        KernelAddress(lhs.raw &- UInt64(bitPattern: Int64(rhs)))
    }

    /// The signed distance in bytes from `rhs` to `lhs`.
    public static func - (lhs: KernelAddress, rhs: KernelAddress) -> Int {
        Int(Int64(bitPattern: lhs.raw &- rhs.raw))
    }

    /// Orders addresses numerically.
    public static func < (lhs: KernelAddress, rhs: KernelAddress) -> Bool { lhs.raw < rhs.raw }
}

/// The number of a 4 KiB physical page frame (the kernel's `pfn`).
public struct PageFrameNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The frame index; physical address = index << PAGE_SHIFT.
    public var index: Int

    /// Wraps a frame index.
    public init(_ index: Int) { self.index = index }

    /// The frame's physical address.
    public var physicalAddress: UInt64 { UInt64(index) << UInt64(PAGE_SHIFT) }

    /// The frame `n` frames after this one.
    public func advanced(by n: Int) -> PageFrameNumber { PageFrameNumber(index + n) }

    /// Prints as `pfn:0x...`.
    public var description: String { "pfn:0x" + String(index, radix: 16) }

    /// Orders frames by index.
    public static func < (lhs: PageFrameNumber, rhs: PageFrameNumber) -> Bool { lhs.index < rhs.index }
}

/// Formats a value as 16 lowercase hex digits, the kernel's `%px`.
@inlinable
public func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
