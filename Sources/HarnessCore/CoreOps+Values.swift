import KMSAN
import KernelMemory

/// Values: stack locals, loads, stores and conditional uses, as compiled code does them.
extension CoreOps {
    /// `local`, `load8/16/32/64`, `store8/16/32/64`, `use` and `check_all_bits`.
    public static let values: [ScenarioOp] = [
        ScenarioOp(
            "local", [.init("size", .integer, range: 1...512), .init("name", .string)], returnsValue: true, result: .stackLocal,
            checksArgumentsEagerly: false,
            help: "a new stack local in the current frame, poisoned with a local-variable origin; returns its address"
        ) { inv throws(OpError) in
            let size = try inv.size(0)
            return .pointer(inv.runtime.local(size: size, name: try inv.string(1), on: inv.cpu))
        },
    ] + ValueWidth.allCases.map(load) + ValueWidth.allCases.map(store) + [
        ScenarioOp(
            "use", [.init("value", .value)], returnsValue: false, checksArgumentsEagerly: false,
            help: "C's if (value): value != 0, then a branch; uninit-value unless some initialized bit is 1 (LLVM's exact rule)"
        ) { inv throws(OpError) in
            inv.runtime.branch(on: try inv.value(0), on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "check_all_bits", [.init("value", .value)], returnsValue: false, checksArgumentsEagerly: false,
            help: "the check the compiler puts on a dereferenced pointer or a divisor: uninit-value if any bit is uninitialized"
        ) { inv throws(OpError) in
            inv.runtime.check(try inv.value(0), on: inv.cpu)
            return nil
        },
    ]

    /// `loadN(addr)`: dereferencing the address is a use of it (MemorySanitizer checks access
    /// addresses), then the value comes with its shadow and origin.
    private static func load(_ width: ValueWidth) -> ScenarioOp {
        ScenarioOp(
            "load\(width.byteCount * 8)", [.init("addr", .pointer, resource: .address)], returnsValue: true, checksArgumentsEagerly: false,
            help: "load \(width.byteCount) byte(s); the value carries shadow and origin"
        ) { inv throws(OpError) in
            let address = try inv.value(0)
            inv.runtime.check(address, on: inv.cpu)
            inv.machine.checkAccess(KernelAddress(address.value), size: width.byteCount, .read, on: inv.cpu)
            return inv.runtime.load(width, from: KernelAddress(address.value), on: inv.cpu)
        }
    }

    /// `storeN(addr, value)`: the low bytes of the value with their shadow; an uninitialized
    /// value chains its origin.
    private static func store(_ width: ValueWidth) -> ScenarioOp {
        ScenarioOp(
            "store\(width.byteCount * 8)", [.init("addr", .pointer, resource: .address), .init("value", .value)], returnsValue: false,
            checksArgumentsEagerly: false,
            help: "store the low \(width.byteCount) byte(s) of value; storing uninitialized bits chains their origin"
        ) { inv throws(OpError) in
            let address = try inv.value(0)
            let value = try inv.value(1, as: width)
            inv.runtime.check(address, on: inv.cpu)
            inv.machine.checkAccess(KernelAddress(address.value), size: width.byteCount, .write, on: inv.cpu)
            inv.runtime.store(value, to: KernelAddress(address.value), on: inv.cpu)
            return nil
        }
    }

    /// `add sub mul and or xor (a, b)`, `shl shr (a, n)` and `not(a)`, with MemorySanitizer's
    /// shadow propagation (see `ShadowedValue+Arithmetic`).
    public static let arithmetic: [ScenarioOp] = [
        binary("add", "a + b (shadow: union of the operands')", ShadowedValue.add),
        binary("sub", "a - b (shadow: union of the operands')", ShadowedValue.sub),
        ScenarioOp("mul", [.init("a", .value), .init("b", .value)], returnsValue: true, checksArgumentsEagerly: false,
                   help: "a * b (shadow: union; a literal factor's trailing zeros clear shadow bits)") { inv throws(OpError) in
            let a = try inv.value(0), b = try inv.value(1)
            switch (inv.isConstant(0), inv.isConstant(1)) {
            case (false, true): return ShadowedValue.mul(a, byConstant: b.value)
            case (true, false): return ShadowedValue.mul(b, byConstant: a.value)
            default: return ShadowedValue.mul(a, b)
            }
        },
        binary("and", "a & b (an initialized 0 bit defines the result bit)", ShadowedValue.and),
        binary("or", "a | b (an initialized 1 bit defines the result bit)", ShadowedValue.or),
        binary("xor", "a ^ b (shadow: union of the operands')", ShadowedValue.xor),
        binary("shl", "a << n, the count masked as x86-64 does (an uninitialized amount poisons the whole result)",
               ShadowedValue.shl, second: "n"),
        binary("shr", "a >> n, logical, the count masked as x86-64 does (an uninitialized amount poisons the whole result)",
               ShadowedValue.shr, second: "n"),
        ScenarioOp("not", [.init("a", .value)], returnsValue: true, checksArgumentsEagerly: false,
                   help: "~a (the shadow is unchanged)") { inv throws(OpError) in
            ShadowedValue.not(try inv.value(0))
        },
    ]

    private static func binary(
        _ name: String, _ help: String, _ f: @escaping @Sendable (ShadowedValue, ShadowedValue) -> ShadowedValue,
        second: String = "b"
    ) -> ScenarioOp {
        ScenarioOp(name, [.init("a", .value), .init(second, .value)], returnsValue: true, checksArgumentsEagerly: false,
                   help: help) { inv throws(OpError) in
            f(try inv.value(0), try inv.value(1))
        }
    }
}
