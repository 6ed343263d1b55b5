import HarnessCore

/// A line and column in a scenario file, both counted from 1 (columns in UTF-8 bytes).
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The line.
    public var line: Int
    /// The column.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Orders by line, then column.
    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// A parsed `.scenario` file: its scenarios and the `func`s they may call.
public struct ScenarioFile: Sendable {
    /// The path as given (printed in diagnostics and verdicts).
    public var path: String
    /// The scenarios, in file order.
    public var scenarios: [Scenario]
    /// The file's `func`s by name.
    public var functions: [String: FunctionDecl]

    /// Creates a file.
    public init(path: String, scenarios: [Scenario], functions: [String: FunctionDecl]) {
        self.path = path
        self.scenarios = scenarios
        self.functions = functions
    }
}

/// One `scenario <name> ... end` block.
public struct Scenario: Sendable {
    /// The name: the bottom frame of every stack inside it.
    public var name: String
    /// The file it came from.
    public var path: String
    /// Where `scenario` stands.
    public var position: SourcePosition
    /// Its `config` lines, resolved.
    public var settings: ScenarioSettings
    /// Its `expect` lines, in order.
    public var expectations: [Expectation]
    /// Its statements.
    public var body: [Statement]
    /// The `func`s of its file, which its statements may call.
    public var functions: [String: FunctionDecl]

    /// Creates a scenario.
    public init(
        name: String, path: String, position: SourcePosition, settings: ScenarioSettings = ScenarioSettings(),
        expectations: [Expectation], body: [Statement], functions: [String: FunctionDecl] = [:]
    ) {
        self.name = name
        self.path = path
        self.position = position
        self.settings = settings
        self.expectations = expectations
        self.body = body
        self.functions = functions
    }

    /// The reports the scenario must produce, in order (empty for `expect no-report`).
    public var expectedReports: [ReportExpectation] { expectations.compactMap(\.report) }
}

/// One `expect` line.
public struct Expectation: Sendable, Equatable {
    /// The report it describes; nil for `expect no-report`.
    public var report: ReportExpectation?
    /// Where `expect` stands.
    public var position: SourcePosition

    /// Creates an expectation.
    public init(report: ReportExpectation?, position: SourcePosition) {
        self.report = report
        self.position = position
    }
}

/// `func <name>(<param>, ...) ... [ret <value>] end`.
public struct FunctionDecl: Sendable {
    /// The name: the frame a call pushes.
    public var name: String
    /// Parameter names, in order.
    public var parameters: [String]
    /// Its statements.
    public var body: [Statement]
    /// `ret <value>`, if any.
    public var returnValue: Operand?
    /// Where `ret` stands, if there is one.
    public var returnPosition: SourcePosition?
    /// Where `func` stands.
    public var position: SourcePosition

    /// Creates a function.
    public init(
        name: String, parameters: [String], body: [Statement], returnValue: Operand? = nil,
        returnPosition: SourcePosition? = nil, position: SourcePosition
    ) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.returnValue = returnValue
        self.returnPosition = returnPosition
        self.position = position
    }
}

/// `[rN =] callee(arg, ...)`: a call of an op or of a `func`, resolved by the parser.
public struct Statement: Sendable {
    /// What a statement calls.
    public enum Target: Sendable {
        /// An op of the plugin set the file was parsed with (the core's or a plugin's).
        case op(ScenarioOp)
        /// A `func` of the file, by name.
        case function(String)
    }

    /// What a statement calls, without the op itself (for comparisons and listings).
    public enum CalleeKind: Sendable, Equatable {
        /// A core or plugin op.
        case op
        /// A `func` of the file.
        case function
    }

    /// The register assigned, if any (`r3` is 3).
    public var result: Int?
    /// The op or `func` called.
    public var target: Target
    /// The arguments.
    public var arguments: [Operand]
    /// Where the statement starts (its frame's call site is this line).
    public var position: SourcePosition

    /// Creates a statement.
    public init(result: Int?, target: Target, arguments: [Operand], position: SourcePosition) {
        self.result = result
        self.target = target
        self.arguments = arguments
        self.position = position
    }

    /// The name called: the op's or the func's.
    public var callee: String {
        switch target {
        case .op(let op): op.name
        case .function(let name): name
        }
    }

    /// Whether it calls an op or a func.
    public var calleeKind: CalleeKind {
        if case .op = target { return .op }
        return .function
    }
}

/// An argument, a `ret` value: what can stand between the parentheses.
public enum Operand: Sendable, Equatable {
    /// A number, or named constants (`GFP_KERNEL|__GFP_ZERO`, `PAGE_SIZE`) resolved to their
    /// value: an initialized value.
    case literal(UInt64)
    /// A double-quoted string.
    case string(String)
    /// `rN` or `rN+OFF` (`rN-OFF`): a register's value plus a byte offset.
    case register(Int, offset: Int64)
    /// A `func` parameter by name, plus a byte offset.
    case parameter(String, offset: Int64)
}
