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

    @Test func multiplyByAConstantShiftsTheShadow() {
        let x = v(3, shadow: 0x1, origin: o1)
        #expect(ShadowedValue.mul(x, .initialized(8, width: .bits32)).shadow == 0x8)
        #expect(ShadowedValue.mul(x, .initialized(0, width: .bits32)).shadow == 0)
        #expect(ShadowedValue.mul(x, v(2, shadow: 0x10, origin: o2)).shadow == 0x11)
    }

    @Test func shiftsMoveTheShadow() {
        let x = v(0, shadow: 0x0f, origin: o1)
        #expect(ShadowedValue.shl(x, .initialized(4)).shadow == 0xf0)
        #expect(ShadowedValue.shr(x, .initialized(2)).shadow == 0x03)
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
