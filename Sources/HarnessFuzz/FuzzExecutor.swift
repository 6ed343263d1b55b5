import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage
import ScenarioRunner

/// Runs programs on one reused machine: booted once, saved, and restored before each run to
/// exactly its state after boot (`Machine.restoreState`), so a run prints what it would print
/// on a freshly booted machine. A plugin set with a subsystem that cannot save its state gets
/// a fresh machine per run instead (slower, the same results).
///
/// Not thread-safe: one executor per thread (`--jobs` gives each worker its own).
public final class FuzzExecutor {
    /// The ops.
    public let table: OpTable
    /// The configuration every machine boots with.
    public let configuration: MachineConfiguration
    /// The name of the scenario a program runs as: the bottom frame of every stack, and the
    /// function of most report titles.
    public static let scenarioName = "fuzz_prog"
    /// The path its frames print.
    public static let path = "fuzz.scenario"
    /// Statement lines whose call sites exist before a run starts (longer programs intern the
    /// rest as they run).
    static let preinternedLines = 258
    /// The line the handler library starts at in every run, past any program's statements, so
    /// its sites are the same whatever the program's length (a reproducer's text lists it
    /// after its scenario instead: its frames print other lines there).
    static let handlerLine = preinternedLines + 2

    private let sink = InMemoryReportSink()
    /// `FuzzHandlers`, parsed once, starting at `handlerLine`.
    private let handlers: [String: FunctionDecl]
    private var machine: Machine?
    private var snapshot: Machine.Snapshot?

    /// What one run did.
    public struct Outcome: Sendable {
        /// The reports, in order.
        public var reports: [KernelReport]
        /// Hashes of what the run covered: (op, kind of result) per call, pairs of neighbouring
        /// ops, and the title of every report.
        public var signal: Set<UInt64>
    }

    /// An executor booting machines with `configuration` and the table's plugins.
    public init(table: OpTable, configuration: MachineConfiguration = MachineConfiguration()) throws(MachineError) {
        self.table = table
        self.configuration = configuration
        let machine = try table.plugins.makeMachine(configuration: configuration, sink: sink)
        // The sites a program's statements get, interned before the state is saved, in the
        // order a fresh machine interns them (header line 1, then line 2, 3, ...): each run then
        // finds them instead of copying the symbol table to add them, and the addresses are
        // the ones a fresh boot gives.
        for line in 1...Self.preinternedLines {
            _ = machine.runtime.symbols.site(in: Self.scenarioName, file: Self.path, line: line)
        }
        // So are the contexts' frames and the handler library's sites, at the line it runs at.
        ContextFrames.intern(in: machine.runtime.symbols)
        let handlers = FuzzHandlers.functions(plugins: table.plugins, path: Self.path, firstLine: Self.handlerLine)
        self.handlers = handlers
        let callsEveryHandler = FuzzHandlers.names.map { name in
            Statement(result: nil, target: .function(name), arguments: [], position: SourcePosition(line: 1, column: 3))
        }
        ResolvedScenario(Scenario(name: Self.scenarioName, path: Self.path, position: SourcePosition(line: 1, column: 1),
                                  expectations: [], body: callsEveryHandler, functions: handlers)).internSites(on: machine)
        if let snapshot = machine.saveState() {
            self.machine = machine
            self.snapshot = snapshot
        } else {
            machine.shutdown()
        }
    }

    deinit { machine?.shutdown() }

    /// Whether machines are restored rather than booted for each run.
    public var restoresMachines: Bool { snapshot != nil }

    /// The scenario `program` runs as (statement `i` on line `i + 2`).
    public func scenario(_ program: FuzzProgram) -> Scenario {
        let statements = program.calls.enumerated().map { i, call -> Statement in
            let op = table.ops[call.op]
            let operands = call.arguments.map { argument -> Operand in
                switch argument {
                case .literal(let v): .literal(v)
                case .string(let s): .string(s)
                case .result(let r, let offset): .register(r, offset: offset)
                }
            }
            return Statement(result: op.returnsValue ? i : nil, target: .op(op), arguments: operands,
                             position: SourcePosition(line: i + 2, column: 3))
        }
        let functions = FuzzHandlers.used(by: program) ? handlers : [:]
        return Scenario(name: Self.scenarioName, path: Self.path, position: SourcePosition(line: 1, column: 1),
                        expectations: [], body: statements, functions: functions)
    }


    /// Runs `program` (which must be valid for the table) and returns its reports and signal.
    public func run(_ program: FuzzProgram) -> Outcome {
        let resolved = ResolvedScenario(scenario(program))
        var signal = Set<UInt64>()
        var previous: UInt64 = 0xffff
        let observe: (Int, ShadowedValue?) -> Void = { [table] index, value in
            let op = UInt64(program.calls[index].op)
            signal.insert(op << 8 | Self.resultClass(value, returnsValue: table.ops[Int(op)].returnsValue))
            signal.insert(1 << 62 | previous << 20 | op)
            previous = op
        }
        let reports: [KernelReport]
        if let machine, let snapshot {
            machine.restoreState(snapshot)
            resolved.run(on: machine, observe: observe)
            reports = sink.drain()
        } else {
            let fresh = InMemoryReportSink()
            if let machine = try? table.plugins.makeMachine(configuration: configuration, sink: fresh) {
                resolved.run(on: machine, observe: observe)
                machine.shutdown()
            }
            reports = fresh.drain()
        }
        var all = reports
        if let machine { all += Self.invariantReports(machine) }
        for report in all { signal.insert(1 << 63 | Self.hash(report.title)) }
        return Outcome(reports: all, signal: signal)
    }

    /// A `WARNING: plugin-invariant` per subsystem whose invariants a run broke
    /// (`InvariantChecking`), so that the campaign files it like any finding.
    static func invariantReports(_ machine: Machine) -> [KernelReport] {
        machine.plugins.compactMap { plugin -> KernelReport? in
            guard let checker = machine.state(ofPlugin: plugin.name, as: (any InvariantChecking).self),
                  let first = checker.invariantViolations().first else { return nil }
            let frame = machine.runtime.symbols.symbolize(
                machine.runtime.symbols.site(in: "\(SymbolTable.cIdentifier(plugin.name))_invariants").address)
            return KernelReport(tool: .warning, bugType: WarningKind.pluginInvariant.rawValue, headerFrame: frame, stack: [frame],
                                message: ["\(plugin.name): \(first)"], cpu: 0, pid: 0, comm: "fuzz",
                                release: machine.runtime.options.kernelRelease)
        }
    }

    /// The kind of value a call returned: none, zero, another initialized value, partly or
    /// wholly uninitialized (a metadata state the coverage signal tells apart).
    static func resultClass(_ value: ShadowedValue?, returnsValue: Bool) -> UInt64 {
        guard returnsValue, let value else { return 0 }
        if value.shadow == 0 { return value.value == 0 ? 1 : 2 }
        return value.shadow == ~0 ? 4 : 3
    }

    /// FNV-1a of a string, as a signal element.
    static func hash(_ s: String) -> UInt64 { fnv1a(s) & ~(3 << 62) }
}
