import HarnessTesting
import HarnessCore
import KMSAN
import Testing

/// Core arithmetic ops propagate shadow as MemorySanitizer does.
@Suite struct CoreOpsArithmeticTests {
    static let uninit = ShadowedValue(value: 0, shadow: 0xff, origin: OriginHandle(raw: 0x100), width: .bits64)

    func run(_ name: String, _ args: [ShadowedValue], constants: ConstantArguments = []) throws -> ShadowedValue {
        let op = try #require(coreOps?.op(named: name))
        #expect(!op.checksArgumentsEagerly)
        let m = try MachineFixture()
        defer { m.shutdown() }
        let invocation = OpInvocation(machine: m.machine, cpu: m.cpu, arguments: args.map { .value($0) }, constants: constants)
        return try #require(try op.run(invocation))
    }

    @Test func addOfAnUninitializedOperandIsUninitialized() throws {
        #expect(try run("add", [Self.uninit, .initialized(1)]).shadow == 0xff)
        #expect(try run("sub", [.initialized(3), .initialized(1)]) == .initialized(2))
    }

    @Test func andWithAnInitializedZeroDefinesTheBits() throws {
        #expect(try run("and", [Self.uninit, .initialized(0)]).shadow == 0)
        #expect(try run("and", [Self.uninit, .initialized(0x0f)]).shadow == 0x0f)
    }

    @Test func orWithAnInitializedOneDefinesTheBits() throws {
        #expect(try run("or", [Self.uninit, .initialized(0xff)]).shadow == 0)
        #expect(try run("xor", [Self.uninit, .initialized(0xff)]).shadow == 0xff)
    }

    /// `visitMul`: a literal factor takes `handleMulByConstant`, in either position.
    @Test func mulByALiteralKeepsOnlyShiftedShadow() throws {
        #expect(try run("mul", [Self.uninit, .initialized(4)], constants: .argument(1)).shadow == 0x3fc)
        #expect(try run("mul", [.initialized(4), Self.uninit], constants: .argument(0)).shadow == 0x3fc)
        #expect(try run("mul", [Self.uninit, .initialized(0)], constants: .argument(1)).shadow == 0)
    }

    /// The twin: an initialized run-time factor (a register) takes the union rule.
    @Test func mulByARunTimeValueUnitesTheShadows() throws {
        #expect(try run("mul", [Self.uninit, .initialized(4)]).shadow == 0xff)
        #expect(try run("mul", [Self.uninit, .initialized(0)]).shadow == 0xff)
    }

    @Test func shiftsByAnUninitializedAmountPoisonEverything() throws {
        #expect(try run("shl", [.initialized(1), Self.uninit]).shadow == ~0)
        #expect(try run("shr", [Self.uninit, .initialized(4)]).shadow == 0xf)
        #expect(try run("not", [Self.uninit]).shadow == 0xff)
    }
}
