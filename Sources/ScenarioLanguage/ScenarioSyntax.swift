/// A name as written, with where it stands (a flag of `A|B`, a parameter).
struct NameRef: Sendable, Equatable {
    /// The name.
    let name: String
    /// Where it stands.
    let position: SourcePosition
}

/// An argument or `ret` value as written, before names are resolved.
struct RawArgument: Sendable, Equatable {
    /// The syntactic form.
    enum Form: Sendable, Equatable {
        /// A number (`4`, `0x10`, `-1`), as its 64-bit pattern, and its text.
        case integer(UInt64, text: String)
        /// A string literal.
        case string(String)
        /// `rN`, `rN+OFF`, `rN-OFF`.
        case register(Int, offset: Int64)
        /// A parameter or constant name, with an offset if one was written.
        case name(String, offset: Int64?)
        /// Two or more names joined by `|`.
        case flags([NameRef])
    }

    /// The form.
    let form: Form
    /// Where the argument starts.
    let position: SourcePosition
}

/// `[rN =] callee(arg, ...)` as written.
struct RawStatement: Sendable {
    /// The register assigned and where it stands.
    let result: (register: Int, position: SourcePosition)?
    /// The op or func called.
    let callee: String
    /// Where the callee's name stands.
    let calleePosition: SourcePosition
    /// The arguments.
    let arguments: [RawArgument]
    /// Where the statement starts.
    let position: SourcePosition
}

/// A `scenario` or `func` block as written: the parser's first pass fills it, the second
/// resolves its statements.
struct RawBlock: Sendable {
    /// What opened the block.
    enum Kind: String, Sendable {
        /// `scenario <name>`.
        case scenario
        /// `func <name>(...)`.
        case function = "func"
    }

    /// What opened the block.
    let kind: Kind
    /// Its name, if the header had one.
    var name: String?
    /// Where the keyword stands.
    let position: SourcePosition
    /// Parameter names (funcs).
    var parameters: [String] = []
    /// Statements, in order.
    var statements: [RawStatement] = []
    /// `ret` value and where `ret` stands (funcs).
    var returnValue: (value: RawArgument, position: SourcePosition)?
    /// Resolved `config` lines (scenarios).
    var settings = ScenarioSettings()
    /// The line of each config key set so far.
    var configLines: [String: Int] = [:]
    /// `expect` lines (scenarios).
    var expectations: [Expectation] = []
    /// Whether any `expect` line was written, valid or not.
    var sawExpect = false
    /// Whether an `expect no-report` line was accepted (kept as a flag: one look per line).
    var sawNoReport = false
    /// Registers assigned by statements that could not be read (not reported as unassigned).
    var unreadAssignments: Set<Int> = []
    /// Whether any error was found in the block (it is then left out).
    var hasErrors = false
    /// Whether this block is the first one of its name (later ones are duplicates).
    var isCanonical = false

    /// `scenario 'x'` / `func 'f'` for messages.
    var title: String { "\(kind.rawValue) '\(ScenarioText.display(name ?? "?"))'" }
}
