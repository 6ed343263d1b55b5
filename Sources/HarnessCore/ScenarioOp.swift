import KMSAN
import KernelMemory

/// An operation a plugin contributes to scenarios (`kmalloc(size, gfp)`), with its signature
/// and one line of help, as `kmsan-harness ops` lists it.
public struct ScenarioOp: Sendable {
    /// One parameter.
    public struct Parameter: Sendable, Equatable {
        /// Its name in the signature.
        public var name: String
        /// Its kind (how the parser resolves constants for it).
        public var kind: ParameterKind
        /// The resource it takes, if it takes one (a `kfree` pointer is a slab object).
        public var resource: ResourceKind?
        /// The values that make sense, for generators (a size, an order); nil for any value.
        public var range: ClosedRange<Int64>?
        /// The strings that make sense, for generators (a runtime hook's name); nil for any.
        public var choices: [String]?

        /// Creates a parameter.
        public init(_ name: String, _ kind: ParameterKind, resource: ResourceKind? = nil, range: ClosedRange<Int64>? = nil,
                    choices: [String]? = nil) {
            self.name = name
            self.kind = kind
            self.resource = resource
            self.range = range
            self.choices = choices
        }
    }

    /// The op's name, the kernel function's.
    public var name: String
    /// Its parameters, in the kernel API's order.
    public var parameters: [Parameter]
    /// Whether it takes further arguments of the last parameter's kind (`printk`).
    public var isVariadic: Bool
    /// Whether it returns a value (`rN = op(...)`).
    public var returnsValue: Bool
    /// The resource its value is, if it returns one (`kmalloc` returns a slab object).
    public var result: ResourceKind?
    /// One line of help.
    public var help: String
    /// Whether calling it is a function call whose arguments KMSAN checks eagerly
    /// (CONFIG_KMSAN_CHECK_PARAM_RETVAL): true for kernel functions; false for what compiles
    /// to instructions or macros (loads, stores, `use`, arithmetic), whose operands carry
    /// their shadow instead.
    public var checksArgumentsEagerly: Bool
    /// Runs the op.
    public var run: @Sendable (OpInvocation) throws(OpError) -> ShadowedValue?
    /// Shorter spellings of the call, each with this name and fewer parameters, whose `run`
    /// fills in the rest (`usb_fill_bulk_urb(urb, dev, pipe, buf, len)` with no completion
    /// handler, as the scenario format first defined it, beside the full form). The parser
    /// picks the form whose arity matches the call (`form(taking:)`); generators use the full
    /// form only, which every short one is a case of.
    public var shortForms: [ScenarioOp] = []

    /// Creates an op.
    public init(
        _ name: String, _ parameters: [Parameter], isVariadic: Bool = false, returnsValue: Bool,
        result: ResourceKind? = nil, checksArgumentsEagerly: Bool = true, help: String,
        run: @escaping @Sendable (OpInvocation) throws(OpError) -> ShadowedValue?
    ) {
        self.name = name
        self.parameters = parameters
        self.isVariadic = isVariadic
        self.returnsValue = returnsValue || result != nil
        self.result = result
        self.help = help
        self.checksArgumentsEagerly = checksArgumentsEagerly
        self.run = run
    }

    /// This op with one more short form taking `parameters`: `complete` turns a short call's
    /// arguments into the full form's, which then runs (its constant arguments are not carried
    /// over: only arithmetic ops look at them).
    public func withShortForm(
        _ parameters: [Parameter], help: String, complete: @escaping @Sendable (OpInvocation) throws(OpError) -> [OpArgument]
    ) -> ScenarioOp {
        var op = self
        let full = run
        op.shortForms.append(ScenarioOp(name, parameters, returnsValue: returnsValue, result: result,
                                        checksArgumentsEagerly: checksArgumentsEagerly, help: help) { inv throws(OpError) in
            try full(OpInvocation(machine: inv.machine, cpu: inv.cpu, arguments: try complete(inv),
                                  callFunction: inv.callFunction, program: inv.program))
        })
        return op
    }

    /// The form of this op a call with `count` arguments uses: a short form taking exactly
    /// `count`, else this one (whose arity check then says what it takes).
    public func form(taking count: Int) -> ScenarioOp {
        shortForms.first { $0.parameters.count == count } ?? self
    }

    /// `kmalloc(size, gfp)`, as listed by `kmsan-harness ops`.
    public var signature: String {
        "\(name)(\(parameters.map(\.name).joined(separator: ", "))\(isVariadic ? ", ..." : ""))"
    }
}

