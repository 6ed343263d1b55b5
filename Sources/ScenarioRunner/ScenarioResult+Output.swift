import Foundation
import KMSAN
import ScenarioLanguage

/// What `kmsan-harness run` prints for a scenario: its reports in the kernel's text layout then
/// the verdict line, or (`--format json`) one JSON object per report and one per verdict.
extension ScenarioResult {
    /// `PASS <name>` or `FAIL <name>: <why>`.
    public var verdictLine: String {
        switch verdict {
        case .pass: "PASS \(name)"
        case .fail(let why): "FAIL \(name): \(why)"
        }
    }

    /// Every report's kernel text, then the verdict line (ending with a newline).
    public var text: String {
        reports.map(\.kernelText).joined() + verdictLine + "\n"
    }

    /// One JSON object per report, then the verdict object: one line each, without newlines.
    public var jsonLines: [String] {
        reports.map(reportJSON) + [verdictJSON]
    }

    /// A report as one JSON object: `type` "report", the scenario and path, the `tool`,
    /// `bugType`, header `function` and `title` at the top level, and the whole report under
    /// `report` (frames in `stack`, the origin chain in `origin`, `byteRange`, `accessAddress`,
    /// `userAddress`, the HARNESS `message`, ...), as `KernelReport` encodes it.
    public func reportJSON(_ report: KernelReport) -> String {
        struct Line: Encodable {
            var type = "report"
            var scenario: String
            var path: String
            var tool: String
            var bugType: String
            var function: String
            var title: String
            var report: KernelReport
        }
        return ScenarioJSON.encode(Line(
            scenario: name, path: path, tool: report.tool.rawValue, bugType: report.bugType, function: report.function,
            title: report.title, report: report))
    }

    /// `{"type":"verdict","verdict":"pass","scenario":...,"path":...,"line":...,"reports":N}`,
    /// with `"reason"` when it failed.
    public var verdictJSON: String {
        struct Line: Encodable {
            var type = "verdict"
            var verdict: String
            var scenario: String
            var path: String
            var line: Int
            var reports: Int
            var reason: String?
        }
        var reason: String?
        if case .fail(let why) = verdict { reason = why }
        return ScenarioJSON.encode(Line(
            verdict: passed ? "pass" : "fail", scenario: name, path: path, line: position.line, reports: reports.count,
            reason: reason))
    }
}

extension ScenarioDiagnostic {
    /// `{"type":"diagnostic","path":...,"line":...,"column":...,"message":...}`.
    public var jsonLine: String {
        struct Line: Encodable {
            var type = "diagnostic"
            var path: String
            var line: Int
            var column: Int
            var message: String
        }
        return ScenarioJSON.encode(Line(path: path, line: position.line, column: position.column, message: message))
    }
}

/// One-line JSON with sorted keys, so output is stable.
enum ScenarioJSON {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let line = String(data: data, encoding: .utf8) else {
            return #"{"type":"error","error":"unencodable"}"#
        }
        return line
    }
}
