import BundledPlugins
import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner

/// Builds syntax trees for runner tests: statements get consecutive lines from 2 (after the
/// `scenario` line) unless a line is given.
struct ScenarioBuilder {
    static let path = "test.scenario"
    var name: String
    var settings = ScenarioSettings()
    var expectations: [Expectation] = []
    var body: [Statement] = []
    var functions: [String: FunctionDecl] = [:]

    init(_ name: String) { self.name = name }

    /// `expect` lines; nil is `expect no-report`. They stand on lines 100, 101, ...
    func expecting(_ reports: ReportExpectation?...) -> ScenarioBuilder {
        var b = self
        b.expectations = reports.enumerated().map { Expectation(report: $1, position: SourcePosition(line: 100 + $0, column: 3)) }
        return b
    }

    /// `config key=value` lines, parsed by the bundled set's keys (a bad line is a bug of the test).
    func configured(_ lines: String...) -> ScenarioBuilder {
        var b = self
        for line in lines {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let key = standardPlugins.configKey(named: parts[0]),
                  case .success(let setting) = key.parse(parts[1]) else { preconditionFailure("bad config line \(line)") }
            b.settings.set(setting)
        }
        return b
    }

    func with(_ statements: Statement...) -> ScenarioBuilder {
        var b = self
        b.body = statements
        return b
    }

    func function(_ f: FunctionDecl) -> ScenarioBuilder {
        var b = self
        b.functions[f.name] = f
        return b
    }

    var scenario: Scenario {
        Scenario(name: name, path: Self.path, position: SourcePosition(line: 1, column: 1), settings: settings,
                 expectations: expectations, body: body, functions: functions)
    }
}

/// The bundled plugin set every built scenario resolves its ops against.
let standardPlugins: PluginSet = {
    do { return try BundledPlugins.pluginSet() } catch { preconditionFailure("\(error)") }
}()

/// The op `name` of the bundled set (a name that is none is a bug of the test).
private func resolvedOp(_ name: String) -> Statement.Target {
    guard let op = standardPlugins.op(named: name) else { preconditionFailure("no op \(name)") }
    return .op(op)
}

/// `rN = op(args)` at `line`.
func op(_ r: Int, _ callee: String, _ args: Operand..., line: Int) -> Statement {
    Statement(result: r, target: resolvedOp(callee), arguments: args, position: SourcePosition(line: line, column: 3))
}

/// `op(args)` at `line`.
func op(_ callee: String, _ args: Operand..., line: Int) -> Statement {
    Statement(result: nil, target: resolvedOp(callee), arguments: args, position: SourcePosition(line: line, column: 3))
}

/// `rN = f(args)` at `line`, calling a `func`.
func call(_ r: Int, _ callee: String, _ args: Operand..., line: Int) -> Statement {
    Statement(result: r, target: .function(callee), arguments: args, position: SourcePosition(line: line, column: 3))
}

/// `f(args)` at `line`, calling a `func`.
func call(_ callee: String, _ args: Operand..., line: Int) -> Statement {
    Statement(result: nil, target: .function(callee), arguments: args, position: SourcePosition(line: line, column: 3))
}

/// `rN`, `rN+off`.
func r(_ n: Int, _ offset: Int64 = 0) -> Operand { .register(n, offset: offset) }
/// A parameter by name.
func p(_ name: String, _ offset: Int64 = 0) -> Operand { .parameter(name, offset: offset) }
/// A literal.
func lit(_ v: UInt64) -> Operand { .literal(v) }
/// A string.
func str(_ s: String) -> Operand { .string(s) }

/// Options with the bundled plugins.
let standardOptions = ScenarioRunOptions(plugins: standardPlugins)

/// Runs a built scenario on a fresh machine.
func run(_ b: ScenarioBuilder, options: ScenarioRunOptions = standardOptions) -> ScenarioResult {
    ScenarioInterpreter(options: options).run(b.scenario)
}

extension ScenarioResult {
    var titles: [String] { reports.map(\.title) }
}
