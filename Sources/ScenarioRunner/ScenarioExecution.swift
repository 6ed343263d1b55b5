import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage

/// One resolved scenario executing on one machine: its CPUs (`CPUScheduler`: CPU 0 runs the
/// body, `on_cpu` the others), the machine's call sites of the scenario, and whether execution
/// stopped (a panic, or the nesting cap). Frames are arrays of slots
/// (`ResolvedScenario.Block.slotCount`); nothing is looked up by name.
final class ScenarioExecution {
    typealias Block = ResolvedScenario.Block

    let machine: Machine
    let runtime: KMSANRuntime
    let resolved: ResolvedScenario
    /// The scenario's call sites in this machine's symbol table, by slot.
    private let sites: [CallSite]
    /// The CPUs and which of them runs now.
    private let scheduler: CPUScheduler
    /// The CPU running now.
    private var cpu: KernelCPU { scheduler.current.cpu }
    /// `config interleave=statement`: a yield point after every statement.
    private let yieldsAfterEachStatement: Bool
    /// The frames a kworker runs a work item in (`ContextFrames.kworker`).
    private lazy var workerSites = ContextFrames.sites(ContextFrames.kworker, in: runtime.symbols)
    private var stopped = false
    /// Statements left before the scenario is stopped (`MachineConfiguration.statementBudget`).
    private var budget: Int
    /// Called after each statement of the main block with its index and value.
    var observer: ((Int, ShadowedValue?) -> Void)?

    init(machine: Machine, resolved: ResolvedScenario) {
        self.machine = machine
        self.runtime = machine.runtime
        self.resolved = resolved
        let symbols = machine.runtime.symbols, path = resolved.scenario.path
        self.sites = resolved.sites.map { symbols.site(in: $0.function, file: path, line: $0.line) }
        self.budget = machine.configuration.statementBudget
        self.yieldsAfterEachStatement = machine.configuration.interleave == .statement
        self.scheduler = CPUScheduler(machine: machine, cpu: machine.makeCPU(comm: "kunit_try_catch"))
        scheduler.perform = { [unowned self] work in self.perform(work) }
    }

    /// Executes the scenario in its own frame, lets the other CPUs finish their work, then the
    /// leak check (unless the machine halted or the scenario was stopped before its end).
    func run() {
        let main = resolved.main
        let cpu = self.cpu
        cpu.call(sites[main.headerSite]) {
            var frame = [ShadowedValue?](repeating: nil, count: main.slotCount)
            execute(main, in: &frame)
            // Stops the CPU threads and drops interrupts armed and never delivered (they hold
            // this execution's func caller).
            scheduler.finish()
            guard !runtime.isHalted, !stopped else { return }
            cpu.setCurrentSite(sites[main.headerSite])
            machine.checkLeaks(on: cpu)
        }
    }

    /// Executes a block's statements until the end, a panic or a stop.
    private func execute(_ block: Block, in frame: inout [ShadowedValue?]) {
        let observer = block === resolved.main ? observer : nil
        for (index, step) in block.steps.enumerated() {
            if stopped || runtime.isHalted { return }
            cpu.setCurrentSite(sites[step.site])
            budget -= 1
            guard budget >= 0 else {
                let limit = machine.configuration.statementBudget
                runtime.reportHarnessFinding(
                    .timeout, "the scenario executed \(limit) statements (config max-statements=\(limit)) and was stopped here", on: cpu)
                stopped = true
                return
            }
            let result = execute(step, of: block, in: &frame)
            if let r = step.result { frame[r] = result ?? .initialized(0, width: .bits64) }
            observer?(index, result)
            if yieldsAfterEachStatement { scheduler.yield() }
        }
    }

    /// Runs a func started by `on_cpu` on the CPU holding the baton, in its kworker's frames.
    private func perform(_ work: CPUScheduler.Work) {
        guard !stopped, !runtime.isHalted else { return }
        let cpu = self.cpu, sites = workerSites
        func nest(_ i: Int) {
            guard i < sites.count else {
                _ = call(work.function, work.arguments.map { .value($0) })
                return
            }
            cpu.call(sites[i]) { nest(i + 1) }
        }
        nest(0)
    }

    /// Reports misuse of the scenario language or of an op as HARNESS `misuse` in the current function.
    private func misuse(_ message: String) {
        runtime.reportHarnessFinding(.misuse, message, on: cpu)
    }

    /// Executes one statement; its value (nil for none, or after misuse).
    private func execute(_ step: ResolvedScenario.Step, of block: Block, in frame: inout [ShadowedValue?]) -> ShadowedValue? {
        var arguments: [OpArgument]
        if let constant = step.constantArguments {
            arguments = constant
        } else {
            arguments = []
            arguments.reserveCapacity(step.arguments.count)
            for operand in step.arguments {
                switch evaluate(operand, of: block, in: frame) {
                case .success(let a): arguments.append(a)
                case .failure(let e):
                    misuse("\(step.callee): \(e.message)")
                    return nil
                }
            }
        }
        switch step.target {
        case .op(let op):
            if op.checksArgumentsEagerly, arguments.contains(where: \.isPartlyUninitialized) { arguments = passEagerly(arguments) }
            do {
                return try op.run(OpInvocation(machine: machine, cpu: cpu, arguments: arguments, constants: step.constants,
                                               callFunction: callFunction, program: self))
            } catch {
                misuse("\(op.name): \(error.message)")
                return nil
            }
        case .function(let index):
            return call(resolved.functions[index], arguments)
        case .unknownFunction(let name):
            misuse("unknown func '\(name)'")
            return nil
        }
    }

