import HarnessCore

/// The ops a fuzzer may call, taken from a plugin set's declarations alone: every op of the
/// core and of each installed plugin (a user's plugin is fuzzed as soon as it is in the list),
/// with the named constants of each parameter kind for argument generation.
public struct OpTable: Sendable {
    /// The plugin set the ops come from.
    public let plugins: PluginSet
    /// The ops, in the plugin set's order.
    public let ops: [ScenarioOp]
    /// Named constants by parameter kind name (`gfp` -> GFP_KERNEL, ...).
    let constantsByKind: [String: [NamedConstant]]
    /// Op index by name.
    let indexByName: [String: Int]

    /// The most arguments a call of a variadic op gets.
    public static let maxVariadicArguments = 6
    /// The longest string argument.
    public static let maxStringLength = 32

    /// The ops of `plugins`, optionally only those of the core and the plugins named in
    /// `onlyPlugins` (nil: all).
    public init(_ plugins: PluginSet, onlyPlugins: Set<String>? = nil) {
        self.plugins = plugins
        var ops: [ScenarioOp] = []
        func included(_ owner: String) -> Bool {
            owner == PluginSet.coreOwner || (onlyPlugins?.contains(owner) ?? true)
        }
        for group in plugins.groups where included(group.owner) {
            ops.append(contentsOf: group.ops)
        }
        self.ops = ops
        constantsByKind = Dictionary(grouping: plugins.constants, by: { $0.kind.name })
        indexByName = Dictionary(ops.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The index of the op named `name`, if the table has it.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// Why `program` does not fit this table, or nil if it does.
    public func validate(_ program: FuzzProgram) -> String? {
        for (i, call) in program.calls.enumerated() {
            guard ops.indices.contains(call.op) else { return "call \(i): no op \(call.op)" }
            let op = ops[call.op]
            let n = op.parameters.count
            guard call.arguments.count == n || (op.isVariadic && call.arguments.count >= n
                  && call.arguments.count <= n + Self.maxVariadicArguments) else {
                return "call \(i): \(op.name) takes \(n) argument(s), got \(call.arguments.count)"
            }
            for (j, argument) in call.arguments.enumerated() {
                let kind = j < n ? op.parameters[j].kind : op.parameters.last?.kind ?? .value
                switch argument {
                case .string(let s):
                    guard kind.role == .string, Self.isValidString(s) else {
                        return "call \(i): argument \(j + 1) is not a valid string"
                    }
                case .literal, .result:
                    guard kind.role != .string else { return "call \(i): argument \(j + 1) must be a string" }
                    if case .result(let r, _) = argument {
                        guard r >= 0, r < i, ops[program.calls[r].op].returnsValue else {
                            return "call \(i): argument \(j + 1) refers to r\(r), which no earlier call defines"
                        }
                    }
                }
            }
        }
        return nil
    }

    /// Whether `s` is a string argument the generator could have made.
    static func isValidString(_ s: String) -> Bool {
        s.utf8.count <= maxStringLength && s.utf8.allSatisfy { ProgramBinaryEncoding.alphabet.contains($0) }
    }
}
