import HarnessCore

/// A call of a `func` found while resolving: who calls whom, and where.
struct FunctionCall: Sendable {
    /// The calling block.
    let caller: Int
    /// The called func's block.
    let callee: Int
    /// Where the call stands.
    let position: SourcePosition
}

/// The registers and parameters a block's operands may name.
struct OperandScope {
    /// The func's parameter names (empty in a scenario).
    let parameters: Set<String>
    /// Registers assigned so far.
    var assigned: Set<Int> = []
    /// Registers assigned by statements that could not be read.
    let unreadAssignments: Set<Int>
}

/// Second pass: callees, arities, argument kinds, constants and registers.
extension ScenarioParser {
    /// Resolves block `index`'s statements and `ret` value, recording its func calls.
    mutating func resolve(block index: Int, calls: inout [FunctionCall]) -> (body: [Statement], returnValue: Operand?) {
        let block = blocks[index]
        var scope = OperandScope(parameters: Set(block.parameters), unreadAssignments: block.unreadAssignments)
        var body: [Statement] = []
        body.reserveCapacity(block.statements.count)
        for raw in block.statements {
            if let statement = resolve(raw, in: index, scope: &scope, calls: &calls) { body.append(statement) }
            if let result = raw.result {
                if scope.assigned.contains(result.register) {
                    error("register r\(result.register) is assigned twice", at: result.position, block: index)
                }
                scope.assigned.insert(result.register)
            }
        }
        var returnValue: Operand?
        if let ret = block.returnValue {
            returnValue = resolve(ret.value, as: .value, context: "the 'ret' value", in: index, scope: scope)
        }
        return (body, returnValue)
    }

    /// One statement, or nil after reporting why it is wrong.
    private mutating func resolve(
        _ raw: RawStatement, in block: Int, scope: inout OperandScope, calls: inout [FunctionCall]
    ) -> Statement? {
        var ok = true
        var operands: [Operand] = []
        let target: Statement.Target
        if let op = plugins.op(named: raw.callee)?.form(taking: raw.arguments.count) {
            target = .op(op)
            if let message = op.arityError(got: raw.arguments.count) {
                error(message, at: raw.calleePosition, block: block)
                ok = false
            }
            for (i, argument) in raw.arguments.enumerated() {
                let parameterKind = i < op.parameters.count ? op.parameters[i].kind : (op.isVariadic ? op.parameters.last?.kind ?? .value : .value)
                let operand = resolve(argument, as: parameterKind, context: "argument \(i + 1) of \(op.name)", in: block, scope: scope)
                if let operand { operands.append(operand) } else { ok = false }
            }
            if let result = raw.result, !op.returnsValue {
                error("\(op.name) returns no value; expected no 'r\(result.register) ='", at: result.position, block: block)
                ok = false
            }
        } else if let callee = functionIndex[raw.callee] {
            target = .function(raw.callee)
            let parameters = blocks[callee].parameters
            if parameters.count != raw.arguments.count {
                error(ScenarioOp.arityMessage("func '\(raw.callee)'", parameters, variadic: false, got: raw.arguments.count),
                      at: raw.calleePosition, block: block)
                ok = false
            }
            for (i, argument) in raw.arguments.enumerated() {
                let operand = resolve(argument, as: .value, context: "argument \(i + 1) of func '\(raw.callee)'", in: block, scope: scope)
                if let operand { operands.append(operand) } else { ok = false }
            }
            if raw.result != nil && blocks[callee].returnValue == nil {
                error("func '\(raw.callee)' has no 'ret' value", at: raw.position, block: block)
                ok = false
            }
            calls.append(FunctionCall(caller: block, callee: callee, position: raw.calleePosition))
        } else {
            let candidates = plugins.opNames + functionIndex.keys.sorted()
            error("unknown op '\(ScenarioText.display(raw.callee))'\(ScenarioText.suggestion(for: raw.callee, among: candidates))",
                  at: raw.calleePosition, block: block)
            return nil
        }
        guard ok else { return nil }
        return Statement(result: raw.result?.register, target: target, arguments: operands, position: raw.position)
    }

