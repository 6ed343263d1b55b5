import KMSAN
import KernelMemory

/// Interrupt contexts in scenarios: a `func` run as a softirq, a hardirq or an NMI on the
/// current CPU, one armed to arrive inside a runtime hook, and the context predicates.
///
/// The nesting rules are the kernel's: softirqs run on the way out of an interrupt or in
/// ksoftirqd, never inside an interrupt or another softirq; a hardirq may interrupt task or
/// softirq code but not another hardirq (handlers run with interrupts off) or an NMI; an NMI
/// may interrupt anything but an NMI. A refused nesting is a HARNESS `misuse` and the handler
/// does not run. KMSAN's context follows `kmsan_get_context()`: the task's in task context, the
/// CPU's (`kmsan_percpu_ctx`) in softirq and hardirq code, shared unless `config
/// irq-contexts=separate` (google/kmsan#92); nested hardirqs and NMIs count as in the runtime.
extension CoreOps {
    /// Why `kind` may not arrive on `cpu` now, or nil.
    static func refusal(_ kind: InterruptKind, on cpu: KernelCPU) -> String? {
        switch kind {
        case .softirq where !cpu.inTask: "a softirq runs only on the way out of an interrupt, never inside one or another softirq"
        case .hardirq where cpu.hardirqCount > 0 || cpu.nmiCount > 0:
            "a hardirq cannot interrupt a hardirq (handlers run with interrupts off) or an NMI"
        case .nmi where cpu.nmiCount > 0: "an NMI cannot interrupt an NMI"
        default: nil
        }
    }

    /// Runs program func `name` with `arguments` as a handler of `kind`, in its entry frames;
    /// `entering: false` when the CPU is already in that context (an armed interrupt, which the
    /// runtime delivers inside `withInterrupt`).
    static func runHandler(_ kind: InterruptKind, _ name: String, _ arguments: [ShadowedValue], _ inv: OpInvocation,
                           caller: ProgramFunctionCaller?, entering: Bool = true) {
        let (cpu, runtime) = (inv.cpu, inv.runtime)
        guard let caller else {
            runtime.reportHarnessFinding(.misuse, "\(kind): no program to run the handler '\(name)'", on: cpu)
            return
        }
        let sites = ContextFrames.sites(ContextFrames.interrupt(kind), in: runtime.symbols)
        var failure: OpError?
        func nest(_ i: Int) {
            guard i < sites.count else {
                if case .failure(let e) = caller(name, arguments) { failure = e }
                return
            }
            cpu.call(sites[i]) { nest(i + 1) }
        }
        if entering { cpu.withInterrupt(kind) { nest(0) } } else { nest(0) }
        // A handler the program cannot run is the caller's misuse: reported outside the entry frames.
        if let failure { runtime.reportHarnessFinding(.misuse, "\(kind) handler: \(failure.message)", on: cpu) }
    }

    /// The handler name and its arguments of an interrupt op (from argument `first` on). With
    /// a program, the func must exist and take that many arguments: one that cannot run is the
    /// op's misuse, reported in its caller, never inside the entry frames or a hook.
    static func handler(_ inv: OpInvocation, from first: Int) throws(OpError) -> (String, [ShadowedValue]) {
        let name = try inv.string(first)
        var arguments: [ShadowedValue] = []
        for i in (first + 1)..<max(first + 1, inv.arguments.count) { arguments.append(try inv.value(i)) }
        if let program = inv.program {
            guard let count = program.parameterCount(ofFunction: name) else {
                throw OpError("the scenario has no func '\(name)'")
            }
            guard count == arguments.count else {
                throw OpError("\(name) takes \(count) argument(s), got \(arguments.count)")
            }
        }
        return (name, arguments)
    }

    /// `softirq`, `hardirq`, `nmi`, `raise_irq_in_hook` and the predicates.
    static let contexts: [ScenarioOp] = [(InterruptKind.softirq, "softirq"), (.hardirq, "hardirq"), (.nmi, "nmi")].map { kind, op in
        ScenarioOp(op, [.init("handler", .string, resource: .programFunction), .init("arg", .value)], isVariadic: true,
                   returnsValue: false,
                   help: "run func handler(args...) as a \(op) on this CPU (the kernel's nesting rules)") { inv throws(OpError) in
            let (name, arguments) = try handler(inv, from: 0)
            if let why = refusal(kind, on: inv.cpu) {
                inv.runtime.reportHarnessFinding(.misuse, "\(op)(\"\(name)\"): \(why)", on: inv.cpu)
                return nil
            }
            runHandler(kind, name, arguments, inv, caller: inv.callFunction)
            return nil
        }
    } + [
        ScenarioOp("raise_irq_in_hook", [.init("hook", .string, choices: KMSANHook.allCases.map(\.rawValue)),
                                         .init("handler", .string, resource: .programFunction), .init("arg", .value)],
                   isVariadic: true, returnsValue: false,
                   help: "arm a hardirq running func handler(args...) inside the next runtime hook named hook (e.g. __msan_memset)") {
            inv throws(OpError) in
            let hook = try inv.string(0)
            guard KMSANHook(rawValue: hook) != nil else {
                let hooks = KMSANHook.allCases.map(\.rawValue).joined(separator: ", ")
                throw OpError("no runtime hook is called '\(hook)'; the hooks are \(hooks)")
            }
            let (name, arguments) = try handler(inv, from: 1)
            let caller = inv.callFunction
            inv.cpu.pendingInterrupt = PendingInterrupt(hook: hook, kind: .hardirq) {
                runHandler(.hardirq, name, arguments, inv, caller: caller, entering: false)
            }
            return nil
        },
    ] + ContextPredicate.allCases.map { predicate in
        ScenarioOp(predicate.rawValue, [], returnsValue: true, help: "\(predicate.rawValue)(): 1 or 0") { inv throws(OpError) in
            .initialized(predicate.holds(on: inv.cpu) ? 1 : 0, width: .bits32)
        }
    }
}

/// The context predicates of include/linux/preempt.h, as scenario ops.
enum ContextPredicate: String, CaseIterable {
    case inTask = "in_task"
    case inInterrupt = "in_interrupt"
    case inHardirq = "in_hardirq"
    case inSoftirq = "in_softirq"
    case inNMI = "in_nmi"

    /// Whether it holds on `cpu` now.
    func holds(on cpu: KernelCPU) -> Bool {
        switch self {
        case .inTask: cpu.inTask
        case .inInterrupt: !cpu.inTask
        case .inHardirq: cpu.hardirqCount > 0
        case .inSoftirq: cpu.softirqCount > 0
        case .inNMI: cpu.nmiCount > 0
        }
    }
}
