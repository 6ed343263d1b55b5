import KMSAN
import KernelMemory

/// The one owner of a machine's parts: built once from an ordered plugin list, it checks that
/// the plugins fit together and gives out everything derived from them: the installation order
/// and machine recipe, the ops a scenario may call (the core's, then each plugin's), the named
/// constants, the config keys, and the groups `kmsan-harness ops` lists.
///
/// Nothing else indexes ops, constants or keys: the scenario parser resolves each statement to
/// an op of this value, and a machine built from it runs those ops. A name used twice (two
/// plugins, or a plugin and the core) is a `MachineError`, never a silent shadowing.
public struct PluginSet: Sendable {
    /// What one part contributes: the core (`plugin` nil) or one plugin.
    public struct Group: Sendable {
        /// `core` or the plugin's name.
        public let owner: String
        /// The plugin, or nil for the core.
        public let plugin: (any HarnessPlugin)?
        /// Its ops: for a plugin, the standard ops of the subsystem it provides, then its own.
        public let ops: [ScenarioOp]
        /// Its named constants.
        public let constants: [NamedConstant]
        /// Its config keys.
        public let settings: [ConfigKey]
    }

    /// The owner name of the core's group.
    public static let coreOwner = "core"

    /// The plugins as given.
    public let plugins: [any HarnessPlugin]
    /// The plugins in installation order (each after the providers of what it requires).
    public let installationOrder: [any HarnessPlugin]
    /// The core's group first, then one per plugin, in the order given.
    public let groups: [Group]
    /// Every op, in group order.
    public let ops: [ScenarioOp]
    /// Every named constant, in group order.
    public let constants: [NamedConstant]
    /// Every config key, in group order.
    public let configKeys: [ConfigKey]
    private let opIndex: [String: Int]
    private let constantIndex: [String: Int]
    private let keyIndex: [String: Int]

    /// Checks `plugins` and derives everything from them; `coreOps` are the core's own ops
    /// (`CoreOps.all` unless a test hands in others).
    public init(_ plugins: [any HarnessPlugin], coreOps: [ScenarioOp] = CoreOps.all) throws(MachineError) {
        let installationOrder = try Self.installationOrder(plugins)
        var groups = [Group(owner: Self.coreOwner, plugin: nil, ops: coreOps, constants: NamedConstant.core, settings: ConfigKey.core)]
        for plugin in plugins {
            let standard = plugin.provides.map(StandardOps.ops(for:)) ?? []
            groups.append(Group(owner: plugin.name, plugin: plugin, ops: standard + plugin.ops,
                                constants: plugin.constants, settings: plugin.settings))
        }
        func index<T>(_ items: KeyPath<Group, [T]>, name: (T) -> String, clash: (String, [String]) -> MachineError)
            throws(MachineError) -> (all: [T], index: [String: Int]) {
            var all: [T] = [], index: [String: Int] = [:], owners: [String: String] = [:]
            for group in groups {
                for item in group[keyPath: items] {
                    let key = name(item)
                    if let owner = owners[key] { throw clash(key, [owner, group.owner]) }
                    owners[key] = group.owner
                    index[key] = all.count
                    all.append(item)
                }
            }
            return (all, index)
        }
        let ops = try index(\.ops, name: \.name, clash: MachineError.duplicateOp)
        let constants = try index(\.constants, name: \.name, clash: MachineError.duplicateConstant)
        let keys = try index(\.settings, name: \.name, clash: MachineError.duplicateConfigKey)
        self.plugins = plugins
        self.installationOrder = installationOrder
        self.groups = groups
        (self.ops, opIndex) = ops
        (self.constants, constantIndex) = constants
        (configKeys, keyIndex) = keys
    }

    /// The op called `name`, if any.
    public func op(named name: String) -> ScenarioOp? { opIndex[name].map { ops[$0] } }
    /// The named constant called `name`, if any.
    public func constant(named name: String) -> NamedConstant? { constantIndex[name].map { constants[$0] } }
    /// The config key called `name`, if any.
    public func configKey(named name: String) -> ConfigKey? { keyIndex[name].map { configKeys[$0] } }

    /// Every op name, sorted (for suggestions).
    public var opNames: [String] { opIndex.keys.sorted() }
    /// Every constant name, sorted (for suggestions).
    public var constantNames: [String] { constantIndex.keys.sorted() }

    /// The kinds whose constants combine with `|`, in declaration order (for messages).
    public var flagKinds: [ScenarioOp.ParameterKind] {
        var seen: [ScenarioOp.ParameterKind] = []
        for constant in constants where constant.kind.isFlags && !seen.contains(constant.kind) { seen.append(constant.kind) }
        return seen
    }

    /// Boots a machine with these plugins.
    public func makeMachine(
        configuration: MachineConfiguration = MachineConfiguration(), sink: any ReportSink
    ) throws(MachineError) -> Machine {
        try Machine(configuration: configuration, pluginSet: self, sink: sink)
    }

    /// Orders plugins so that each comes after the providers of what it requires.
    static func installationOrder(_ plugins: [any HarnessPlugin]) throws(MachineError) -> [any HarnessPlugin] {
        var providers: [SubsystemKind: String] = [:]
        for plugin in plugins {
            guard let kind = plugin.provides else { continue }
            if let other = providers[kind] { throw .duplicateProvider(kind, plugins: [other, plugin.name]) }
            providers[kind] = plugin.name
        }
        for plugin in plugins {
            for kind in plugin.requires where providers[kind] == nil {
                throw .missingSubsystem(plugin: plugin.name, requires: kind)
            }
        }
        var remaining = plugins, ordered: [any HarnessPlugin] = [], available: Set<SubsystemKind> = []
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { Set($0.requires).isSubset(of: available) }) else {
                throw .dependencyCycle(plugins: remaining.map(\.name))
            }
            let plugin = remaining.remove(at: next)
            if let kind = plugin.provides { available.insert(kind) }
            ordered.append(plugin)
        }
        return ordered
    }
}
