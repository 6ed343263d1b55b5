/// Text helpers of the parser: integers, message-safe quoting, and "did you mean" suggestions.
enum ScenarioText {
    /// Longest text quoted verbatim in a message; longer text is cut with `...`.
    static let maxDisplayLength = 48

    /// `text` made safe for a one-line message: control characters escaped, long text cut.
    static func display(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= maxDisplayLength { out += "..."; break }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// `character 'x'` for printable ASCII, else `byte 0xNN`.
    static func describeByte(_ b: UInt8) -> String {
        if b > 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x\(b < 0x10 ? "0" : "")\(hex)"
    }

    /// Whether `text` has the shape of an integer (decimal digits, or `0x` and hex digits),
    /// whatever its size.
    static func isWellFormedInteger(_ text: String) -> Bool {
        let utf8 = text.utf8
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = utf8.dropFirst(2)
            return !digits.isEmpty && digits.allSatisfy { ScenarioLexer.isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
        }
        return !utf8.isEmpty && utf8.allSatisfy(ScenarioLexer.isDigit)
    }

    /// Whether `text` is a C identifier.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, ScenarioLexer.isIdentifierStart(first) else { return false }
        return text.utf8.allSatisfy(ScenarioLexer.isIdentifierPart)
    }

    /// The register number of `rN`, or nil if `name` is not of that form.
    static func registerNumber(_ name: String) -> Substring? {
        let utf8 = name.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "r"),
              utf8.dropFirst().allSatisfy(ScenarioLexer.isDigit) else { return nil }
        return Substring(name).dropFirst()
    }

    /// ` (did you mean 'x'?)` for the closest candidate within a small edit distance, else "".
    static func suggestion(for name: String, among candidates: [String]) -> String {
        let source = Array(name.utf8)
        guard source.count <= 64 else { return "" }
        let limit = max(1, min(3, source.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            let target = Array(candidate.utf8)
            guard abs(target.count - source.count) <= limit else { continue }
            let d = editDistance(source, target)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best.map { " (did you mean '\($0.0)'?)" } ?? ""
    }

    /// Levenshtein distance of two short byte strings.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// `a, b or c`.
    static func list(_ items: [String], conjunction: String = "or") -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }
}
