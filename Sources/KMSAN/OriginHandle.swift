/// A KMSAN origin: a 32-bit stack-depot handle with 5 extra bits.
///
/// Bit layout (the depot's `handle_parts`, with `STACK_DEPOT_EXTRA_BITS` = 5 at the top):
///
/// | bits   | field        | meaning                                                    |
/// |--------|--------------|------------------------------------------------------------|
/// | 0..26  | record + 1   | index of the depot record plus one; 0 = no origin          |
/// | 27     | extra bit 0  | use-after-free: the origin was created by a free           |
/// | 28..31 | extra 1..4   | chain depth, 0 for a fresh origin, at most 7               |
///
/// The extra bits are `(depth << 1) | uaf`, as `kmsan_extra_bits()` builds them. Two handles
/// of the same record with different extra bits are different origins.
public struct OriginHandle: Hashable, Sendable, CustomStringConvertible {
    /// The raw 32-bit value stored in origin slots.
    public var raw: UInt32

    /// Wraps a raw handle.
    public init(raw: UInt32) { self.raw = raw }

    /// Bits for the record number.
    static let recordBits: UInt32 = 27
    /// Mask of the record field.
    static let recordMask: UInt32 = (1 << recordBits) - 1

    /// "No origin": poisoned bytes with this origin are never reported.
    public static let none = OriginHandle(raw: 0)
    /// The deepest chain KMSAN records (KMSAN_MAX_ORIGIN_DEPTH).
    public static let maxDepth = 7

    /// Whether this is "no origin".
    public var isNone: Bool { raw == 0 }

    /// Index of the depot record, or nil for "no origin".
    public var record: Int? {
        let r = raw & Self.recordMask
        return r == 0 ? nil : Int(r - 1)
    }

    /// The 5 extra bits.
    public var extraBits: UInt32 { raw >> Self.recordBits }

    /// Whether the origin comes from a free (the UAF bit).
    public var isUseAfterFree: Bool { extraBits & 1 != 0 }

    /// The chain depth (0 for an allocation or poison origin).
    public var depth: Int { Int(extraBits >> 1) }

    /// The handle of depot record `record` with no extra bits.
    init(record: Int) { raw = UInt32(record + 1) & Self.recordMask }

    /// The same record with the given extra bits (`stack_depot_set_extra_bits`).
    public func with(depth: Int, useAfterFree: Bool) -> OriginHandle {
        guard !isNone else { return self }
        let extra = (UInt32(depth) << 1) | (useAfterFree ? 1 : 0)
        return OriginHandle(raw: (raw & Self.recordMask) | (extra << Self.recordBits))
    }

    /// Hex, as the kernel prints `Origin: %08x`.
    public var description: String {
        let h = String(raw, radix: 16)
        return String(repeating: "0", count: max(0, 8 - h.count)) + h
    }
}
