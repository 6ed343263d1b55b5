/// A checker of KTAP version 1, written from the kernel's Documentation/dev-tools/ktap.rst:
/// a version line, a plan line `1..N`, test result lines `ok|not ok <number> [<description>]
/// [# [SKIP|TODO] <reason>]` numbered from 1, diagnostic lines (`# ...`), subtests indented by 4
/// spaces with their own version and plan, whose result line follows them one level out, and
/// unknown lines (kernel messages), which may appear anywhere and are not parsed.
struct KTAPGrammar {
    /// One test at some level.
    struct TestResult: Equatable {
        var ok: Bool
        var number: Int
        var name: String
        var directive: String?
        /// The subtest's results, if it had any.
        var subtests: [TestResult] = []
    }

    /// A violation of the grammar, with the 1-based line number.
    struct Violation: Error, Equatable {
        var line: Int
        var message: String
    }

    private struct Level {
        var indent: Int
        var plan: Int?
        var name: String?
        var results: [TestResult] = []
    }

    /// The top level's results, or the first violation.
    static func parse(_ text: String) -> Result<[TestResult], Violation> {
        var stack: [Level] = []
        var sawVersion = false
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = i + 1
            let spaces = raw.prefix { $0 == " " }.count
            let line = raw.dropFirst(spaces)
            guard spaces % 4 == 0 else { continue }  // an unknown line (a report's frame)
            if line == "KTAP version 1" {
                if stack.isEmpty {
                    guard spaces == 0, !sawVersion else { return .failure(Violation(line: n, message: "a second top level")) }
                    sawVersion = true
                } else if spaces != stack[stack.count - 1].indent + 4 {
                    return .failure(Violation(line: n, message: "a subtest must be indented 4 more than its parent"))
                }
                stack.append(Level(indent: spaces))
                continue
            }
            guard !stack.isEmpty else {
                if line.isEmpty { continue }
                return .failure(Violation(line: n, message: "text before the version line"))
            }
            let top = stack[stack.count - 1]
            if line.hasPrefix("# Subtest: "), spaces == top.indent {
                stack[stack.count - 1].name = String(line.dropFirst("# Subtest: ".count))
            } else if line.hasPrefix("#") {
                continue
            } else if let plan = Self.plan(line), spaces == top.indent {
                guard top.plan == nil, top.results.isEmpty else {
                    return .failure(Violation(line: n, message: "the plan must come once, before the results"))
                }
                stack[stack.count - 1].plan = plan
            } else if var result = Self.result(line) {
                if spaces == top.indent - 4, stack.count > 1 {
                    let sub = stack.removeLast()
                    if let problem = Self.closing(sub) { return .failure(Violation(line: n, message: problem)) }
                    guard result.name == sub.name else {
                        return .failure(Violation(line: n, message: "the subtest '\(sub.name ?? "")' ends with '\(result.name)'"))
                    }
                    result.subtests = sub.results
                } else if spaces != top.indent {
                    return .failure(Violation(line: n, message: "a result line at the wrong indentation"))
                }
                let expected = stack[stack.count - 1].results.count + 1
                guard result.number == expected else {
                    return .failure(Violation(line: n, message: "test \(result.number) where \(expected) was due"))
                }
                stack[stack.count - 1].results.append(result)
            }
        }
        guard stack.count == 1 else { return .failure(Violation(line: 0, message: "\(stack.count - 1) subtest(s) never ended")) }
        if let problem = Self.closing(stack[0]) { return .failure(Violation(line: 0, message: problem)) }
        return .success(stack[0].results)
    }

    private static func closing(_ level: Level) -> String? {
        guard let plan = level.plan else { return "a test level without a plan" }
        return plan == level.results.count ? nil : "the plan says \(plan) tests, \(level.results.count) ran"
    }

    private static func plan(_ line: Substring) -> Int? {
        guard line.hasPrefix("1.."), let n = Int(line.dropFirst(3)), n >= 0 else { return nil }
        return n
    }

    private static func result(_ line: Substring) -> TestResult? {
        let ok: Bool
        var rest: Substring
        if line.hasPrefix("ok ") { ok = true; rest = line.dropFirst(3) } else if line.hasPrefix("not ok ") {
            ok = false; rest = line.dropFirst(7)
        } else { return nil }
        let digits = rest.prefix { $0.isNumber }
        guard let number = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count)
        var directive: String?
        if let hash = rest.range(of: " # ") {
            let tail = rest[hash.upperBound...]
            if tail.hasPrefix("SKIP") { directive = "SKIP" } else if tail.hasPrefix("TODO") { directive = "TODO" }
            rest = rest[..<hash.lowerBound]
        }
        let name = rest.hasPrefix(" ") ? String(rest.dropFirst()) : String(rest)
        return TestResult(ok: ok, number: number, name: name, directive: directive)
    }
}
