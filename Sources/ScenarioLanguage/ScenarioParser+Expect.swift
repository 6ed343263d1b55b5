import HarnessCore
import KMSAN

/// `expect` lines and the `ReportExpectation`s they become.
extension ScenarioParser {
    /// The bug types of `tool`, in a stable order.
    static func bugTypes(of tool: KernelReport.Tool) -> [String] {
        ReportKind.bugTypes(of: tool)
    }

    /// An `expect` line of block `block`; `words` follow the keyword.
    mutating func readExpect(_ words: [Word], line: SourceLine, at position: SourcePosition, block: Int) {
        guard blocks[block].kind == .scenario else {
            error("'expect' is only allowed in a scenario, not in a func", at: position)
            return
        }
        guard blocks[block].statements.isEmpty else {
            error("expect must come before the first statement", at: position)
            return
        }
        blocks[block].sawExpect = true
        var reader = WordReader(words: words, line: line.number, endColumn: line.end - line.start + 1)
        let combined = "'expect no-report' cannot be combined with other expect lines"
        guard let first = reader.next() else {
            error("expected KMSAN, KASAN, HARNESS, WARNING or no-report after 'expect'", at: reader.position)
            return
        }
        if first.text == "no-report" {
            if let extra = reader.next() {
                error("unexpected '\(ScenarioText.display(extra.text))' after 'expect no-report'; expected the end of the line", at: reader.position(of: extra))
            } else if !blocks[block].expectations.isEmpty {
                error(combined, at: position)
            } else {
                blocks[block].expectations.append(Expectation(report: nil, position: position))
                blocks[block].sawNoReport = true
            }
            return
        }
        if blocks[block].sawNoReport {
            error(combined, at: position)
            return
        }
        guard let tool = KernelReport.Tool(rawValue: first.text) else {
            error("unknown tool '\(ScenarioText.display(first.text))'; expected KMSAN, KASAN, HARNESS, WARNING or no-report", at: reader.position(of: first))
            return
        }
        guard let report = readReport(tool, &reader) else { return }
        blocks[block].expectations.append(Expectation(report: report, position: position))
    }

    /// `<bug-type> in <func> [clauses]` of `tool`.
    private mutating func readReport(_ tool: KernelReport.Tool, _ reader: inout WordReader) -> ReportExpectation? {
        let types = Self.bugTypes(of: tool)
        let kind = tool == .harness ? "error kind" : "bug type"
        guard let typeWord = reader.next() else {
            error("expected a \(tool.rawValue) \(kind) (one of \(types.joined(separator: ", "))), got the end of the line", at: reader.position)
            return nil
        }
        guard types.contains(typeWord.text) else {
            error("unknown \(tool.rawValue) \(kind) '\(ScenarioText.display(typeWord.text))'\(ScenarioText.suggestion(for: typeWord.text, among: types)); expected one of \(types.joined(separator: ", "))",
                  at: reader.position(of: typeWord))
            return nil
        }
        guard let inWord = reader.next(), inWord.text == "in" else {
            error("expected 'in <func>' after the \(kind), got \(reader.lastDisplay)", at: reader.lastPosition)
            return nil
        }
        guard let function = identifier(&reader, after: "in") else { return nil }
        var report = ReportExpectation(tool, typeWord.text, in: function)
        var seen: Set<String> = []
        while let clause = reader.next() {
            guard seen.insert(clause.text).inserted || !Self.clauses(of: tool).contains(clause.text) else {
                error("duplicate '\(clause.text)' clause", at: reader.position(of: clause))
                return nil
            }
            guard readClause(clause, of: tool, &reader, into: &report) else { return nil }
        }
        return report
    }

    /// The optional clauses of `tool`'s expect lines.
    static func clauses(of tool: KernelReport.Tool) -> [String] {
        switch tool {
        case .kmsan: ["bytes", "created-at", "local", "stored-at", "cpu"]
        case .kasan: ["read", "write", "cpu"]
        case .harness, .warning: ["cpu"]
        }
    }

