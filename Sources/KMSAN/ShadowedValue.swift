/// The width of a scalar the simulated code loads, stores or computes with.
public enum ValueWidth: Int, Sendable, CaseIterable {
    /// 1 byte.
    case bits8 = 1
    /// 2 bytes.
    case bits16 = 2
    /// 4 bytes.
    case bits32 = 4
    /// 8 bytes.
    case bits64 = 8

    /// Size in bytes.
    public var byteCount: Int { rawValue }

    /// All value bits of this width.
    public var mask: UInt64 { self == .bits64 ? ~0 : (1 << UInt64(rawValue * 8)) - 1 }
}

/// A scalar of the simulated kernel with its metadata: the harness's stand-in for the value
/// and shadow registers compiler instrumentation keeps.
///
/// `shadow` is bit-precise (a set bit = that bit is uninitialized); `origin` says where the
/// uninitialized bits came from and is meaningful only while `shadow` is nonzero.
public struct ShadowedValue: Hashable, Sendable, CustomStringConvertible {
    /// The value bits (masked to `width`).
    public var value: UInt64
    /// The shadow bits (masked to `width`).
    public var shadow: UInt64
    /// The origin of the uninitialized bits.
    public var origin: OriginHandle
    /// The width.
    public var width: ValueWidth

    /// Creates a value; bits beyond `width` are dropped.
    public init(value: UInt64, shadow: UInt64, origin: OriginHandle, width: ValueWidth) {
        self.value = value & width.mask
        self.shadow = shadow & width.mask
        self.origin = self.shadow == 0 ? .none : origin
        self.width = width
    }

    /// A fully initialized value (a literal or a constant).
    public static func initialized(_ value: UInt64, width: ValueWidth = .bits64) -> ShadowedValue {
        ShadowedValue(value: value, shadow: 0, origin: .none, width: width)
    }

    /// Whether every bit is initialized.
    public var isInitialized: Bool { shadow == 0 }

    /// `0x2a` or `0x2a (shadow 0xff, origin 01000003)`.
    public var description: String {
        let v = "0x" + String(value, radix: 16)
        return shadow == 0 ? v : "\(v) (shadow 0x\(String(shadow, radix: 16)), origin \(origin))"
    }
}
