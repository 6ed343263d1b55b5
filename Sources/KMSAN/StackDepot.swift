import KernelMemory
import Synchronization

/// The stack depot: deduplicated storage of stacks (and of KMSAN's magic records) behind
/// 32-bit handles, like lib/stackdepot.c.
///
/// A record is a sequence of 64-bit entries: return addresses (synthetic text addresses, see
/// `CallSite`) innermost first, or a magic record (`allocaMagic`, `chainMagic`). Saving an
/// entry sequence already present returns the existing record, so identical stacks give
/// identical handles. Records are never freed. Thread-safe.
public final class StackDepot: Sendable {
    /// entries[0] of a stack-local origin record: {magic, name, pc of the creating frame, pc of its caller}.
    public static let allocaMagic: UInt64 = 0xabcd_0100
    /// entries[0] of a chain record: {magic, handle of the storing stack, previous origin}.
    public static let chainMagic: UInt64 = 0xabcd_0200
    /// The most entries a record keeps (KMSAN_STACK_DEPTH).
    public static let maxEntries = 64

    private struct Storage {
        var pool: [UInt64] = []
        var offsets: [Int] = []
        var counts: [Int] = []
        var hashes: [UInt32] = []
        /// Open-addressing table of record + 1 (0 = empty); capacity is a power of two.
        var table = [UInt32](repeating: 0, count: 1024)
    }
    private let storage = Locked(Storage())

    /// Creates an empty depot.
    public init() {}

    /// The depot's records, for `restoreState(_:)`.
    public func saveState() -> SavedState { storage.saveState() }

    /// Puts back what `saveState()` returned.
    public func restoreState(_ saved: SavedState) { storage.restoreState(saved) }

    /// Number of records stored.
    public var count: Int { storage.withLock { $0.counts.count } }

    @inline(__always)
    static func hash(_ entries: UnsafeBufferPointer<UInt64>) -> UInt32 {
        var h: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(entries.count)
        for e in entries {
            h = (h ^ e) &* 0xff51_afd7_ed55_8ccd
            h ^= h >> 32
        }
        return UInt32(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// Saves `entries` (at most `maxEntries` are kept) and returns its handle with no extra bits.
    /// An empty sequence has no handle (returns `.none`), as in the kernel.
    public func save(_ entries: UnsafeBufferPointer<UInt64>) -> OriginHandle {
        let entries = UnsafeBufferPointer(rebasing: entries.prefix(Self.maxEntries))
        guard !entries.isEmpty else { return .none }
        let h = Self.hash(entries)
        return storage.withLock { s -> OriginHandle in
            var mask = s.table.count - 1
            var i = Int(h) & mask
            while true {
                let r = s.table[i]
                if r == 0 { break }
                let rec = Int(r - 1)
                if s.hashes[rec] == h, s.counts[rec] == entries.count {
                    let off = s.offsets[rec]
                    let same = s.pool.withUnsafeBufferPointer { pool in
                        memcmpEqual(pool.baseAddress! + off, entries.baseAddress!, entries.count)
                    }
                    if same { return OriginHandle(record: rec) }
                }
                i = (i + 1) & mask
            }
            let rec = s.counts.count
            guard rec < Int(OriginHandle.recordMask) else { return .none }
            s.offsets.append(s.pool.count)
            s.counts.append(entries.count)
            s.hashes.append(h)
            s.pool.append(contentsOf: entries)
            if (rec + 1) * 2 > s.table.count {
                var table = [UInt32](repeating: 0, count: s.table.count * 2)
                mask = table.count - 1
                for r in 0..<s.counts.count {
                    var j = Int(s.hashes[r]) & mask
                    while table[j] != 0 { j = (j + 1) & mask }
                    table[j] = UInt32(r + 1)
                }
                s.table = table
            } else {
                s.table[i] = UInt32(rec + 1)
            }
            return OriginHandle(record: rec)
        }
    }

    /// Saves an array of entries.
    public func save(_ entries: [UInt64]) -> OriginHandle {
        entries.withUnsafeBufferPointer { save($0) }
    }

    /// The entries of the record behind `handle` (extra bits ignored); empty for `.none`
    /// or an unknown handle.
    public func fetch(_ handle: OriginHandle) -> [UInt64] {
        guard let rec = handle.record else { return [] }
        return storage.withLock { s in
            guard rec < s.counts.count else { return [] }
            return Array(s.pool[s.offsets[rec]..<(s.offsets[rec] + s.counts[rec])])
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ n: Int) -> Bool {
    for k in 0..<n where a[k] != b[k] { return false }
    return true
}
