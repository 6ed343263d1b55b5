/// A return address in the simulated kernel: one call site inside one named function.
///
/// Encoded as a synthetic kernel text address so that depot records look like the kernel's:
///
/// | bits   | field                                                        |
/// |--------|--------------------------------------------------------------|
/// | 63..31 | all ones: the text mapping at `0xffffffff80000000`           |
/// | 30..12 | function index in the machine's `SymbolTable`                |
/// | 11..0  | call-site index within the function (first interned = 0)     |
///
/// Two call sites of one function (two lines of a scenario, two places in a plugin) are
/// different addresses, hence different stacks and different origins.
public struct CallSite: Hashable, Sendable {
    /// The synthetic return address.
    public var address: UInt64

    /// Wraps a synthetic return address.
    public init(address: UInt64) { self.address = address }

    /// Base of the synthetic kernel text.
    public static let textBase: UInt64 = 0xffff_ffff_8000_0000
    /// Most call sites one function can have.
    public static let sitesPerFunction = 1 << 12
    /// Most functions one symbol table can have.
    public static let maxFunctions = 1 << 19

    init(function: Int, site: Int) {
        address = Self.textBase | (UInt64(function) << 12) | UInt64(site)
    }

    /// Index of the function, or nil if the address is not a synthetic return address.
    var functionIndex: Int? {
        guard address & Self.textBase == Self.textBase else { return nil }
        return Int((address & ~Self.textBase) >> 12)
    }

    /// Index of the call site within its function.
    var siteIndex: Int { Int(address & 0xfff) }
}

/// A symbolized frame: the `name+0xOFF/0xSIZE` the kernel's `%pS` prints, plus the
/// (Swift or scenario) source location of the call site.
public struct SymbolizedFrame: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Function name (a C identifier).
    public var function: String
    /// Offset of the return address in the function.
    public var offset: Int
    /// Size of the function.
    public var size: Int
    /// `file:line` of the call site, if known.
    public var location: String?
    /// Whether the function is inlined into the next frame (`FrameInlining.inlined`).
    public var isInlined: Bool

    /// Creates a frame.
    public init(function: String, offset: Int, size: Int, location: String? = nil, isInlined: Bool = false) {
        self.function = function
        self.offset = offset
        self.size = size
        self.location = location
        self.isInlined = isInlined
    }

    private enum CodingKeys: String, CodingKey { case function, offset, size, location, isInlined }

    /// Decodes a frame; `isInlined` is present only when true.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            function: try c.decode(String.self, forKey: .function), offset: try c.decode(Int.self, forKey: .offset),
            size: try c.decode(Int.self, forKey: .size), location: try c.decodeIfPresent(String.self, forKey: .location),
            isInlined: try c.decodeIfPresent(Bool.self, forKey: .isInlined) ?? false)
    }

    /// Encodes a frame (`isInlined` only when true, so real frames read as before).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(function, forKey: .function)
        try c.encode(offset, forKey: .offset)
        try c.encode(size, forKey: .size)
        try c.encodeIfPresent(location, forKey: .location)
        if isInlined { try c.encode(true, forKey: .isInlined) }
    }

    /// `name+0xOFF/0xSIZE` (what `%pSb` prints, and syzkaller's frame rule parses).
    public var symbol: String {
        "\(function)+0x\(String(offset, radix: 16))/0x\(String(size, radix: 16))"
    }

    /// A frame line of a symbolized kernel log (without the leading space):
    /// `name+0xOFF/0xSIZE file:line`, or `name file:line [inline]` for an inlined function.
    public var description: String {
        if isInlined { return location.map { "\(function) \($0) [inline]" } ?? "\(function) [inline]" }
        return location.map { "\(symbol) \($0)" } ?? symbol
    }
}
