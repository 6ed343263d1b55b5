import Testing
import KMSAN

/// MemorySanitizer shadow propagation for arithmetic.
@Suite struct ShadowedValueTests {
    let o1 = OriginHandle(raw: 0x11), o2 = OriginHandle(raw: 0x22)
    func v(_ value: UInt64, shadow: UInt64 = 0, origin: OriginHandle = .none, _ w: ValueWidth = .bits32) -> ShadowedValue {
        ShadowedValue(value: value, shadow: shadow, origin: origin, width: w)
    }

    @Test func andWithADefinedZeroIsExact() {
        let x = v(0, shadow: 0xffff_ffff, origin: o1)
        #expect(ShadowedValue.and(x, .initialized(0x0f, width: .bits32)).shadow == 0x0f)
        #expect(ShadowedValue.and(x, .initialized(0, width: .bits32)).shadow == 0)
    }

    @Test func orWithADefinedOneIsExact() {
        let x = v(0, shadow: 0xff, origin: o1)
        #expect(ShadowedValue.or(x, .initialized(0xf0, width: .bits32)).shadow == 0x0f)
        #expect(ShadowedValue.or(x, .initialized(0, width: .bits32)).shadow == 0xff)
    }

    @Test func addUnionsTheShadows() {
        let r = ShadowedValue.add(v(1, shadow: 0x1, origin: o1), v(2, shadow: 0x100, origin: o2))
        #expect(r.value == 3)
        #expect(r.shadow == 0x101)
        #expect(r.origin == o2)
    }

    @Test func resultOfCleanOperandsIsClean() {
        let r = ShadowedValue.sub(.initialized(5, width: .bits32), .initialized(7, width: .bits32))
        #expect(r.isInitialized)
        #expect(r.value == 0xffff_fffe)
        #expect(r.origin == .none)
    }

    @Test func originIsThatOfTheLastPoisonedOperand() {
        #expect(ShadowedValue.xor(v(0, shadow: 1, origin: o1), .initialized(3, width: .bits32)).origin == o1)
        #expect(ShadowedValue.xor(.initialized(3, width: .bits32), v(0, shadow: 1, origin: o2)).origin == o2)
    }

    /// `handleMulByConstant`: a constant factor's trailing zeros clear the low shadow bits.
    @Test func multiplyByAConstantShiftsTheShadow() {
        let x = v(3, shadow: 0x1, origin: o1)
        #expect(ShadowedValue.mul(x, byConstant: 8).shadow == 0x8)
        #expect(ShadowedValue.mul(x, byConstant: 0).shadow == 0)
        #expect(ShadowedValue.mul(x, byConstant: 8).value == 24)
    }

    /// The twin (`visitMul` takes the constant path only for an IR constant): a run-time
    /// factor, initialized or not, gives the union of the shadows.
    @Test func multiplyByARunTimeValueUnitesTheShadows() {
        let x = v(3, shadow: 0x1, origin: o1)
        #expect(ShadowedValue.mul(x, .initialized(8, width: .bits32)).shadow == 0x1)
        #expect(ShadowedValue.mul(x, .initialized(0, width: .bits32)).shadow == 0x1)
        #expect(ShadowedValue.mul(x, v(2, shadow: 0x10, origin: o2)).shadow == 0x11)
    }

    @Test func shiftsMoveTheShadow() {
        let x = v(0, shadow: 0x0f, origin: o1)
        #expect(ShadowedValue.shl(x, .initialized(4)).shadow == 0xf0)
        #expect(ShadowedValue.shr(x, .initialized(2)).shadow == 0x03)
    }

    /// `handleShift` shifts the shadow with the same instruction, and x86-64 masks the count
    /// (6 bits for 64-bit operands, 5 otherwise): shifting by the width keeps value and shadow.
    @Test func shiftsByTheWidthOrMoreUseTheMaskedCount() {
        let x64 = ShadowedValue(value: 0x1234, shadow: 0x0f, origin: o1, width: .bits64)
        #expect(ShadowedValue.shl(x64, .initialized(64)) == x64)
        #expect(ShadowedValue.shr(x64, .initialized(68)).shadow == 0x0)
        #expect(ShadowedValue.shl(x64, .initialized(68)).shadow == 0xf0)
        let x32 = v(0x1234, shadow: 0x0f, origin: o1)
        #expect(ShadowedValue.shl(x32, .initialized(32)) == x32)
        #expect(ShadowedValue.shl(x32, .initialized(36)).shadow == 0xf0)
    }

    /// The twin: a count below the width shifts everything out.
    @Test func shiftsBelowTheWidthShiftBitsOut() {
        let x64 = ShadowedValue(value: 0xff, shadow: 0x0f, origin: o1, width: .bits64)
        #expect(ShadowedValue.shl(x64, .initialized(63)).shadow == 1 << 63)
        #expect(ShadowedValue.shr(x64, .initialized(63)) == .initialized(0, width: .bits64))
    }

    /// `handleEqualityComparison`: `a != 0` is defined when some initialized bit of `a` is 1.
    @Test func aComparisonWithAnInitializedOneBitIsDefined() {
        let flags = v(0x5a, shadow: 0xffff_ff00, origin: o1)
        let ne = ShadowedValue.notEqual(flags, .initialized(0, width: .bits32))
        #expect(ne == .initialized(1, width: .bits8))
        #expect(ShadowedValue.equal(v(0x5a, shadow: 0xf0, origin: o1), .initialized(0x0f, width: .bits32)).isInitialized)
    }

    /// The twin: with every initialized bit 0, the comparison depends on the uninitialized ones.
    @Test func aComparisonWithOnlyInitializedZeroBitsIsUndefined() {
        let flags = v(0, shadow: 0xffff_ff00, origin: o1)
        let ne = ShadowedValue.notEqual(flags, .initialized(0, width: .bits32))
        #expect(ne.shadow == 1)
        #expect(ne.origin == o1)
        #expect(ShadowedValue.equal(v(0x5a, shadow: 0xf0, origin: o1), v(0x5a, shadow: 0, origin: .none)).shadow == 1)
    }

    @Test func shiftByAnUninitializedAmountPoisonsEverything() {
        let r = ShadowedValue.shl(.initialized(1, width: .bits32), v(1, shadow: 1, origin: o2, .bits8))
        #expect(r.shadow == 0xffff_ffff)
        #expect(r.origin == o2)
    }

    @Test func notKeepsTheShadow() {
        let r = ShadowedValue.not(v(0, shadow: 0x5, origin: o1, .bits8))
        #expect(r.value == 0xff)
        #expect(r.shadow == 0x5)
    }

    @Test func widthMasksValueAndShadow() {
        let r = v(0x1_0000_00ff, shadow: 0x1_0000_0001, origin: o1, .bits8)
        #expect(r.value == 0xff)
        #expect(r.shadow == 0x01)
        #expect(ShadowedValue(value: 1, shadow: 0x100, origin: o1, width: .bits8).origin == .none)
    }
}
