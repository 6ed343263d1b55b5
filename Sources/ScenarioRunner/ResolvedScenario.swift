import HarnessCore
import KMSAN
import ScenarioLanguage

/// A scenario resolved once for execution: every statement holds its op (already resolved by
/// the parser) or the index of the `func` it calls, every register and parameter a slot of
/// its frame, every literal its shadowed value, and every call site a slot of a site table.
/// Nothing is looked up by name while it runs.
///
/// It does not depend on a machine: call sites are interned into a machine's symbol table in
/// one pass when a run starts (`SiteTable`), so one resolved scenario runs on many machines, one
/// after another or at once (`swift test`, the fuzzer, `run` over a suite).
public struct ResolvedScenario: Sendable {
    /// The scenario as parsed.
    public let scenario: Scenario
    /// The scenario's own body.
    let main: Block
    /// Every `func` a statement may call, by index.
    let functions: [Block]
    /// The call sites of the scenario, by slot: (function, line) in the scenario's file.
    let sites: [SiteKey]

    /// A function of the simulated kernel at one line of the scenario's file.
    struct SiteKey: Hashable, Sendable {
        /// The frame's function (the scenario's or a func's name).
        let function: String
        /// The line.
        let line: Int
    }

    /// An operand, resolved.
    enum Operand: Sendable {
        /// A literal: an initialized 64-bit value.
        case value(ShadowedValue)
        /// A string literal.
        case string(String)
        /// A register or parameter slot of the frame, plus a byte offset (`Block.slotNames` has
        /// its name, for messages).
        case slot(Int, offset: Int64)
        /// A parameter the frame does not have (only a hand-built syntax tree has one).
        case missingParameter(String)
    }

    /// An op as a statement calls it: what the run needs of it, in one object, so that a step
    /// costs one reference count on the hot path and not one per field of `ScenarioOp`.
    final class OpCall: Sendable {
        /// The op's name, for messages.
        let name: String
        /// Whether its value arguments go through the eager check.
        let checksArgumentsEagerly: Bool
        /// Runs it.
        let run: @Sendable (OpInvocation) throws(OpError) -> ShadowedValue?

        init(_ op: ScenarioOp) {
            name = op.name
            checksArgumentsEagerly = op.checksArgumentsEagerly
            run = op.run
        }
    }

    /// What a statement calls.
    enum Target: Sendable {
        /// An op.
        case op(OpCall)
        /// A `func` by index in `functions`.
        case function(Int)
        /// A `func` the file does not define (only a hand-built syntax tree has one).
        case unknownFunction(String)
    }

    /// A statement, resolved (a class: executing it copies nothing).
    final class Step: Sendable {
        /// What it calls.
        let target: Target
        /// The name called, for messages.
        let callee: String
        /// Its arguments.
        let arguments: [Operand]
        /// The arguments already evaluated, when every one is a literal (no work per run).
        let constantArguments: [OpArgument]?
        /// Which arguments are literals (LLVM's IR constants).
        let constants: ConstantArguments
        /// The slot its result goes to, if it assigns one.
        let result: Int?
        /// Its call site's slot.
        let site: Int

        init(target: Target, callee: String, arguments: [Operand], constantArguments: [OpArgument]?, result: Int?, site: Int) {
            self.target = target
            self.callee = callee
            self.arguments = arguments
            self.constantArguments = constantArguments
            self.constants = arguments.indices.reduce(into: []) { set, i in
                if case .value = arguments[i] { set.insert(.argument(i)) }
            }
            self.result = result
            self.site = site
        }
    }

    /// A scenario body or a `func`, resolved (a class: calling it copies nothing).
    final class Block: Sendable {
        /// Its name: the frame it runs in.
        let name: String
        /// The site of its header line (`scenario` or `func`).
        let headerSite: Int
        /// Parameter names, in order.
        let parameters: [String]
        /// The slot each parameter binds (nil for a repeated name: the first one wins).
        let parameterSlots: [Int?]
        /// Its statements.
        let steps: [Step]
        /// The name of each slot (`p`, `r3`), for messages: parameters, then registers.
        let slotNames: [String]
        /// Slots a frame needs.
        var slotCount: Int { slotNames.count }
        /// `ret` value, if any.
        let returnValue: Operand?
        /// The site of the `ret` line, if any.
        let returnSite: Int?

        init(
            name: String, headerSite: Int, parameters: [String], parameterSlots: [Int?], steps: [Step], slotNames: [String],
            returnValue: Operand?, returnSite: Int?
        ) {
            self.name = name
            self.headerSite = headerSite
            self.parameters = parameters
            self.parameterSlots = parameterSlots
            self.steps = steps
            self.slotNames = slotNames
            self.returnValue = returnValue
            self.returnSite = returnSite
        }
    }

