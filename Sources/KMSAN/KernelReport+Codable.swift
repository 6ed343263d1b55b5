import KernelMemory

/// `KernelReport`'s JSON form: one key per property (`tainted`, a boolean, and `taint`, the set
/// flags' letters), optional facts only when present, and
/// `layout` only when it is not mainline's, so mainline JSON stays as it was before layouts.
/// Addresses are strings, `"0xffff888003f03ff0"` (16 hex digits): JSON numbers above 2^53 lose
/// precision in jq and JavaScript.
extension KernelReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case tool, bugType, headerFrame, stack, origin, originHandle, byteRange, accessAddress, userAddress, kasanAccess
        case message, cpu, pid, comm, tainted, taint, release, panicked, panicTrace, layout
    }

    /// Decodes a report; a missing `layout` means mainline's.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            tool: try c.decode(Tool.self, forKey: .tool),
            bugType: try c.decode(String.self, forKey: .bugType),
            headerFrame: try c.decodeIfPresent(SymbolizedFrame.self, forKey: .headerFrame),
            stack: try c.decode([SymbolizedFrame].self, forKey: .stack),
            origin: try c.decode([OriginBlock].self, forKey: .origin),
            originHandle: try c.decodeIfPresent(UInt32.self, forKey: .originHandle),
            byteRange: try c.decodeIfPresent(ByteRange.self, forKey: .byteRange),
            accessAddress: try Self.decodeAddress(c, .accessAddress),
            userAddress: try Self.decodeAddress(c, .userAddress),
            kasanAccess: try c.decodeIfPresent(KASANAccess.self, forKey: .kasanAccess),
            message: try c.decode([String].self, forKey: .message),
            cpu: try c.decode(Int.self, forKey: .cpu),
            pid: try c.decode(Int.self, forKey: .pid),
            comm: try c.decode(String.self, forKey: .comm),
            taint: try Self.decodeTaint(c),
            release: try c.decode(String.self, forKey: .release),
            panicked: try c.decode(Bool.self, forKey: .panicked),
            layout: try c.decodeIfPresent(KMSANPolicy.ReportLayout.self, forKey: .layout) ?? .stackUnderHeader)
        panicTrace = try c.decodeIfPresent([SymbolizedFrame].self, forKey: .panicTrace) ?? []
    }

    /// `taint` (the set letters); without it, `tainted: true` means BAD_PAGE, as before taint
    /// flags were kept.
    private static func decodeTaint(_ c: KeyedDecodingContainer<CodingKeys>) throws -> TaintFlags {
        if let letters = try c.decodeIfPresent(String.self, forKey: .taint) { return TaintFlags(letters: letters) }
        return try c.decode(Bool.self, forKey: .tainted) ? .badPage : []
    }

    /// Encodes the report (see the type's note on `layout`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(bugType, forKey: .bugType)
        try c.encodeIfPresent(headerFrame, forKey: .headerFrame)
        try c.encode(stack, forKey: .stack)
        try c.encode(origin, forKey: .origin)
        try c.encodeIfPresent(originHandle, forKey: .originHandle)
        try c.encodeIfPresent(byteRange, forKey: .byteRange)
        try c.encodeIfPresent(accessAddress.map(Self.addressText), forKey: .accessAddress)
        try c.encodeIfPresent(userAddress.map(Self.addressText), forKey: .userAddress)
        try c.encodeIfPresent(kasanAccess, forKey: .kasanAccess)
        try c.encode(message, forKey: .message)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(pid, forKey: .pid)
        try c.encode(comm, forKey: .comm)
        try c.encode(!taint.isEmpty, forKey: .tainted)
        try c.encode(taint.letters, forKey: .taint)
        try c.encode(release, forKey: .release)
        try c.encode(panicked, forKey: .panicked)
        if !panicTrace.isEmpty { try c.encode(panicTrace, forKey: .panicTrace) }
        if layout != .stackUnderHeader { try c.encode(layout, forKey: .layout) }
    }

    /// `"0xffff888003f03ff0"`.
    static func addressText(_ address: UInt64) -> String { "0x" + hex16(address) }

    /// An address written by `addressText`; a malformed one is a decoding error.
    private static func decodeAddress(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> UInt64? {
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected an address such as \"0xffff888000000000\"")
        }
        return value
    }
}
