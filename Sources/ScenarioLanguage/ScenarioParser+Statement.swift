import HarnessCore

/// Statements (`[rN =] callee(arg, ...)`) and arguments, as written.
extension ScenarioParser {
    /// What an argument may be, for messages.
    static let argumentForms = "an argument (a number, string, constant, register or parameter)"

    /// A statement line of block `block`.
    mutating func readStatement(line: SourceLine, block: Int) {
        guard var cursor = tokens(of: line, from: line.start) else { return }
        let position = cursor.position
        if let ret = blocks[block].returnValue {
            error("statement after 'ret' (line \(ret.position.line)); 'ret' must be the last line of a func", at: position)
            return
        }
        var result: (register: Int, position: SourcePosition)?
        if cursor.tokens.count >= 2, case .identifier(let name) = cursor.tokens[0].kind, case .symbol(UInt8(ascii: "=")) = cursor.tokens[1].kind {
            guard let register = registerNumber(name, at: position) else {
                if ScenarioText.registerNumber(name) == nil {
                    error("expected a register (r0, r1, ...) before '=', got '\(ScenarioText.display(name))'", at: position)
                }
                return
            }
            result = (register, position)
            cursor.index = 2
        }
        guard let statement = readCall(&cursor, result: result, position: position) else {
            if let result { blocks[block].unreadAssignments.insert(result.register) }
            return
        }
        blocks[block].statements.append(statement)
    }

    /// `callee(arg, ...)` up to the end of the line.
    private mutating func readCall(
        _ cursor: inout TokenCursor, result: (register: Int, position: SourcePosition)?, position: SourcePosition
    ) -> RawStatement? {
        let calleePosition = cursor.position
        let shown = cursor.nextDisplay
        guard let token = cursor.next(), case .identifier(let callee) = token.kind else {
            error("expected an op or func name\(result == nil ? " or 'rN ='" : ""), got \(shown)", at: calleePosition)
            return nil
        }
        guard cursor.take("(") else {
            error("expected '(' after '\(ScenarioText.display(callee))', got \(cursor.nextDisplay)", at: cursor.position)
            return nil
        }
        var arguments: [RawArgument] = []
        if !cursor.take(")") {
            while true {
                guard let argument = readArgument(&cursor) else { return nil }
                arguments.append(argument)
                if cursor.take(")") { break }
                guard cursor.take(",") else {
                    error("expected ')' or ',' after an argument, got \(cursor.nextDisplay)", at: cursor.position)
                    return nil
                }
            }
        }
        guard cursor.atEnd else {
            error("unexpected \(cursor.nextDisplay) after ')'; expected the end of the line", at: cursor.position)
            return nil
        }
        return RawStatement(result: result, callee: callee, calleePosition: calleePosition, arguments: arguments, position: position)
    }

    /// One argument (or `ret` value).
    mutating func readArgument(_ cursor: inout TokenCursor) -> RawArgument? {
        let position = cursor.position
        let shown = cursor.nextDisplay
        guard let token = cursor.next() else {
            error("expected \(Self.argumentForms), got the end of the line", at: position)
            return nil
        }
        switch token.kind {
        case .number(let text):
            return integer(text, at: position).map { RawArgument(form: .integer($0, text: text), position: position) }
        case .symbol(UInt8(ascii: "-")):
            guard case .number(let text)? = cursor.peek?.kind else {
                error("expected a number after '-', got \(cursor.nextDisplay)", at: cursor.position)
                return nil
            }
            let numberPosition = cursor.position
            _ = cursor.next()
            guard let magnitude = integer(text, at: numberPosition) else { return nil }
            guard magnitude <= UInt64(Int64.max) + 1 else {
                error("integer '-\(ScenarioText.display(text))' does not fit in 64 bits", at: position)
                return nil
            }
            return RawArgument(form: .integer(0 &- magnitude, text: "-" + text), position: position)
        case .string(let s):
            return RawArgument(form: .string(s), position: position)
        case .identifier(let name):
            return readNamedArgument(name, &cursor, at: position)
        case .symbol:
            error("expected \(Self.argumentForms), got \(shown)", at: position)
            return nil
        }
    }

