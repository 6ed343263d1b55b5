import Foundation
import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage

/// A corpus on disk, shared by the built-in loop and libFuzzer: one program per file, in the
/// binary encoding (named after a hash of its bytes, as libFuzzer names its own), plus any
/// `.scenario` files, whose op-only scenarios are read as programs.
public struct CorpusFiles: Sendable {
    /// The ops.
    public let table: OpTable

    /// Files over `table`.
    public init(table: OpTable) { self.table = table }

    /// The programs under `paths` (files or folders, searched recursively): scenarios that
    /// call only ops of the table, and binary files (decoded: any bytes are a program). A
    /// scenario that calls a `func` or an op of another plugin is skipped.
    public func load(_ paths: [String]) -> [FuzzProgram] {
        var programs: [FuzzProgram] = []
        let encoding = ProgramBinaryEncoding(table: table)
        let text = ProgramText(table: table)
        for file in Self.files(under: paths) {
            if file.hasSuffix(".scenario") {
                guard let source = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                let parsed = ScenarioParser.parse(source, path: file, plugins: table.plugins)
                for scenario in parsed.file.scenarios {
                    if case .success(let p) = text.program(from: scenario), !p.calls.isEmpty { programs.append(p) }
                }
            } else if let data = FileManager.default.contents(atPath: file) {
                let p = encoding.decode([UInt8](data))
                if !p.calls.isEmpty { programs.append(p) }
            }
        }
        return programs
    }

    /// Writes each program to `folder` in the binary encoding (creating it); returns how many
    /// files are new.
    @discardableResult
    public func save(_ programs: [FuzzProgram], to folder: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let encoding = ProgramBinaryEncoding(table: table)
        var written = 0
        for program in programs {
            let bytes = encoding.encode(program)
            let path = (folder as NSString).appendingPathComponent(Self.name(of: bytes))
            guard !FileManager.default.fileExists(atPath: path) else { continue }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            written += 1
        }
        return written
    }

    /// A file name for `bytes`: 16 hex digits of their FNV-1a hash.
    static func name(of bytes: [UInt8]) -> String { hex16(fnv1a(bytes)) }

    /// Regular files under `paths`, sorted (so loading is deterministic).
    static func files(under paths: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { out.append(path); continue }
            for case let relative as String in fm.enumerator(atPath: path) ?? FileManager.DirectoryEnumerator() {
                let full = (path as NSString).appendingPathComponent(relative)
                var dir: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue, !relative.hasPrefix(".") { out.append(full) }
            }
        }
        return out.sorted()
    }
}