    /// One argument for a parameter of kind `kind`, or nil after reporting why it does not fit.
    /// `context` names it in messages (`argument 2 of kmalloc`).
    mutating func resolve(
        _ argument: RawArgument, as kind: ScenarioOp.ParameterKind, context: String, in block: Int, scope: OperandScope
    ) -> Operand? {
        let at = argument.position
        func mismatch(_ got: String) -> Operand? {
            error("\(context) must be \(kind.requirement), got \(got)", at: at, block: block)
            return nil
        }
        switch argument.form {
        case .string(let s):
            return kind == .string ? .string(s) : mismatch("a string")
        case .integer(let value, let text):
            return kind == .string ? mismatch("\(ScenarioText.display(text)) (an integer)") : .literal(value)
        case .register(let n, let offset):
            guard kind != .string else { return mismatch("register r\(n)") }
            if !scope.assigned.contains(n) && !scope.unreadAssignments.contains(n) {
                error("register r\(n) is used before it is assigned", at: at, block: block)
                return nil
            }
            return .register(n, offset: offset)
        case .name(let name, let offset):
            if scope.parameters.contains(name) {
                return kind == .string ? mismatch("parameter '\(name)'") : .parameter(name, offset: offset ?? 0)
            }
            guard let constant = plugins.constant(named: name) else {
                let candidates = plugins.constantNames + scope.parameters.sorted()
                let expected = scope.parameters.isEmpty ? "a register or named constant" : "a parameter, register or named constant"
                error("unknown name '\(ScenarioText.display(name))'\(ScenarioText.suggestion(for: name, among: candidates)); expected \(expected)", at: at, block: block)
                return nil
            }
            if offset != nil {
                error("an offset applies to a register or parameter, not to the constant \(name)", at: at, block: block)
                return nil
            }
            return constant.kind.fits(kind) ? .literal(constant.value) : mismatch("\(name) (\(constant.kind.noun))")
        case .flags(let names):
            guard let (flagKind, value) = combine(names, in: block) else { return nil }
            let text = names.map(\.name).joined(separator: "|")
            return flagKind.fits(kind) ? .literal(value) : mismatch("\(ScenarioText.display(text)) (\(flagKind.noun))")
        }
    }

    /// The flag kinds of the installed parts, for messages: `gfp flags or slab flags`.
    private var flagKindsText: String { ScenarioText.list(plugins.flagKinds.map(\.noun)) }

    /// `A|B|...`: constants of one flag kind, and their union; nil after reporting.
    private mutating func combine(_ names: [NameRef], in block: Int) -> (ScenarioOp.ParameterKind, UInt64)? {
        var kind: ScenarioOp.ParameterKind?
        var first = ""
        var value: UInt64 = 0
        for ref in names {
            guard let constant = plugins.constant(named: ref.name) else {
                error("unknown flag '\(ScenarioText.display(ref.name))'\(ScenarioText.suggestion(for: ref.name, among: plugins.constantNames)); expected \(flagKindsText)",
                      at: ref.position, block: block)
                return nil
            }
            guard constant.kind.isFlags else {
                error("\(ref.name) is \(constant.kind.noun), not a flag; only \(flagKindsText) combine with '|'", at: ref.position, block: block)
                return nil
            }
            if let kind, kind != constant.kind {
                error("cannot combine \(ref.name) (\(constant.kind.noun)) with \(first) (\(kind.noun)) using '|'; expected flags of one kind",
                      at: ref.position, block: block)
                return nil
            }
            if kind == nil { first = ref.name }
            kind = constant.kind
            value |= constant.value
        }
        guard let kind else { return nil }
        return (kind, value)
    }
}
