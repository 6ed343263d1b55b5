import HarnessCore
import KMSAN
import KernelMemory

/// A small machine (8 MiB, no plugins unless given) that runs core ops by name the way the
/// scenario runner does: inside one function frame (`inFrame`), each op at the call site of
/// its `line`.
final class CoreOpMachine {
    let sink = InMemoryReportSink()
    let machine: Machine
    let cpu: KernelCPU

    init(plugins: [any HarnessPlugin] = [], configure: (inout MachineConfiguration) -> Void = { _ in }) throws {
        var configuration = MachineConfiguration()
        configuration.memorySize = 8 << 20
        configure(&configuration)
        machine = try Machine(configuration: configuration, plugins: plugins, sink: sink)
        cpu = machine.makeCPU(comm: "kunit_try_catch")
    }

    func shutdown() { machine.shutdown() }

    var reports: [KernelReport] { sink.reports }
    var titles: [String] { sink.reports.map(\.title) }

    private var function = "test_fn"

    /// Runs core op `name` at `line` of the current `inFrame` function; with `eager`, its value
    /// arguments go through `passArguments` first when the op checks eagerly.
    @discardableResult
    func op(_ name: String, _ arguments: [OpArgument] = [], line: Int = 1, eager: Bool = true) throws(OpError) -> ShadowedValue? {
        guard let op = CoreOps.op(named: name) else { throw OpError("no core op \(name)") }
        cpu.setCurrentSite(machine.runtime.symbols.site(in: function, file: "test.scenario", line: line))
        var args = arguments
        if eager, op.checksArgumentsEagerly {
            args = args.map { a in
                guard case .value(let v) = a else { return a }
                return .value(machine.runtime.passArguments([v], on: cpu)[0])
            }
        }
        return try op.run(OpInvocation(machine: machine, cpu: cpu, arguments: args))
    }

    /// Runs `body` inside one frame of `function` (so locals live across several ops).
    func inFrame(_ function: String = "test_fn", _ body: () throws -> Void) rethrows {
        self.function = function
        try cpu.call(machine.runtime.symbols.site(in: function, file: "test.scenario", line: 0), body)
    }
}

extension OpArgument {
    static func int(_ v: Int) -> OpArgument { .value(.initialized(UInt64(bitPattern: Int64(v)), width: .bits64)) }
    static func ptr(_ v: ShadowedValue?) -> OpArgument { .value(v ?? .initialized(0)) }
    static func addr(_ a: KernelAddress) -> OpArgument { .value(.pointer(a)) }
}
