import HarnessCore

/// The parser of `.scenario` files (see the contract, scenario-format.md).
///
/// It reads a file line by line (the language has one construct per line), so an error never
/// takes more than its line with it: a malformed line is reported and skipped, a missing `end` is
/// reported where the next `scenario` or `func` starts, and every scenario without errors is
/// returned. A second pass resolves callees, constants and registers once every `func` of the
/// file is known (funcs may be used before they are defined, and may recurse).
///
/// Nothing in the parser recurses and every loop is bounded by the input's length, so no input
/// can crash it or make it hang.
public struct ScenarioParser {
    /// The highest register number a scenario may use (`r65535`).
    public static let maxRegister = 65_535

    /// Words that open or close a construct and so cannot name a `func`.
    static let keywords: Set<String> = ["scenario", "func", "end", "ret", "config", "expect"]

    let path: String
    let plugins: PluginSet
    let lexer: ScenarioLexer
    var diagnostics: [ScenarioDiagnostic] = []
    var blocks: [RawBlock] = []
    /// Index in `blocks` of the open block, if any.
    var current: Int?
    /// First block index of each scenario name and each func name.
    var scenarioIndex: [String: Int] = [:]
    var functionIndex: [String: Int] = [:]

    private init(bytes: [UInt8], path: String, plugins: PluginSet) {
        self.path = path
        self.plugins = plugins
        self.lexer = ScenarioLexer(bytes: bytes)
    }

    /// Parses the text of a scenario file against the ops, constants and config keys of
    /// `plugins`. `path` is printed in diagnostics and verdicts.
    public static func parse(_ text: String, path: String, plugins: PluginSet) -> ParsedScenarioFile {
        parse(bytes: Array(text.utf8), path: path, plugins: plugins)
    }

    /// Parses raw file contents. Invalid UTF-8 is never fatal: outside strings it is an
    /// `unexpected byte` error; inside a string it is decoded with replacement characters.
    public static func parse(bytes: [UInt8], path: String, plugins: PluginSet) -> ParsedScenarioFile {
        var parser = ScenarioParser(bytes: bytes, path: path, plugins: plugins)
        parser.readLines()
        return parser.assemble()
    }

    /// First pass: every line, in order.
    private mutating func readLines() {
        let lines = lexer.lines()
        for line in lines where !lexer.isBlank(line) {
            readLine(line)
        }
        if let open = current, let last = lines.last {
            let position = SourcePosition(line: last.number, column: last.end - last.start + 1)
            error("missing 'end' for \(blocks[open].title) (opened at line \(blocks[open].position.line)); expected 'end' before the end of the file", at: position)
            current = nil
        }
    }

    /// One non-blank line.
    private mutating func readLine(_ line: SourceLine) {
        let lead = lexer.leadingWord(of: line)
        let keywordPosition = SourcePosition(line: line.number, column: lead?.column ?? 1)
        switch lead?.text {
        case "scenario", "func":
            guard let lead else { return }
            openBlock(lead.text == "scenario" ? .scenario : .function, line: line, at: keywordPosition, after: lead.end)
        case "end":
            guard let lead else { return }
            closeBlock(line: line, at: keywordPosition, after: lead.end)
        case "config", "expect", "ret":
            guard let lead else { return }
            guard let open = current else {
                error("'\(lead.text)' outside a scenario or func; expected 'scenario' or 'func'", at: keywordPosition)
                return
            }
            switch lead.text {
            case "config": readConfig(lexer.words(of: line, from: lead.end), line: line, at: keywordPosition, block: open)
            case "expect": readExpect(lexer.words(of: line, from: lead.end), line: line, at: keywordPosition, block: open)
            default: readReturn(line: line, at: keywordPosition, after: lead.end, block: open)
            }
        default:
            let start = lexer.skipSpaces(from: line.start, in: line)
            let position = SourcePosition(line: line.number, column: lexer.column(start, in: line))
            guard let open = current else {
                error("statement outside a scenario or func; expected 'scenario' or 'func'", at: position)
                return
            }
            readStatement(line: line, block: open)
        }
    }

    /// Records an error; it marks the open block (if any) as having errors.
    mutating func error(_ message: String, at position: SourcePosition) {
        diagnostics.append(ScenarioDiagnostic(path: path, position: position, message: message))
        if let open = current { blocks[open].hasErrors = true }
    }

    /// Records an error in block `block`.
    mutating func error(_ message: String, at position: SourcePosition, block: Int) {
        diagnostics.append(ScenarioDiagnostic(path: path, position: position, message: message))
        blocks[block].hasErrors = true
    }

    /// The tokens of `line` from byte index `from`, or nil after reporting a lexical error.
    mutating func tokens(of line: SourceLine, from: Int) -> TokenCursor? {
        switch lexer.tokens(of: line, from: from) {
        case .success(let tokens):
            return TokenCursor(tokens: tokens, line: line.number, endColumn: line.end - line.start + 1)
        case .failure(let lexError):
            error(lexError.message, at: SourcePosition(line: line.number, column: lexError.column))
            return nil
        }
    }
}

/// Reads the tokens of one line in order.
struct TokenCursor {
    /// The line's tokens.
    let tokens: [Token]
    /// The line number.
    let line: Int
    /// The column just past the line's last byte (where "expected X" at the end points).
    let endColumn: Int
    /// The next token's index.
    var index = 0

    /// The next token, if any.
    var peek: Token? { index < tokens.count ? tokens[index] : nil }

    /// Whether every token has been read.
    var atEnd: Bool { index >= tokens.count }

    /// Where the next token stands, or the end of the line.
    var position: SourcePosition { SourcePosition(line: line, column: peek?.column ?? endColumn) }

    /// The next token, consumed.
    mutating func next() -> Token? {
        guard index < tokens.count else { return nil }
        defer { index += 1 }
        return tokens[index]
    }

    /// Consumes the next token if it is the symbol `s`.
    mutating func take(_ s: Character) -> Bool {
        guard let ascii = s.asciiValue, case .symbol(ascii)? = peek?.kind else { return false }
        index += 1
        return true
    }

    /// What comes next, for a message: a token or `the end of the line`.
    var nextDisplay: String { peek?.display ?? "the end of the line" }
}
