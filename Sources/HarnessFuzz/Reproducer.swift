import Foundation
import HarnessCore
import KMSAN

/// A finding's reproducer as a scenario file: the report it produced in comments, then the
/// scenario, whose expectation fails while the bug is there (`kmsan-harness replay` exits 1
/// until it is fixed).
public struct Reproducer: Sendable {
    /// The bucket title.
    public var title: String
    /// The program.
    public var program: FuzzProgram
    /// `config` lines the scenario needs (the profile it runs under).
    public var configLines: [String]
    /// The reports the scenario expects (none: `expect no-report`).
    public var expected: [KernelReport]
    /// Comment lines after the title: where it was found, what it printed.
    public var notes: [String]
    /// The ops the program's calls index.
    public var table: OpTable

    /// The reproducer of a finding that is a report: it expects no report.
    public static func finding(
        _ bucket: FindingBuckets.Bucket, foundBy: String, configLines: [String], table: OpTable
    ) -> Reproducer {
        let suggested = ReportExpectation(describing: bucket.report)
        let notes = [
            "Found by \(foundBy), run \(bucket.firstRun); \(bucket.reproducer.count) call(s)"
                + (bucket.isMinimized ? " after minimization." : "."),
            "The report it produced:",
        ] + bucket.report.kernelText.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 } + [
            "It expects no report, so it fails while the bug is there. If the report is the intended",
            "behaviour, document it instead: expect \(suggested)",
        ]
        return Reproducer(title: bucket.title, program: bucket.reproducer, configLines: configLines, expected: [], notes: notes,
                          table: table)
    }

    /// The reproducer of a difference: it runs under the second profile and expects what the
    /// first printed (`reportsOfFirst`), so it fails while the two differ.
    public static func difference(
        _ title: String, program: FuzzProgram, profiles: (String, String), reportsOfFirst: [KernelReport],
        reportsOfSecond: [KernelReport], configLines: [String], table: OpTable
    ) -> Reproducer {
        func listing(_ reports: [KernelReport]) -> [String] {
            guard !reports.isEmpty else { return ["  (no report)"] }
            return reports.map { "  " + $0.title + ($0.byteRange.map { " bytes \($0.first)-\($0.last) of \($0.size)" } ?? "") }
        }
        let notes = ["Under \(profiles.0) it prints:"] + listing(reportsOfFirst) + ["Under \(profiles.1) it prints:"]
            + listing(reportsOfSecond)
            + ["It runs under \(profiles.1) and expects what \(profiles.0) prints, so it fails while they differ."]
        return Reproducer(title: title, program: program, configLines: configLines + ["config profile=\(profiles.1)"],
                          expected: reportsOfFirst, notes: notes, table: table)
    }

    /// The file's text.
    public func text() -> String {
        let comments = (["# " + title] + notes.map { $0.isEmpty ? "#" : "# " + $0 }).joined(separator: "\n")
        let expects = expected.isEmpty ? ["expect no-report"] : expected.map { "expect \(ReportExpectation(describing: $0))" }
        return comments + "\n" + ProgramText(table: table).scenario(program, name: FuzzExecutor.scenarioName,
                                                                     header: configLines + expects)
    }

    /// A file name for `title`: lowercase letters, digits and `_`.
    public static func fileName(for title: String) -> String {
        let mapped = title.lowercased().unicodeScalars.map { s -> Character in
            (s >= "a" && s <= "z") || (s >= "0" && s <= "9") ? Character(s) : "_"
        }
        var name = String(mapped)
        while name.contains("__") { name = name.replacingOccurrences(of: "__", with: "_") }
        return String(name.trimmingCharacters(in: CharacterSet(charactersIn: "_")).prefix(100)) + ".scenario"
    }
}