    /// One optional clause; false after an error.
    private mutating func readClause(
        _ clause: Word, of tool: KernelReport.Tool, _ reader: inout WordReader, into report: inout ReportExpectation
    ) -> Bool {
        let allowed = Self.clauses(of: tool)
        guard allowed.contains(clause.text) else {
            let expected = allowed.isEmpty ? "the end of the line" : allowed.map { "'\($0)'" }.joined(separator: ", ") + " or the end of the line"
            error("unexpected '\(ScenarioText.display(clause.text))' in an expect \(tool.rawValue) line; expected \(expected)", at: reader.position(of: clause))
            return false
        }
        switch clause.text {
        case "bytes":
            guard let bytes = readByteRange(&reader) else { return false }
            report.bytes = bytes
        case "created-at":
            guard let f = identifier(&reader, after: clause.text) else { return false }
            report.createdAt = f
        case "stored-at":
            guard let f = identifier(&reader, after: clause.text) else { return false }
            report.storedAt = f
        case "cpu":
            guard let word = reader.next(), let n = IntegerLiteral.value(Substring(word.text)), n < PerCPUArea.possibleCPUs else {
                error("expected a CPU number (0-\(PerCPUArea.possibleCPUs - 1)) after 'cpu', got \(reader.lastDisplay)",
                      at: reader.lastPosition)
                return false
            }
            report.cpu = Int(n)
        case "local":
            guard let name = reader.next() else {
                error("expected a local variable name after 'local'", at: reader.position)
                return false
            }
            report.local = name.text
        default:
            if report.access != nil {
                error("expected one 'read' or 'write' clause, got a second", at: reader.position(of: clause))
                return false
            }
            guard let sizeWord = reader.next(), let size = IntegerLiteral.value(Substring(sizeWord.text)), size > 0 else {
                error("expected an access size (a positive integer) after '\(clause.text)', got \(reader.lastDisplay)", at: reader.lastPosition)
                return false
            }
            report.access = "\(clause.text == "read" ? "Read" : "Write") of size \(size)"
        }
        return true
    }

    /// `<i>-<j> of <n>` after `bytes`, with `i <= j < n`.
    private mutating func readByteRange(_ reader: inout WordReader) -> ByteRange? {
        let usage = "expected 'bytes <i>-<j> of <n>'"
        guard let rangeWord = reader.next() else {
            error("\(usage), got the end of the line", at: reader.position)
            return nil
        }
        let parts = rangeWord.text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = IntegerLiteral.value(parts[0]), let j = IntegerLiteral.value(parts[1]) else {
            error("\(usage), got '\(ScenarioText.display(rangeWord.text))'", at: reader.position(of: rangeWord))
            return nil
        }
        guard let ofWord = reader.next(), ofWord.text == "of" else {
            error("\(usage): expected 'of' after the range, got \(reader.lastDisplay)", at: reader.lastPosition)
            return nil
        }
        guard let sizeWord = reader.next(), let n = IntegerLiteral.value(Substring(sizeWord.text)) else {
            error("\(usage): expected the size after 'of', got \(reader.lastDisplay)", at: reader.lastPosition)
            return nil
        }
        let limit = UInt64(Int32.max)
        guard i <= j, j < n, n <= limit else {
            error("invalid byte range \(i)-\(j) of \(n); expected i <= j < n", at: reader.position(of: rangeWord))
            return nil
        }
        return ByteRange(first: Int(i), last: Int(j), size: Int(n))
    }

    /// A C identifier after `keyword`, or nil after reporting.
    private mutating func identifier(_ reader: inout WordReader, after keyword: String) -> String? {
        guard let word = reader.next(), ScenarioText.isIdentifier(word.text) else {
            error("expected a function name (a C identifier) after '\(keyword)', got \(reader.lastDisplay)", at: reader.lastPosition)
            return nil
        }
        return word.text
    }
}

/// Reads the words of an `expect` line in order.
struct WordReader {
    /// The words after `expect`.
    let words: [Word]
    /// The line number.
    let line: Int
    /// The column just past the line's last byte.
    let endColumn: Int
    /// The next word's index.
    var index = 0

    /// The next word, consumed (nil at the end).
    mutating func next() -> Word? {
        defer { index += 1 }
        return index < words.count ? words[index] : nil
    }

    /// Where `word` stands.
    func position(of word: Word) -> SourcePosition { SourcePosition(line: line, column: word.column) }

    /// Where the next word stands, or the end of the line.
    var position: SourcePosition {
        SourcePosition(line: line, column: index < words.count ? words[index].column : endColumn)
    }

    /// Where the word last read stands (the end of the line if there was none).
    var lastPosition: SourcePosition {
        let i = index - 1
        return SourcePosition(line: line, column: i >= 0 && i < words.count ? words[i].column : endColumn)
    }

    /// The word last read, for a message.
    var lastDisplay: String {
        let i = index - 1
        return i >= 0 && i < words.count ? "'\(ScenarioText.display(words[i].text))'" : "the end of the line"
    }
}
