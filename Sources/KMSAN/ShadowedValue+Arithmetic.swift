/// MemorySanitizer's shadow propagation for arithmetic (llvm MemorySanitizer.cpp).
///
/// `and`/`or` are exact (a defined 0 in `and`, or a defined 1 in `or`, defines the result
/// bit); `xor`, `add`, `sub` and `mul` approximate with the union of operand shadows
/// (`handleShadowOr`), except a multiplication by an IR constant (`handleMulByConstant`), which
/// keeps only the shadow the constant's trailing zeros don't clear. Whether an operand is a
/// constant is a property of the instruction, not of the shadow: an initialized run-time
/// value still takes the union rule. A shift (`handleShift`) shifts the first operand's shadow
/// by the amount and ORs in all ones if any bit of the amount is uninitialized. The origin of
/// a result is the origin of the last operand with a nonzero shadow (`setOriginForNaryOp`).
extension ShadowedValue {
    private static func combine(_ a: ShadowedValue, _ b: ShadowedValue, value: UInt64, shadow: UInt64) -> ShadowedValue {
        let width = a.width.rawValue >= b.width.rawValue ? a.width : b.width
        return ShadowedValue(value: value, shadow: shadow, origin: b.shadow != 0 ? b.origin : a.origin, width: width)
    }

    /// `a & b`.
    public static func and(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value & b.value,
                shadow: (a.shadow & b.shadow) | (a.value & b.shadow) | (a.shadow & b.value))
    }

    /// `a | b`.
    public static func or(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value | b.value,
                shadow: (a.shadow & b.shadow) | (~a.value & b.shadow) | (a.shadow & ~b.value))
    }

    /// `a ^ b`.
    public static func xor(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value ^ b.value, shadow: a.shadow | b.shadow)
    }

    /// `a + b`.
    public static func add(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value &+ b.value, shadow: a.shadow | b.shadow)
    }

    /// `a - b`.
    public static func sub(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value &- b.value, shadow: a.shadow | b.shadow)
    }

    /// `a * b`, both run-time values (initialized or not): the union of the shadows.
    public static func mul(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        combine(a, b, value: a.value &* b.value, shadow: a.shadow | b.shadow)
    }

    /// `a * c` for an IR constant `c`: the shadow is `Sa * (1 << ctz(c))` (0 for `c == 0`),
    /// since the product's low ctz(c) bits are 0 whatever `a` holds.
    public static func mul(_ a: ShadowedValue, byConstant c: UInt64) -> ShadowedValue {
        let shadow = c == 0 ? 0 : a.shadow &* (1 << UInt64(c.trailingZeroBitCount))
        return ShadowedValue(value: a.value &* c, shadow: shadow, origin: a.origin, width: a.width)
    }

    /// x86-64's shifts mask the count: to 6 bits for a 64-bit operand, to 5 bits otherwise (a C
    /// shift of a narrower type happens in `int`). The compiled shadow shift is the same
    /// instruction, so `x << 64` is `x` and keeps x's shadow.
    private static func shift(_ a: ShadowedValue, _ n: ShadowedValue, _ op: (UInt64, UInt64) -> UInt64) -> ShadowedValue {
        let amount = n.value & (a.width == .bits64 ? 63 : 31)
        let poison: UInt64 = n.shadow != 0 ? ~0 : 0
        return ShadowedValue(value: op(a.value, amount), shadow: op(a.shadow, amount) | poison,
                             origin: n.shadow != 0 ? n.origin : a.origin, width: a.width)
    }

    /// `a << n`.
    public static func shl(_ a: ShadowedValue, _ n: ShadowedValue) -> ShadowedValue { shift(a, n) { $0 << $1 } }

    /// `a >> n` (logical).
    public static func shr(_ a: ShadowedValue, _ n: ShadowedValue) -> ShadowedValue { shift(a, n) { $0 >> $1 } }

    /// `~a`.
    public static func not(_ a: ShadowedValue) -> ShadowedValue {
        ShadowedValue(value: ~a.value, shadow: a.shadow, origin: a.origin, width: a.width)
    }
}