    /// Resolves `scenario` and the funcs of its file.
    public init(_ scenario: Scenario) {
        var resolver = Resolver(scenario: scenario)
        self.scenario = scenario
        main = resolver.block(name: scenario.name, headerLine: scenario.position.line, parameters: [], body: scenario.body,
                              returnValue: nil, returnLine: nil)
        functions = resolver.functionBlocks()
        sites = resolver.sites
    }
}

/// Builds the blocks of a `ResolvedScenario`.
private struct Resolver {
    let scenario: Scenario
    /// Func names in a stable order, and their indices.
    let functionNames: [String]
    let functionIndex: [String: Int]
    var sites: [ResolvedScenario.SiteKey] = []
    var siteIndex: [ResolvedScenario.SiteKey: Int] = [:]

    init(scenario: Scenario) {
        self.scenario = scenario
        functionNames = Self.reachableFunctions(of: scenario)
        functionIndex = Dictionary(uniqueKeysWithValues: functionNames.enumerated().map { ($1, $0) })
    }

    /// The funcs the scenario's body reaches through calls, or names in a string argument (a
    /// callback a plugin may call: a URB's completion handler), sorted by name: the only ones
    /// worth resolving (a file's other funcs never run in this scenario, and their sites need no
    /// interning).
    static func reachableFunctions(of scenario: Scenario) -> [String] {
        var seen = Set<String>(), pending: [[Statement]] = [scenario.body]
        while let body = pending.popLast() {
            for statement in body {
                var names: [String] = []
                if case .function(let name) = statement.target { names.append(name) }
                for case .string(let s) in statement.arguments where scenario.functions[s] != nil { names.append(s) }
                for name in names {
                    guard let f = scenario.functions[name], seen.insert(name).inserted else { continue }
                    pending.append(f.body)
                }
            }
        }
        return seen.sorted()
    }

    mutating func site(_ function: String, _ line: Int) -> Int {
        let key = ResolvedScenario.SiteKey(function: function, line: line)
        if let i = siteIndex[key] { return i }
        siteIndex[key] = sites.count
        sites.append(key)
        return sites.count - 1
    }

    mutating func functionBlocks() -> [ResolvedScenario.Block] {
        functionNames.compactMap { name in
            scenario.functions[name].map { f in
                block(name: f.name, headerLine: f.position.line, parameters: f.parameters, body: f.body,
                      returnValue: f.returnValue, returnLine: f.returnPosition?.line)
            }
        }
    }

    /// The op arguments of literal operands, or nil if any operand needs a frame.
    static func constant(_ operands: [ResolvedScenario.Operand]) -> [OpArgument]? {
        var arguments: [OpArgument] = []
        for operand in operands {
            switch operand {
            case .value(let v): arguments.append(.value(v))
            case .string(let s): arguments.append(.string(s))
            case .slot, .missingParameter: return nil
            }
        }
        return arguments
    }

    mutating func block(
        name: String, headerLine: Int, parameters: [String], body: [Statement], returnValue: ScenarioLanguage.Operand?,
        returnLine: Int?
    ) -> ResolvedScenario.Block {
        var slots: [String: Int] = [:]
        var parameterSlots: [Int?] = []
        var names: [String] = []
        for p in parameters {
            if slots[p] == nil {
                slots[p] = slots.count
                parameterSlots.append(slots[p])
                names.append(p)
            } else {
                parameterSlots.append(nil)
            }
        }
        var registers: [Int: Int] = [:]
        func register(_ n: Int) -> Int {
            if let s = registers[n] { return s }
            let s = slots.count + registers.count
            registers[n] = s
            names.append("r\(n)")
            return s
        }
        func operand(_ o: ScenarioLanguage.Operand) -> ResolvedScenario.Operand {
            switch o {
            case .literal(let v): .value(.initialized(v, width: .bits64))
            case .string(let s): .string(s)
            case .register(let n, let offset): .slot(register(n), offset: offset)
            case .parameter(let p, let offset): slots[p].map { .slot($0, offset: offset) } ?? .missingParameter(p)
            }
        }
        let header = site(name, headerLine)
        var steps: [ResolvedScenario.Step] = []
        steps.reserveCapacity(body.count)
        for statement in body {
            let target: ResolvedScenario.Target
            switch statement.target {
            case .op(let op): target = .op(ResolvedScenario.OpCall(op))
            case .function(let f): target = functionIndex[f].map { .function($0) } ?? .unknownFunction(f)
            }
            let arguments = statement.arguments.map(operand)
            steps.append(ResolvedScenario.Step(
                target: target, callee: statement.callee, arguments: arguments, constantArguments: Self.constant(arguments),
                result: statement.result.map(register), site: site(name, statement.position.line)))
        }
        let ret = returnValue.map(operand)
        return ResolvedScenario.Block(
            name: name, headerSite: header, parameters: parameters, parameterSlots: parameterSlots, steps: steps, slotNames: names,
            returnValue: ret, returnSite: returnLine.map { site(name, $0) })
    }
}
