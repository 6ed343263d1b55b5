/// The integer literals of scenario files and config values: decimal or `0x` hex digits, no
/// sign, no separators, at most 2^64 - 1. One parser for the scenario language and the config
/// keys, so that `0x10` means the same everywhere.
public enum IntegerLiteral {
    /// The value of `text`, or nil if it is not a literal or overflows 64 bits.
    public static func value(_ text: Substring) -> UInt64? {
        var digits = text
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for ch in digits.utf8 {
            let d: UInt64
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(ch - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: d = UInt64(ch - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: d = UInt64(ch - UInt8(ascii: "A") + 10)
            default: return nil
            }
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            value = s
        }
        return value
    }

    /// A size with an optional `K`, `M` or `G` suffix (`64M`, `1G`, `0x1000`), or nil.
    public static func size(_ text: String) -> UInt64? {
        var body = Substring(text)
        var multiplier: UInt64 = 1
        switch body.last {
        case "K": multiplier = 1 << 10
        case "M": multiplier = 1 << 20
        case "G": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { body = body.dropLast() }
        guard let value = value(body) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
