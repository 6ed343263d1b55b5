import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage

/// One scenario executing on one machine: the CPU, the frames of the `func`s being run, and
/// whether execution stopped (a panic, or the nesting cap).
final class ScenarioExecution {
    /// The registers and parameters of one frame (the scenario's, or one `func` call's).
    struct Frame {
        /// The function the frame belongs to (its call sites are interned in it).
        let function: String
        /// `rN` values assigned so far.
        var registers: [Int: ShadowedValue] = [:]
        /// Parameter values, by name.
        let parameters: [String: ShadowedValue]
    }

    let machine: Machine
    let runtime: KMSANRuntime
    let cpu: KernelCPU
    let scenario: Scenario
    private var depth = 0
    private var stopped = false

    init(machine: Machine, scenario: Scenario) {
        self.machine = machine
        self.runtime = machine.runtime
        self.cpu = machine.makeCPU(comm: "kunit_try_catch")
        self.scenario = scenario
    }

    /// The call site of `function` at `line` of the scenario's file.
    private func site(_ function: String, line: Int) -> CallSite {
        runtime.symbols.site(in: function, file: scenario.path, line: line)
    }

    /// Executes the scenario in its own frame, then the leak check (unless the machine halted).
    func run() {
        cpu.call(site(scenario.name, line: scenario.position.line)) {
            var frame = Frame(function: scenario.name, parameters: [:])
            execute(scenario.body, in: &frame)
            guard !runtime.isHalted else { return }
            cpu.setCurrentSite(site(scenario.name, line: scenario.position.line))
            machine.checkLeaks(on: cpu)
        }
    }

    /// Executes statements until the end, a panic or a stop.
    private func execute(_ body: [Statement], in frame: inout Frame) {
        for statement in body {
            if stopped || runtime.isHalted { return }
            cpu.setCurrentSite(site(frame.function, line: statement.position.line))
            let result = execute(statement, in: &frame)
            if let r = statement.result { frame.registers[r] = result ?? .initialized(0, width: .bits64) }
        }
    }

    /// Reports misuse of the scenario language or of an op as HARNESS `misuse` in the current function.
    private func misuse(_ message: String) {
        runtime.reportHarnessFinding(.misuse, message, on: cpu)
    }

    /// Executes one statement; its value (nil for none, or after misuse).
    private func execute(_ statement: Statement, in frame: inout Frame) -> ShadowedValue? {
        var arguments: [OpArgument] = []
        arguments.reserveCapacity(statement.arguments.count)
        for operand in statement.arguments {
            switch evaluate(operand, in: frame) {
            case .success(let a): arguments.append(a)
            case .failure(let e):
                misuse("\(statement.callee): \(e.message)")
                return nil
            }
        }
        // Core ops first, then the machine's plugins' ops (the parser's vocabulary has the same order).
        let op = statement.calleeKind == .op ? CoreOps.op(named: statement.callee) ?? machine.op(named: statement.callee) : nil
        guard let op else {
            if statement.calleeKind == .function || scenario.functions[statement.callee] != nil {
                return call(statement.callee, arguments)
            }
            misuse("unknown op '\(statement.callee)' (no core op, and no plugin of this machine contributes it)")
            return nil
        }
        if op.checksArgumentsEagerly { arguments = passEagerly(arguments) }
        do {
            return try op.run(OpInvocation(machine: machine, cpu: cpu, arguments: arguments))
        } catch {
            misuse("\(op.name): \(error.message)")
            return nil
        }
    }

    /// Passes the value arguments of a call through `passArguments` (eager checks in the caller).
    private func passEagerly(_ arguments: [OpArgument]) -> [OpArgument] {
        let values = arguments.compactMap { a -> ShadowedValue? in if case .value(let v) = a { v } else { nil } }
        guard !values.isEmpty else { return arguments }
        var passed = runtime.passArguments(values, on: cpu).makeIterator()
        return arguments.map { a in
            guard case .value = a, let v = passed.next() else { return a }
            return .value(v)
        }
    }

    /// An operand's value: a literal is an initialized 64-bit value; a register or parameter
    /// plus an offset is an addition with shadow propagation.
    private func evaluate(_ operand: Operand, in frame: Frame) -> Result<OpArgument, OpError> {
        switch operand {
        case .literal(let v):
            return .success(.value(.initialized(v, width: .bits64)))
        case .string(let s):
            return .success(.string(s))
        case .register(let n, let offset):
            guard let v = frame.registers[n] else { return .failure(OpError("r\(n) is used before it is assigned")) }
            return .success(.value(Self.offset(v, by: offset)))
        case .parameter(let name, let offset):
            guard let v = frame.parameters[name] else { return .failure(OpError("'\(name)' is not a parameter of \(frame.function)")) }
            return .success(.value(Self.offset(v, by: offset)))
        }
    }

    private static func offset(_ v: ShadowedValue, by offset: Int64) -> ShadowedValue {
        offset == 0 ? v : ShadowedValue.add(v, .initialized(UInt64(bitPattern: offset), width: .bits64))
    }

    /// Calls a `func`: eager checks of the arguments in the caller, then a frame named after
    /// it (at its `func` line), parameters bound, registers fresh; `ret` goes through
    /// `returnValue` in the callee.
    private func call(_ name: String, _ arguments: [OpArgument]) -> ShadowedValue? {
        guard let function = scenario.functions[name] else {
            misuse("unknown func '\(name)'")
            return nil
        }
        guard arguments.count == function.parameters.count else {
            misuse("\(name) takes \(function.parameters.count) argument(s), got \(arguments.count)")
            return nil
        }
        var values: [ShadowedValue] = []
        for (i, a) in arguments.enumerated() {
            guard case .value(let v) = a else {
                misuse("\(name): argument \(i + 1) must be a value, not a string")
                return nil
            }
            values.append(v)
        }
        guard depth < ScenarioInterpreter.maxCallDepth else {
            misuse("func calls nested deeper than \(ScenarioInterpreter.maxCallDepth) (calling \(name)): the scenario stops here")
            stopped = true
            return nil
        }
        let passed = runtime.passArguments(values, on: cpu)
        depth += 1
        defer { depth -= 1 }
        return cpu.call(site(function.name, line: function.position.line)) { () -> ShadowedValue? in
            var frame = Frame(function: function.name,
                              parameters: Dictionary(zip(function.parameters, passed), uniquingKeysWith: { a, _ in a }))
            execute(function.body, in: &frame)
            guard !stopped, !runtime.isHalted, let ret = function.returnValue else { return nil }
            if let position = function.returnPosition { cpu.setCurrentSite(site(function.name, line: position.line)) }
            switch evaluate(ret, in: frame) {
            case .success(.value(let v)):
                return runtime.returnValue(v, on: cpu)
            case .success(.string):
                misuse("ret: \(function.name) cannot return a string")
                return nil
            case .failure(let e):
                misuse("ret: \(e.message)")
                return nil
            }
        }
    }
}
