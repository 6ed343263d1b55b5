import Foundation
import HarnessCore
import ScenarioLanguage

/// The scenarios of a run: `.scenario` files found under the given paths, parsed, filtered.
///
/// A directory contributes every `*.scenario` below it, recursively; all files are sorted by
/// path so runs are deterministic. A path that does not exist or cannot be read is a
/// diagnostic of that path (`path:1:1: error: ...`), like a parse error: the rest still runs.
public struct ScenarioSuite: Sendable {
    /// One file: the scenarios that parsed cleanly (after the filter), resolved, and its errors.
    public struct File: Sendable {
        /// The path as found.
        public var path: String
        /// Its scenarios without errors, in file order, after the name filter, resolved.
        public var scenarios: [ResolvedScenario]
        /// Its errors (parse errors, or why it could not be read).
        public var diagnostics: [ScenarioDiagnostic]
        /// Names of its scenarios left out because of errors.
        public var namesNotRun: [String]
        /// How many were left out.
        public var notRun: Int { namesNotRun.count }

        /// Creates a file entry.
        public init(path: String, scenarios: [ResolvedScenario], diagnostics: [ScenarioDiagnostic], namesNotRun: [String] = []) {
            self.path = path
            self.scenarios = scenarios
            self.diagnostics = diagnostics
            self.namesNotRun = namesNotRun
        }
    }

    /// The files, sorted by path (unreadable paths included, with their diagnostic).
    public var files: [File]

    /// Creates a suite from files.
    public init(files: [File]) { self.files = files }

    /// Every scenario to run, in file order.
    public var scenarios: [ResolvedScenario] { files.flatMap(\.scenarios) }
    /// Every diagnostic, in file order.
    public var diagnostics: [ScenarioDiagnostic] { files.flatMap(\.diagnostics) }
    /// Scenarios left out because of errors in their files.
    public var notRun: Int { files.reduce(0) { $0 + $1.notRun } }

    /// Finds, reads and parses the `.scenario` files under `paths` against `plugins`, keeping
    /// only scenarios whose name contains `filter` (all if nil or empty).
    public static func load(paths: [String], plugins: PluginSet, filter: String? = nil) -> ScenarioSuite {
        var files: [File] = []
        for found in scenarioPaths(under: paths) {
            let path = canonicalPath(found)
            guard let data = FileManager.default.contents(atPath: found) else {
                files.append(File(path: path, scenarios: [], diagnostics: [unreadable(path)]))
                continue
            }
            files.append(parse(bytes: [UInt8](data), path: path, plugins: plugins, filter: filter))
        }
        return ScenarioSuite(files: files)
    }

    /// Parses one file's text (no file system involved) into a suite entry.
    public static func parse(bytes: [UInt8], path: String, plugins: PluginSet, filter: String? = nil) -> File {
        let parsed = ScenarioParser.parse(bytes: bytes, path: path, plugins: plugins)
        var scenarios = parsed.file.scenarios
        if let filter, !filter.isEmpty { scenarios = scenarios.filter { $0.name.contains(filter) } }
        return File(path: path, scenarios: scenarios.map(ResolvedScenario.init), diagnostics: parsed.diagnostics,
                    namesNotRun: parsed.namesNotRun)
    }

    /// `path` as reports print it, whatever its spelling: relative to the current directory
    /// when it lies below it (`./Harnesses/x`, `Harnesses/x` and the absolute path are all
    /// `Harnesses/x`), else absolute and standardized. Frame offsets are derived from it, so
    /// one scenario prints one text.
    public static func canonicalPath(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let prefix = here.hasSuffix("/") ? here : here + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
    }

    /// The files named by `paths`: files as given (whatever their extension), directories
    /// searched recursively for `*.scenario`; sorted, without duplicates. A path that does not
    /// exist is kept, so that loading reports it.
    public static func scenarioPaths(under paths: [String]) -> [String] {
        let fm = FileManager.default
        var found = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                found.insert(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard let walker = fm.enumerator(atPath: path) else {
                found.insert(path)
                continue
            }
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".scenario") { found.insert(base + "/" + relative) }
            }
        }
        return found.sorted()
    }

    private static func unreadable(_ path: String) -> ScenarioDiagnostic {
        var isDirectory: ObjCBool = false
        let why = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            ? "no such file or directory" : (isDirectory.boolValue ? "cannot read directory" : "cannot read file")
        return ScenarioDiagnostic(path: path, position: SourcePosition(line: 1, column: 1), message: why)
    }
}
