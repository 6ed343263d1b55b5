/// `scenario <name>`, `func <name>(<param>, ...)`, `ret <value>` and `end`.
extension ScenarioParser {
    /// Opens a block; an unclosed block before it is reported and closed.
    mutating func openBlock(_ kind: RawBlock.Kind, line: SourceLine, at position: SourcePosition, after: Int) {
        if let open = current {
            error("missing 'end' for \(blocks[open].title) (opened at line \(blocks[open].position.line)); expected 'end' before '\(kind.rawValue)'", at: position)
            current = nil
        }
        blocks.append(RawBlock(kind: kind, position: position))
        let index = blocks.count - 1
        current = index
        guard var cursor = tokens(of: line, from: after) else { return }
        guard let nameToken = cursor.next(), case .identifier(let name) = nameToken.kind else {
            error("expected a \(kind.rawValue) name (a C identifier) after '\(kind.rawValue)', got \(cursor.tokens.first?.display ?? "the end of the line")",
                  at: SourcePosition(line: line.number, column: cursor.tokens.first?.column ?? cursor.endColumn))
            return
        }
        let namePosition = SourcePosition(line: line.number, column: nameToken.column)
        blocks[index].name = name
        if kind == .function {
            checkFunctionName(name, at: namePosition)
            readParameters(&cursor, block: index)
        } else if let first = scenarioIndex[name] {
            error("duplicate scenario '\(ScenarioText.display(name))' (first defined at line \(blocks[first].position.line)); scenario names must be unique in a file", at: namePosition)
        } else {
            scenarioIndex[name] = index
            blocks[index].isCanonical = true
        }
        if !cursor.atEnd && !blocks[index].hasErrors {
            error("unexpected \(cursor.nextDisplay) after the \(kind.rawValue) header; expected the end of the line", at: cursor.position)
        }
    }

    /// A func's name must not be a keyword, an op or an earlier func.
    private mutating func checkFunctionName(_ name: String, at position: SourcePosition) {
        guard let index = current else { return }
        if Self.keywords.contains(name) {
            error("func name '\(name)' is a keyword; expected another name", at: position)
        } else if ScenarioText.registerNumber(name) != nil {
            error("func name '\(ScenarioText.display(name))' looks like a register; expected another name", at: position)
        } else if plugins.op(named: name) != nil {
            error("func '\(name)' has the name of an op; expected a name that is not an op", at: position)
        } else if let first = functionIndex[name] {
            error("duplicate func '\(ScenarioText.display(name))' (first defined at line \(blocks[first].position.line)); func names must be unique in a file", at: position)
        } else {
            functionIndex[name] = index
            blocks[index].isCanonical = true
        }
    }

    /// `(<param>, ...)` after a func's name.
    private mutating func readParameters(_ cursor: inout TokenCursor, block: Int) {
        guard cursor.take("(") else {
            error("expected '(' after the func name, got \(cursor.nextDisplay)", at: cursor.position)
            return
        }
        if cursor.take(")") { return }
        var seen: Set<String> = []
        while true {
            let position = cursor.position
            let shown = cursor.nextDisplay
            guard let token = cursor.next(), case .identifier(let name) = token.kind else {
                error("expected a parameter name (a C identifier), got \(shown)", at: position)
                return
            }
            if ScenarioText.registerNumber(name) != nil || Self.keywords.contains(name) {
                error("parameter '\(ScenarioText.display(name))' looks like a register or keyword; expected another name", at: position)
                return
            }
            if !seen.insert(name).inserted {
                error("duplicate parameter '\(ScenarioText.display(name))'", at: position)
                return
            }
            blocks[block].parameters.append(name)
            if cursor.take(")") { return }
            guard cursor.take(",") else {
                error("expected ')' or ',' after a parameter, got \(cursor.nextDisplay)", at: cursor.position)
                return
            }
        }
    }

    /// `end`: closes the open block.
    mutating func closeBlock(line: SourceLine, at position: SourcePosition, after: Int) {
        guard let open = current else {
            error("'end' without an open scenario or func", at: position)
            return
        }
        if let cursor = tokens(of: line, from: after), !cursor.atEnd {
            error("unexpected \(cursor.nextDisplay) after 'end'; expected the end of the line", at: cursor.position)
        }
        if blocks[open].kind == .scenario && !blocks[open].sawExpect {
            error("\(blocks[open].title) has no 'expect' line; expected at least one (or 'expect no-report') before its first statement",
                  at: blocks[open].position)
        }
        current = nil
    }

    /// `ret <value>` in a func.
    mutating func readReturn(line: SourceLine, at position: SourcePosition, after: Int, block: Int) {
        guard blocks[block].kind == .function else {
            error("'ret' is only allowed in a func", at: position)
            return
        }
        if let earlier = blocks[block].returnValue {
            error("second 'ret' in \(blocks[block].title) (first at line \(earlier.position.line)); expected one 'ret' at most", at: position)
            return
        }
        guard var cursor = tokens(of: line, from: after) else { return }
        guard !cursor.atEnd else {
            error("expected a value after 'ret'", at: cursor.position)
            return
        }
        guard let value = readArgument(&cursor) else { return }
        guard cursor.atEnd else {
            error("unexpected \(cursor.nextDisplay) after the 'ret' value; expected the end of the line", at: cursor.position)
            return
        }
        blocks[block].returnValue = (value, position)
    }
}
