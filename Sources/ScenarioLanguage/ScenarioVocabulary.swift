import HarnessCore

/// The ops and named constants a scenario file may use: what the parser resolves callees and
/// constant names against.
///
/// Build one from the core ops and the plugins a run installs
/// (`ScenarioVocabulary(coreOps: CoreOps.all, plugins: plugins)`), or from explicit lists. When
/// two ops or two constants share a name, the first one listed wins.
public struct ScenarioVocabulary: Sendable {
    /// Every op, in the order given.
    public let ops: [ScenarioOp]
    /// Every named constant, in the order given.
    public let constants: [NamedConstant]
    private let opsByName: [String: ScenarioOp]
    private let constantsByName: [String: NamedConstant]

    /// A vocabulary of exactly these ops and constants.
    public init(ops: [ScenarioOp], constants: [NamedConstant]) {
        self.ops = ops
        self.constants = constants
        var opsByName: [String: ScenarioOp] = [:]
        for op in ops where opsByName[op.name] == nil { opsByName[op.name] = op }
        var constantsByName: [String: NamedConstant] = [:]
        for c in constants where constantsByName[c.name] == nil { constantsByName[c.name] = c }
        self.opsByName = opsByName
        self.constantsByName = constantsByName
    }

    /// `coreOps` plus every plugin's `ops`; `NamedConstant.core` plus every plugin's `constants`.
    public init(coreOps: [ScenarioOp], plugins: [any HarnessPlugin]) {
        self.init(
            ops: coreOps + plugins.flatMap(\.ops),
            constants: NamedConstant.core + plugins.flatMap(\.constants)
        )
    }

    /// The op called `name`, if any.
    public func op(named name: String) -> ScenarioOp? { opsByName[name] }

    /// The constant called `name`, if any.
    public func constant(named name: String) -> NamedConstant? { constantsByName[name] }

    /// Every op name, sorted (for suggestions and listings).
    public var opNames: [String] { opsByName.keys.sorted() }

    /// Every constant name, sorted (for suggestions and listings).
    public var constantNames: [String] { constantsByName.keys.sorted() }
}
