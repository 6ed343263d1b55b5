import KMSAN
import KernelMemory

/// Several CPUs in one program: `on_cpu` runs a func on another CPU's kworker, `yield` and
/// `flush_cpu` are the yield points of the interleaving, `smp_processor_id` says where code
/// runs. The program's `RunningProgram` decides the order (see `CPUInterleave`); ops
/// invoked without one (a test fixture) report a HARNESS `misuse` and do nothing.
extension CoreOps {
    /// `on_cpu`, `yield`, `flush_cpu` and `smp_processor_id`.
    static let cpus: [ScenarioOp] = [
        ScenarioOp("on_cpu", [.init("cpu", .integer, range: cpuNumbers), .init("func", .string, resource: .programFunction),
                              .init("arg", .value)],
                   isVariadic: true, returnsValue: false,
                   help: "run func(args...) on CPU cpu's kworker: at once if that CPU is idle (the caller goes on when it "
                       + "yields or returns), else after the work queued there") { inv throws(OpError) in
            let cpu = try inv.integer(0)
            let (name, arguments) = try handler(inv, from: 1)
            guard let program = program(inv, "on_cpu") else { return nil }
            if case .failure(let e) = program.start(name, arguments, onCPU: cpu, from: inv.cpu) {
                inv.runtime.reportHarnessFinding(.misuse, "on_cpu(\(cpu), \"\(name)\"): \(e.message)", on: inv.cpu)
            }
            return nil
        },
        ScenarioOp("yield", [], returnsValue: false, checksArgumentsEagerly: false,
                   help: "a yield point: the next CPU with work runs until its own next yield point") { inv throws(OpError) in
            program(inv, "yield")?.yield(from: inv.cpu)
            return nil
        },
        ScenarioOp("flush_cpu", [.init("cpu", .integer, range: cpuNumbers)], returnsValue: false,
                   help: "wait, letting the other CPUs run, until every func started on CPU cpu has returned") {
            inv throws(OpError) in
            let cpu = try inv.integer(0)
            guard let program = program(inv, "flush_cpu") else { return nil }
            if case .failure(let e) = program.flush(cpu: cpu, from: inv.cpu) {
                inv.runtime.reportHarnessFinding(.misuse, "flush_cpu(\(cpu)): \(e.message)", on: inv.cpu)
            }
            return nil
        },
        ScenarioOp("smp_processor_id", [], returnsValue: true, checksArgumentsEagerly: false,
                   help: "the number of the CPU running this code") { inv throws(OpError) in
            .initialized(UInt64(inv.cpu.id), width: .bits32)
        },
    ]

    /// The invocation's program; nil after reporting a HARNESS `misuse` when it has none.
    private static func program(_ inv: OpInvocation, _ op: String) -> (any RunningProgram)? {
        if let program = inv.program { return program }
        inv.runtime.reportHarnessFinding(.misuse, "\(op): no program to schedule (the caller runs on one CPU)", on: inv.cpu)
        return nil
    }
}
