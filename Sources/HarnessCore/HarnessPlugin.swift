import KMSAN

/// A plugin: one subsystem implementation (or a driver model), handed to a `Machine` in an
/// explicit list, as swift-log takes its handlers. There is no global registry: every machine
/// gets the plugins it is given, and several machines can run in one process at once.
///
/// A plugin value is a recipe; `makeSubsystem` builds the per-machine state.
public protocol HarnessPlugin: Sendable {
    /// The plugin's name (`page-allocator`, `slub`, ...), for `kmsan-harness ops` and errors.
    var name: String { get }
    /// The subsystem it implements, if any (a driver model may provide only ops).
    var provides: SubsystemKind? { get }
    /// Subsystems it needs from other plugins (the slab needs a page allocator).
    var requires: [SubsystemKind] { get }
    /// The scenario ops it contributes beyond the standard ops of the subsystem it provides
    /// (`StandardOps`, which every provider gets).
    var ops: [ScenarioOp] { get }
    /// Named constants it adds to scenarios (pseudo flags, device constants), beyond
    /// `NamedConstant.core`; new argument kinds are `ScenarioOp.ParameterKind` values of its own.
    var constants: [NamedConstant] { get }
    /// The config keys it reads (`ConfigKey.plugin`), beyond `ConfigKey.core`. Its subsystem
    /// reads their values from `PluginContext.configuration` with `value(of:)`.
    var settings: [ConfigKey] { get }
    /// Builds this plugin's state for one machine; the subsystems it requires are installed.
    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)?
}

extension HarnessPlugin {
    /// No dependencies by default.
    public var requires: [SubsystemKind] { [] }
    /// No ops by default.
    public var ops: [ScenarioOp] { [] }
    /// No constants by default.
    public var constants: [NamedConstant] { [] }
    /// No config keys by default.
    public var settings: [ConfigKey] { [] }
}

/// What a plugin sees while a machine installs it.
public struct PluginContext {
    /// The machine's configuration.
    public let configuration: MachineConfiguration
    /// The machine's KMSAN runtime (and through it, memory and the address space).
    public let runtime: KMSANRuntime
    let installed: [SubsystemKind: any Subsystem]

    /// An installed subsystem of the given kind, cast to its protocol.
    public func subsystem<S>(_ kind: SubsystemKind, as type: S.Type = S.self) -> S? {
        installed[kind] as? S
    }
}
