/// MemorySanitizer's shadow propagation for equality comparisons (`handleEqualityComparison`
/// in llvm/lib/Transforms/Instrumentation/MemorySanitizer.cpp, on by default: `-msan-handle-icmp`).
///
/// `a == b` and `a != b` are `C = a ^ b` compared with 0, and the 1-bit result is defined when C
/// is fully initialized or when C has an initialized bit that is 1 (that bit alone decides
/// that a != b): with `Sc = Sa | Sb`, the result's shadow is `Sc != 0 && (C & ~Sc) == 0`. So
/// `if (flags)` on a word whose initialized low byte is 0x5a is defined whatever the other
/// bytes hold. The origin is the last operand's with a nonzero shadow (`setOriginForNaryOp`).
extension ShadowedValue {
    /// `a == b`: 1 or 0 in an 8-bit value (LLVM's `i1`), with the exact equality shadow.
    public static func equal(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        comparison(a, b, value: a.value == b.value)
    }

    /// `a != b`: 1 or 0 in an 8-bit value, with the exact equality shadow.
    public static func notEqual(_ a: ShadowedValue, _ b: ShadowedValue) -> ShadowedValue {
        comparison(a, b, value: a.value != b.value)
    }

    private static func comparison(_ a: ShadowedValue, _ b: ShadowedValue, value: Bool) -> ShadowedValue {
        let c = a.value ^ b.value
        let sc = a.shadow | b.shadow
        let undefined = sc != 0 && c & ~sc == 0
        return ShadowedValue(value: value ? 1 : 0, shadow: undefined ? 1 : 0,
                             origin: b.shadow != 0 ? b.origin : a.origin, width: .bits8)
    }
}
