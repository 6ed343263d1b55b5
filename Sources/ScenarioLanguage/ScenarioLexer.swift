/// One line of a scenario file: its number and the byte range of its text, without the line
/// feed and without a trailing carriage return.
struct SourceLine: Sendable {
    /// 1-based line number.
    let number: Int
    /// Index of the line's first byte in the file.
    let start: Int
    /// Index just past the line's last byte.
    let end: Int
}

/// A token of a statement or header line.
struct Token: Sendable, Equatable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// A C identifier.
        case identifier(String)
        /// A digit followed by letters, digits and underscores (validated by the parser).
        case number(String)
        /// A double-quoted string, escapes resolved.
        case string(String)
        /// One of `( ) , = | + -`.
        case symbol(UInt8)
    }

    /// What the token is.
    let kind: Kind
    /// 1-based UTF-8 byte column of its first byte.
    let column: Int

    /// How the token reads in a message (`'kmalloc'`, `','`, `a string`).
    var display: String {
        switch kind {
        case .identifier(let s), .number(let s): return "'\(ScenarioText.display(s))'"
        case .string: return "a string"
        case .symbol(let b): return "'\(Character(Unicode.Scalar(b)))'"
        }
    }
}

/// A whitespace-separated word of an `expect` or `config` line.
struct Word: Sendable, Equatable {
    /// The word (decoded with replacement characters for invalid UTF-8).
    let text: String
    /// 1-based UTF-8 byte column of its first byte.
    let column: Int
}

/// Why a line could not be tokenized.
struct LexError: Error, Sendable, Equatable {
    /// What is wrong.
    let message: String
    /// 1-based byte column.
    let column: Int
}

/// Splits raw file contents into lines, and lines into tokens or words. Works on bytes, so
/// columns are UTF-8 byte columns and invalid UTF-8 never traps.
struct ScenarioLexer: Sendable {
    /// The whole file.
    let bytes: [UInt8]

    /// The file's lines (`\n` or `\r\n` endings; a final line without a newline counts).
    func lines() -> [SourceLine] {
        var result: [SourceLine] = []
        var start = 0
        var number = 1
        var i = 0
        let n = bytes.count
        while i <= n {
            if i == n || bytes[i] == UInt8(ascii: "\n") {
                if i == n && start == n && !result.isEmpty { break }
                var end = i
                if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                result.append(SourceLine(number: number, start: start, end: end))
                number += 1
                start = i + 1
            }
            i += 1
        }
        return result
    }

    /// Whether `b` separates tokens.
    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
    }

    /// Whether `b` may start a C identifier.
    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// Whether `b` may continue a C identifier.
    static func isIdentifierPart(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }

    /// Whether `b` is an ASCII digit.
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The column of byte index `i` of `line`.
    func column(_ i: Int, in line: SourceLine) -> Int { i - line.start + 1 }

    /// The index of the first byte of `line` that is not a space, at or after `from`.
    func skipSpaces(from: Int, in line: SourceLine) -> Int {
        var i = from
        while i < line.end && Self.isSpace(bytes[i]) { i += 1 }
        return i
    }

    /// The leading identifier of `line` (after indentation) and the index just past it, or nil
    /// if the line is blank or a comment, or starts with something else.
    func leadingWord(of line: SourceLine) -> (text: String, column: Int, end: Int)? {
        let i = skipSpaces(from: line.start, in: line)
        guard i < line.end, Self.isIdentifierStart(bytes[i]) else { return nil }
        var j = i
        while j < line.end && Self.isIdentifierPart(bytes[j]) { j += 1 }
        return (String(decoding: bytes[i..<j], as: UTF8.self), column(i, in: line), j)
    }

    /// Whether `line` holds nothing but spaces and maybe a comment.
    func isBlank(_ line: SourceLine) -> Bool {
        let i = skipSpaces(from: line.start, in: line)
        return i == line.end || bytes[i] == UInt8(ascii: "#")
    }

    /// The whitespace-separated words of `line` from byte index `from` up to a `#` comment.
    func words(of line: SourceLine, from: Int) -> [Word] {
        var result: [Word] = []
        var i = from
        while i < line.end {
            let b = bytes[i]
            if Self.isSpace(b) { i += 1; continue }
            if b == UInt8(ascii: "#") { break }
            var j = i
            while j < line.end && !Self.isSpace(bytes[j]) && bytes[j] != UInt8(ascii: "#") { j += 1 }
            result.append(Word(text: String(decoding: bytes[i..<j], as: UTF8.self), column: column(i, in: line)))
            i = j
        }
        return result
    }

    /// The tokens of `line` from byte index `from` up to a `#` comment outside a string.
    func tokens(of line: SourceLine, from: Int) -> Result<[Token], LexError> {
        var result: [Token] = []
        var i = from
        while i < line.end {
            let b = bytes[i]
            let col = column(i, in: line)
            if Self.isSpace(b) { i += 1; continue }
            if b == UInt8(ascii: "#") { break }
            if Self.isIdentifierStart(b) || Self.isDigit(b) {
                var j = i + 1
                while j < line.end && Self.isIdentifierPart(bytes[j]) { j += 1 }
                let text = String(decoding: bytes[i..<j], as: UTF8.self)
                result.append(Token(kind: Self.isDigit(b) ? .number(text) : .identifier(text), column: col))
                i = j
                continue
            }
            if b == UInt8(ascii: "\"") {
                switch string(in: line, from: i) {
                case .success(let (text, next)):
                    result.append(Token(kind: .string(text), column: col))
                    i = next
                case .failure(let error):
                    return .failure(error)
                }
                continue
            }
            switch b {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: "="),
                 UInt8(ascii: "|"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                result.append(Token(kind: .symbol(b), column: col))
                i += 1
            default:
                return .failure(LexError(message: "unexpected \(ScenarioText.describeByte(b))", column: col))
            }
        }
        return .success(result)
    }

    /// The string literal whose opening quote is at `from`, and the index after its closing quote.
    private func string(in line: SourceLine, from: Int) -> Result<(String, Int), LexError> {
        var out: [UInt8] = []
        var i = from + 1
        while i < line.end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                return .success((String(decoding: out, as: UTF8.self), i + 1))
            }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < line.end else { break }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                default:
                    return .failure(LexError(
                        message: "unknown escape in a string: expected \\\", \\\\ or \\n after '\\', got \(ScenarioText.describeByte(bytes[i + 1]))",
                        column: column(i, in: line)))
                }
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        return .failure(LexError(message: "unterminated string: expected a closing '\"' before the end of the line",
                                 column: column(from, in: line)))
    }
}