    /// `rN[+-OFF]`, `name[+-OFF]` or `A|B|...`, after its first identifier.
    private mutating func readNamedArgument(_ name: String, _ cursor: inout TokenCursor, at position: SourcePosition) -> RawArgument? {
        if case .symbol(UInt8(ascii: "|"))? = cursor.peek?.kind {
            guard ScenarioText.registerNumber(name) == nil else {
                error("only named flags combine with '|', not register \(ScenarioText.display(name))", at: position)
                return nil
            }
            var names = [NameRef(name: name, position: position)]
            while cursor.take("|") {
                let flagPosition = cursor.position
                let shown = cursor.nextDisplay
                guard let token = cursor.next(), case .identifier(let flag) = token.kind, ScenarioText.registerNumber(flag) == nil else {
                    error("expected a flag name after '|', got \(shown)", at: flagPosition)
                    return nil
                }
                names.append(NameRef(name: flag, position: flagPosition))
            }
            return RawArgument(form: .flags(names), position: position)
        }
        guard let offset = readOffset(&cursor) else { return nil }
        if ScenarioText.registerNumber(name) != nil {
            guard let register = registerNumber(name, at: position) else { return nil }
            return RawArgument(form: .register(register, offset: offset ?? 0), position: position)
        }
        return RawArgument(form: .name(name, offset: offset), position: position)
    }

    /// `+OFF` or `-OFF` if one follows, OFF a number or an integer constant (`PAGE_SIZE`):
    /// `.some(nil)` if none, nil after an error.
    private mutating func readOffset(_ cursor: inout TokenCursor) -> Int64?? {
        let sign: Int64
        switch cursor.peek?.kind {
        case .symbol(UInt8(ascii: "+"))?: sign = 1
        case .symbol(UInt8(ascii: "-"))?: sign = -1
        default: return .some(nil)
        }
        _ = cursor.next()
        let position = cursor.position
        let magnitude: UInt64
        let text: String
        switch cursor.peek?.kind {
        case .number(let digits)?:
            guard let value = integer(digits, at: position) else { return nil }
            (magnitude, text) = (value, digits)
        case .identifier(let name)? where plugins.constant(named: name)?.kind == .integer:
            (magnitude, text) = (plugins.constant(named: name)?.value ?? 0, name)
        default:
            error("expected a byte offset (a number or an integer constant such as PAGE_SIZE) after '\(sign > 0 ? "+" : "-")', got \(cursor.nextDisplay)", at: position)
            return nil
        }
        _ = cursor.next()
        let limit = sign > 0 ? UInt64(Int64.max) : UInt64(Int64.max) + 1
        guard magnitude <= limit else {
            error("offset '\(ScenarioText.display(text))' does not fit in 64 bits", at: position)
            return nil
        }
        return .some(Int64(bitPattern: sign > 0 ? magnitude : 0 &- magnitude))
    }

    /// The value of a number token, or nil after reporting why it is not one.
    mutating func integer(_ text: String, at position: SourcePosition) -> UInt64? {
        if let value = IntegerLiteral.value(Substring(text)) { return value }
        let wellFormed = ScenarioText.isWellFormedInteger(text)
        error(wellFormed
              ? "integer '\(ScenarioText.display(text))' does not fit in 64 bits"
              : "invalid integer '\(ScenarioText.display(text))'; expected decimal digits or 0x and hex digits",
              at: position)
        return nil
    }

    /// The number of register `rN`, or nil after reporting that it is out of range.
    mutating func registerNumber(_ name: String, at position: SourcePosition) -> Int? {
        guard let digits = ScenarioText.registerNumber(name) else { return nil }
        guard digits.count <= 6, let n = Int(digits), n <= Self.maxRegister else {
            error("register '\(ScenarioText.display(name))' is out of range; expected r0 to r\(Self.maxRegister)", at: position)
            return nil
        }
        return n
    }
}
