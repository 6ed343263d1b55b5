import BundledPlugins
import Foundation
import HarnessTesting
import KMSAN
import Testing

/// Documentation/KernelFrames.md lists every kernel frame the bundled plugins push: function,
/// `file:line` and whether it prints `[inline]`. The plugins' site tables own these facts; this
/// test keeps the page in step and, when they drift, prints the rows the page should have.
@Suite struct KernelFramesDocumentationTests {
    /// One frame: the columns the page and the symbol table share.
    struct Row: Hashable, Comparable, CustomStringConvertible {
        var function: String
        var location: String
        var isInlined: Bool

        static func < (a: Row, b: Row) -> Bool { (a.location, a.function) < (b.location, b.function) }
        var description: String { "| `\(function)` | `\(location)` | \(isInlined ? "inline" : "") |" }
    }

    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Documentation/KernelFrames.md").standardized

    /// The table rows of the page: `| `name` | `file:line` | inline-or-empty | ... |`.
    static func documentedRows() throws -> Set<Row> {
        let text = try String(contentsOf: page, encoding: .utf8)
        var rows = Set<Row>()
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 4 else { continue }
            func unquoted(_ cell: String) -> String { cell.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            rows.insert(Row(function: unquoted(cells[1]), location: unquoted(cells[2]), isInlined: cells[3] == "inline"))
        }
        return rows
    }

    /// The frames the bundled plugins intern at set-up, without the harness's own Swift and
    /// scenario sources.
    static func internedKernelRows() throws -> Set<Row> {
        let m = try MachineFixture(plugins: BundledPlugins.all)
        defer { m.shutdown() }
        let rows = m.runtime.symbols.internedSites().compactMap { frame -> Row? in
            guard let location = frame.location, !location.contains(".swift:"), !location.contains(".scenario:")
            else { return nil }
            return Row(function: frame.function, location: location, isInlined: frame.isInlined)
        }
        return Set(rows)
    }

    @Test func thePageListsEveryFrameThePluginsPush() throws {
        let interned = try Self.internedKernelRows()
        let documented = try Self.documentedRows()
        let missing = interned.subtracting(documented).sorted()
        #expect(missing.isEmpty, "rows Documentation/KernelFrames.md lacks:\n\(missing.map(\.description).joined(separator: "\n"))")
    }

    @Test func thePageListsNoFrameThePluginsDoNotPush() throws {
        let interned = try Self.internedKernelRows()
        let documented = try Self.documentedRows()
        #expect(!documented.isEmpty)
        let stale = documented.subtracting(interned).sorted()
        #expect(stale.isEmpty, "rows no plugin pushes:\n\(stale.map(\.description).joined(separator: "\n"))")
    }
}
