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

/// A sparse page table for one region (vmalloc or user): virtual page number to mapping, with
/// the mapped page numbers also kept sorted, so that a range walk jumps over unmapped gaps
/// (`firstMappedPage`) instead of probing every page.
public final class PageTable: Sendable {
    private struct Storage {
        var entries: [UInt64: PageMapping] = [:]
        /// The keys of `entries`, ascending.
        var sorted: [UInt64] = []

        /// The index of the first key >= `page` in `sorted`.
        func lowerBound(_ page: UInt64) -> Int {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid] < page { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }
    private let storage = Locked(Storage())

    /// Creates an empty table.
    public init() {}

    /// The table's mappings, for `restoreState(_:)`.
    public func saveState() -> SavedState { storage.saveState() }

    /// Puts back mappings `saveState()` returned.
    public func restoreState(_ saved: SavedState) { storage.restoreState(saved) }

    /// Maps the page at `address` (page-aligned); replaces any previous entry.
    public func map(_ address: KernelAddress, to mapping: PageMapping) {
        let page = address.raw >> UInt64(PAGE_SHIFT)
        storage.withLock { s in
            if s.entries.updateValue(mapping, forKey: page) == nil { s.sorted.insert(page, at: s.lowerBound(page)) }
        }
    }

    /// Unmaps the page at `address`; returns the old entry.
    @discardableResult
    public func unmap(_ address: KernelAddress) -> PageMapping? {
        let page = address.raw >> UInt64(PAGE_SHIFT)
        return storage.withLock { s in
            guard let old = s.entries.removeValue(forKey: page) else { return nil }
            s.sorted.remove(at: s.lowerBound(page))
            return old
        }
    }

    /// The entry for the page holding `address`.
    public func lookup(_ address: KernelAddress) -> PageMapping? {
        storage.withLock { $0.entries[address.raw >> UInt64(PAGE_SHIFT)] }
    }

    /// The lowest mapped page number at or above `page`, if any.
    public func firstMappedPage(atOrAfter page: UInt64) -> UInt64? {
        storage.withLock { s in
            let i = s.lowerBound(page)
            return i < s.sorted.count ? s.sorted[i] : nil
        }
    }

    /// Number of mapped pages.
    public var count: Int { storage.withLock { $0.entries.count } }
}