    /// A `func` of the scenario's file called by a plugin (a callback the program named); the
    /// frame it pushes sits on top of the op's own frames, as a kernel callback's does.
    private func callFunction(_ name: String, _ arguments: [ShadowedValue]) -> Result<ShadowedValue?, OpError> {
        guard let function = function(named: name) else {
            return .failure(OpError("the scenario has no func '\(name)'"))
        }
        return .success(call(function, arguments.map { .value($0) }))
    }

    /// The scenario's func called `name`, if it has one.
    private func function(named name: String) -> Block? {
        resolved.functions.first { $0.name == name }
    }

    /// Passes the value arguments of a call through `passArguments` (eager checks in the caller).
    /// Only called when some argument has shadow: for initialized values it changes nothing.
    private func passEagerly(_ arguments: [OpArgument]) -> [OpArgument] {
        let values = arguments.compactMap { a -> ShadowedValue? in if case .value(let v) = a { v } else { nil } }
        guard !values.isEmpty else { return arguments }
        var passed = runtime.passArguments(values, on: cpu).makeIterator()
        return arguments.map { a in
            guard case .value = a, let v = passed.next() else { return a }
            return .value(v)
        }
    }

    /// An operand's value: a literal is an initialized 64-bit value; a slot plus an offset is an
    /// addition with shadow propagation.
    private func evaluate(_ operand: ResolvedScenario.Operand, of block: Block, in frame: [ShadowedValue?]) -> Result<OpArgument, OpError> {
        switch operand {
        case .value(let v):
            return .success(.value(v))
        case .string(let s):
            return .success(.string(s))
        case .slot(let slot, let offset):
            guard let v = frame[slot] else { return .failure(OpError("\(block.slotNames[slot]) is used before it is assigned")) }
            return .success(.value(offset == 0 ? v : ShadowedValue.add(v, .initialized(UInt64(bitPattern: offset), width: .bits64))))
        case .missingParameter(let name):
            return .failure(OpError("'\(name)' is not a parameter of \(block.name)"))
        }
    }

    /// Calls a `func`: eager checks of the arguments in the caller, then a frame named after
    /// it (at its `func` line), parameters bound, registers fresh; `ret` goes through
    /// `returnValue` in the callee.
    private func call(_ function: Block, _ arguments: [OpArgument]) -> ShadowedValue? {
        let name = function.name
        guard arguments.count == function.parameters.count else {
            misuse("\(name) takes \(function.parameters.count) argument(s), got \(arguments.count)")
            return nil
        }
        var values: [ShadowedValue] = []
        values.reserveCapacity(arguments.count)
        for (i, a) in arguments.enumerated() {
            guard case .value(let v) = a else {
                misuse("\(name): argument \(i + 1) must be a value, not a string")
                return nil
            }
            values.append(v)
        }
        let strand = scheduler.current
        guard strand.depth < ScenarioInterpreter.maxCallDepth else {
            misuse("func calls nested deeper than \(ScenarioInterpreter.maxCallDepth) (calling \(name)): the scenario stops here")
            stopped = true
            return nil
        }
        let passed = values.isEmpty ? [] : runtime.passArguments(values, on: cpu)
        strand.depth += 1
        defer { strand.depth -= 1 }
        return cpu.call(sites[function.headerSite]) { () -> ShadowedValue? in
            var frame = [ShadowedValue?](repeating: nil, count: function.slotCount)
            for (slot, value) in zip(function.parameterSlots, passed) { if let slot { frame[slot] = value } }
            execute(function, in: &frame)
            guard !stopped, !runtime.isHalted, let ret = function.returnValue else { return nil }
            if let site = function.returnSite { cpu.setCurrentSite(sites[site]) }
            switch evaluate(ret, of: function, in: frame) {
            case .success(.value(let v)):
                return runtime.returnValue(v, on: cpu)
            case .success(.string):
                misuse("ret: \(name) cannot return a string")
                return nil
            case .failure(let e):
                misuse("ret: \(e.message)")
                return nil
            }
        }
    }
}

extension ScenarioExecution: RunningProgram {
    /// The parameters of the func called `name`.
    func parameterCount(ofFunction name: String) -> Int? {
        function(named: name)?.parameters.count
    }

    /// `on_cpu`: the func called `name`, checked against its parameters, queued on CPU `n`.
    func start(_ name: String, _ arguments: [ShadowedValue], onCPU n: Int, from caller: KernelCPU) -> Result<Void, OpError> {
        guard let function = function(named: name) else {
            return .failure(OpError("the scenario has no func '\(name)'"))
        }
        guard arguments.count == function.parameters.count else {
            return .failure(OpError("\(name) takes \(function.parameters.count) argument(s), got \(arguments.count)"))
        }
        return scheduler.start(CPUScheduler.Work(function: function, arguments: arguments), onCPU: n)
    }

    /// `yield()`.
    func yield(from caller: KernelCPU) { scheduler.yield() }

    /// `flush_cpu(n)`.
    func flush(cpu n: Int, from caller: KernelCPU) -> Result<Void, OpError> { scheduler.flush(cpu: n) }
}

extension OpArgument {
    /// Whether it is a value with any shadow bit set (what an eager check would look at).
    var isPartlyUninitialized: Bool {
        if case .value(let v) = self { return v.shadow != 0 }
        return false
    }
}
