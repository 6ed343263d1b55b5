import HarnessCore
import ScenarioLanguage

/// The human-readable form of a program: a scenario (`scenario <name>`, one statement per call,
/// `end`). Call `i` that returns a value assigns `ri`; flag arguments print as named constants
/// where the constants of their kind add up to the value exactly, everything else as hex.
/// `program(from:)` reads any scenario of ops back (text -> program -> text round-trips).
public struct ProgramText: Sendable {
    /// The ops.
    public let table: OpTable

    /// A text form over `table`.
    public init(table: OpTable) { self.table = table }

    /// The statements of `program`, one line each, indented by two spaces.
    public func statements(_ program: FuzzProgram) -> [String] {
        program.calls.enumerated().map { i, call in
            let op = table.ops[call.op]
            let arguments = call.arguments.enumerated().map { j, argument -> String in
                let kind = j < op.parameters.count ? op.parameters[j].kind : op.parameters.last?.kind
                return text(argument, kind: kind)
            }
            let assignment = op.returnsValue ? "r\(i) = " : ""
            return "  \(assignment)\(op.name)(\(arguments.joined(separator: ", ")))"
        }
    }

    /// `program` as a scenario named `name`, with `header` lines (comments, `config`,
    /// `expect`) after the `scenario` line, then, after a blank line, `FuzzHandlers.source`
    /// if the program names one of its funcs.
    public func scenario(_ program: FuzzProgram, name: String, header: [String] = []) -> String {
        let lines = ["scenario \(name)"] + header.map { "  " + $0 } + statements(program) + ["end"]
        let text = lines.joined(separator: "\n") + "\n"
        return FuzzHandlers.used(by: program) ? text + "\n" + FuzzHandlers.source : text
    }

    func text(_ argument: FuzzArgument, kind: ScenarioOp.ParameterKind?) -> String {
        switch argument {
        case .string(let s): return "\"\(s)\""
        case .result(let r, let offset):
            return offset == 0 ? "r\(r)" : offset > 0 ? "r\(r)+\(offset)" : "r\(r)-\(offset.magnitude)"
        case .literal(let v):
            if let kind, kind.role == .flags || kind.role == .enumeration, let names = constantNames(v, kind: kind) {
                return names
            }
            return v < 10 ? "\(v)" : "0x" + String(v, radix: 16)
        }
    }

    /// `A|B|C` when named constants of `kind` make up `value` exactly (flags), or the one
    /// constant equal to it (enumerations); nil otherwise.
    func constantNames(_ value: UInt64, kind: ScenarioOp.ParameterKind) -> String? {
        let constants = table.constantsByKind[kind.name] ?? []
        if let exact = constants.first(where: { $0.value == value }) { return exact.name }
        guard kind.role == .flags, value != 0 else { return nil }
        var rest = value, names: [String] = []
        // Largest constants first, so GFP_KERNEL is preferred to its single bits.
        let widestFirst = constants.sorted { $0.value.nonzeroBitCount > $1.value.nonzeroBitCount }
        for c in widestFirst where c.value != 0 && c.value & rest == c.value {
            names.append(c.name)
            rest &= ~c.value
        }
        return rest == 0 ? names.joined(separator: "|") : nil
    }

    /// The program of a parsed scenario's statements: each op call becomes a call, registers
    /// become references to the call that last assigned them. Nil (with why) if the scenario
    /// calls a `func`, an op the table lacks, or uses a register no earlier call assigned.
    public func program(from scenario: Scenario) -> Result<FuzzProgram, FuzzError> {
        var program = FuzzProgram()
        var assigned: [Int: Int] = [:]
        for statement in scenario.body {
            guard case .op(let op) = statement.target else {
                return .failure(FuzzError("\(statement.callee): a program calls ops only, not funcs"))
            }
            guard let index = table.index(of: op.name) else {
                return .failure(FuzzError("\(op.name): not an op of the fuzzed plugins"))
            }
            var arguments: [FuzzArgument] = []
            for operand in statement.arguments {
                switch operand {
                case .literal(let v): arguments.append(.literal(v))
                case .string(let s): arguments.append(.string(s))
                case .register(let n, let offset):
                    guard let call = assigned[n] else { return .failure(FuzzError("r\(n) is used before any call assigns it")) }
                    arguments.append(.result(call, offset: offset))
                case .parameter(let name, _):
                    return .failure(FuzzError("'\(name)': a program has no parameters"))
                }
            }
            if let r = statement.result, op.returnsValue { assigned[r] = program.count }
            program.calls.append(FuzzCall(op: index, arguments: arguments))
        }
        if let why = table.validate(program) { return .failure(FuzzError(why)) }
        return .success(program)
    }
}

/// Why a program could not be read or built.
public struct FuzzError: Error, Equatable, CustomStringConvertible {
    /// The reason.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The reason.
    public var description: String { message }
}
