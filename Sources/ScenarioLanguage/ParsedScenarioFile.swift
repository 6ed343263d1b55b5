/// What `ScenarioParser.parse` returns: the scenarios that parsed cleanly, and every error.
///
/// A scenario with any error (in its own lines, or in a `func` it calls) is left out of
/// `file.scenarios`; the other scenarios of the file are still there and can run.
public struct ParsedScenarioFile: Sendable {
    /// The file, holding only the scenarios and `func`s without errors.
    public var file: ScenarioFile
    /// Every error, sorted by position (line, then column).
    public var diagnostics: [ScenarioDiagnostic]
    /// Names of the scenarios left out because of errors (their own, or a func's they call),
    /// in file order; `(unnamed)` for a block without a name.
    public var namesNotRun: [String]
    /// How many scenarios were left out.
    public var scenariosNotRun: Int { namesNotRun.count }

    /// Creates a result.
    public init(file: ScenarioFile, diagnostics: [ScenarioDiagnostic], namesNotRun: [String] = []) {
        self.file = file
        self.diagnostics = diagnostics
        self.namesNotRun = namesNotRun
    }

    /// Whether the file had any error (the run must then exit non-zero).
    public var hasErrors: Bool { !diagnostics.isEmpty }
}