/// An argument passed to an op.
public enum OpArgument: Sendable, Equatable {
    /// A value, with its shadow (a literal is initialized).
    case value(ShadowedValue)
    /// A string literal.
    case string(String)
}

/// Why an op could not run: an argument of the wrong kind, or a subsystem it needs is missing.
public struct OpError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Which arguments of a call are compile-time constants: a literal or a named constant written
/// in the statement, what LLVM's `isa<Constant>` sees on an instruction operand (a register or
/// a parameter is a run-time value, initialized or not). Bit i is argument i; arguments past
/// the 64th are never constants.
public struct ConstantArguments: OptionSet, Sendable, Hashable {
    /// Bit i set: argument i is a constant.
    public let rawValue: UInt64

    /// Creates a set from its bits.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The set holding only argument `index`.
    public static func argument(_ index: Int) -> ConstantArguments {
        (0..<64).contains(index) ? ConstantArguments(rawValue: 1 << UInt64(index)) : []
    }
}

/// Calls a function of the program running an op, by name, with value arguments, in a frame
/// of its own on the op's CPU: how a plugin runs a callback the program named (a URB's
/// completion handler naming a scenario `func`). Its result is the function's return value
/// (nil if it returns none), or an `OpError` when the program has no function of that name or
/// the call is refused.
public typealias ProgramFunctionCaller = (_ name: String, _ arguments: [ShadowedValue]) -> Result<ShadowedValue?, OpError>

/// One call of an op: the machine, the CPU it runs on, and its arguments.
public struct OpInvocation {
    /// The machine.
    public let machine: Machine
    /// The CPU running the op.
    public let cpu: KernelCPU
    /// The arguments, in order.
    public let arguments: [OpArgument]
    /// Which arguments are compile-time constants (none unless the caller says so).
    public let constants: ConstantArguments
    /// Calls the running program's functions (nil when the caller has none to offer).
    public let callFunction: ProgramFunctionCaller?
    /// The running program: its funcs, its CPUs (nil when the caller has no program, as a
    /// test fixture calling an op directly).
    public let program: (any RunningProgram)?

    /// Creates an invocation.
    public init(machine: Machine, cpu: KernelCPU, arguments: [OpArgument], constants: ConstantArguments = [],
                callFunction: ProgramFunctionCaller? = nil, program: (any RunningProgram)? = nil) {
        self.machine = machine
        self.cpu = cpu
        self.arguments = arguments
        self.constants = constants
        self.callFunction = callFunction
        self.program = program
    }

    /// Whether argument `index` is a compile-time constant.
    public func isConstant(_ index: Int) -> Bool { (0..<64).contains(index) && constants.contains(.argument(index)) }

    /// Argument `index` as a value.
    public func value(_ index: Int) throws(OpError) -> ShadowedValue {
        guard index < arguments.count else { throw OpError("missing argument \(index + 1)") }
        guard case .value(let v) = arguments[index] else { throw OpError("argument \(index + 1) must be a value, not a string") }
        return v
    }

    /// Argument `index` as an integer (its value bits).
    public func integer(_ index: Int) throws(OpError) -> Int { Int(truncatingIfNeeded: try value(index).value) }

    /// Argument `index` as a byte count, the kernel's unsigned `size_t` (`-1` is 2^64 - 1),
    /// saturated at `Int.max`: no range or allocation is that large, so a saturated size fails
    /// the way the huge one would (a range that is not mapped, an order above MAX_PAGE_ORDER).
    public func size(_ index: Int) throws(OpError) -> Int {
        Int(clamping: try value(index).value)
    }

    /// Argument `index` as an address.
    public func pointer(_ index: Int) throws(OpError) -> KernelAddress { KernelAddress(try value(index).value) }

    /// Argument `index` as GFP flags.
    public func gfp(_ index: Int) throws(OpError) -> GFPFlags { GFPFlags(rawValue: UInt32(truncatingIfNeeded: try value(index).value)) }

    /// Argument `index` as slab flags.
    public func slabFlags(_ index: Int) throws(OpError) -> SlabFlags { SlabFlags(rawValue: UInt32(truncatingIfNeeded: try value(index).value)) }

    /// Argument `index` as a string.
    public func string(_ index: Int) throws(OpError) -> String {
        guard index < arguments.count else { throw OpError("missing argument \(index + 1)") }
        guard case .string(let s) = arguments[index] else { throw OpError("argument \(index + 1) must be a string") }
        return s
    }
}

extension ShadowedValue {
    /// An initialized pointer value.
    public static func pointer(_ address: KernelAddress) -> ShadowedValue { .initialized(address.raw, width: .bits64) }
}
