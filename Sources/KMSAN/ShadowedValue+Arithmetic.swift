/// MemorySanitizer's shadow propagation for arithmetic (llvm MemorySanitizer.cpp).
///
/// `and`/`or` are exact (a defined 0 in `and`, or a defined 1 in `or`, defines the result
/// bit); `xor`, `add`, `sub` and `mul` approximate with the union of operand shadows (a
/// multiplication by a constant keeps only the shadow the constant's trailing zeros don't
/// clear); a shift by a partly uninitialized amount poisons the whole result. The origin of a
/// result is the origin of the last operand with a nonzero shadow.
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

    /// `a * b`.
    public static func mul(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        let product = a.value &* b.value
        func byConstant(_ s: UInt64, _ c: UInt64) -> UInt64 { c == 0 ? 0 : s &* (1 << UInt64(c.trailingZeroBitCount)) }
        if b.shadow == 0 { return combine(a, b, value: product, shadow: byConstant(a.shadow, b.value)) }
        if a.shadow == 0 { return combine(a, b, value: product, shadow: byConstant(b.shadow, a.value)) }
        return combine(a, b, value: product, shadow: a.shadow | b.shadow)
    }

    private static func shift(_ a: ShadowedValue, _ n: ShadowedValue, _ op: (UInt64, UInt64) -> UInt64) -> ShadowedValue {
        let bits = UInt64(a.width.byteCount * 8)
        let amount = n.value
        let value = amount >= bits ? 0 : op(a.value, amount)
        if n.shadow != 0 {
            return ShadowedValue(value: value, shadow: ~0, origin: n.origin, width: a.width)
        }
        return ShadowedValue(value: value, shadow: amount >= bits ? 0 : op(a.shadow, amount), origin: a.origin, width: a.width)
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
