import Synchronization

/// How a mapped virtual page finds its KMSAN metadata.
public enum PageMetadata: Sendable, Equatable {
    /// The frame's own shadow and origin pages (vmap aliases share them with the direct map).
    case frame
    /// No metadata: accesses read as initialized and metadata stores are ignored.
    case untracked
}

/// One page-table entry: the frame behind a virtual page and where its metadata lives.
public struct PageMapping: Sendable, Equatable {
    /// The physical frame.
    public var frame: PageFrameNumber
    /// Where the metadata for this virtual page lives.
    public var metadata: PageMetadata

    /// Creates an entry.
    public init(frame: PageFrameNumber, metadata: PageMetadata) {
        self.frame = frame
        self.metadata = metadata
    }
}

/// A sparse page table for one region (vmalloc or user): virtual page number to mapping.
public final class PageTable: Sendable {
    private let entries = Locked<[UInt64: PageMapping]>([:])

    /// Creates an empty table.
    public init() {}

    /// Maps the page at `address` (page-aligned); replaces any previous entry.
    public func map(_ address: KernelAddress, to mapping: PageMapping) {
        entries.withLock { $0[address.raw >> UInt64(PAGE_SHIFT)] = mapping }
    }

    /// Unmaps the page at `address`; returns the old entry.
    @discardableResult
    public func unmap(_ address: KernelAddress) -> PageMapping? {
        entries.withLock { $0.removeValue(forKey: address.raw >> UInt64(PAGE_SHIFT)) }
    }

    /// The entry for the page holding `address`.
    public func lookup(_ address: KernelAddress) -> PageMapping? {
        entries.withLock { $0[address.raw >> UInt64(PAGE_SHIFT)] }
    }

    /// Number of mapped pages.
    public var count: Int { entries.withLock { $0.count } }
}
