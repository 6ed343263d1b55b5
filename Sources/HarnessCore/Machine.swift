import KMSAN
import KernelMemory

/// Why a machine could not be built.
public enum MachineError: Error, Equatable, CustomStringConvertible {
    /// Simulated memory could not be set up.
    case memory(MemoryConfigurationError)
    /// A plugin requires a subsystem no plugin in the list provides.
    case missingSubsystem(plugin: String, requires: SubsystemKind)
    /// Two plugins provide the same subsystem.
    case duplicateProvider(SubsystemKind, plugins: [String])
    /// Plugins require each other in a cycle.
    case dependencyCycle(plugins: [String])
    /// Two plugins (or a plugin and the core) contribute an op of the same name.
    case duplicateOp(String, plugins: [String])
    /// Two plugins (or a plugin and the core) declare a named constant of the same name.
    case duplicateConstant(String, plugins: [String])
    /// Two plugins (or a plugin and the core) declare a config key of the same name.
    case duplicateConfigKey(String, plugins: [String])
    /// A plugin refused to install.
    case pluginFailed(plugin: String, message: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .memory(let e): "memory: \(e)"
        case .missingSubsystem(let p, let k): "plugin '\(p)' requires the \(k) subsystem, which no plugin in the list provides"
        case .duplicateProvider(let k, let ps): "the \(k) subsystem is provided by more than one plugin: \(ps.joined(separator: ", "))"
        case .dependencyCycle(let ps): "plugins require each other in a cycle: \(ps.joined(separator: ", "))"
        case .duplicateOp(let op, let ps): "op '\(op)' is contributed by more than one plugin: \(ps.joined(separator: ", "))"
        case .duplicateConstant(let c, let ps): "constant '\(c)' is declared by more than one plugin: \(ps.joined(separator: ", "))"
        case .duplicateConfigKey(let k, let ps): "config key '\(k)' is declared by more than one plugin: \(ps.joined(separator: ", "))"
        case .pluginFailed(let p, let m): "plugin '\(p)' failed to install: \(m)"
        }
    }
}

/// A simulated machine: memory, the KMSAN runtime, a report sink and the subsystems of the
/// plugins it was given. Build one per scenario or test; many can run in one process.
public final class Machine: Sendable {
    /// How it was built.
    public let configuration: MachineConfiguration
    /// Its KMSAN runtime (and memory, address space, depot, symbols).
    public let runtime: KMSANRuntime
    /// Its plugins, in installation order.
    public var plugins: [any HarnessPlugin] { pluginSet.installationOrder }
    /// What it was built from: the plugins and every op, constant and config key they bring.
    public let pluginSet: PluginSet
    /// The ops its plugins contribute (standard subsystem ops and their own), in plugin order;
    /// the core's ops are in `pluginSet.ops`.
    public var ops: [ScenarioOp] { pluginSet.groups.dropFirst().flatMap(\.ops) }
    /// The per-CPU area (`alloc_percpu`, `this_cpu_ptr`); its chunk is reserved on first use.
    public let percpu: PerCPUArea
    private let subsystems: [SubsystemKind: any Subsystem]
    private let pluginStates: [String: any Subsystem]
    /// The installed subsystems that check accesses (KASAN's vmalloc shadow), in plugin order.
    let accessCheckers: [any MemoryAccessChecking]

    /// Boots a machine with the plugins of `pluginSet`, installed in its installation order.
    public init(configuration: MachineConfiguration = MachineConfiguration(), pluginSet: PluginSet, sink: any ReportSink)
        throws(MachineError) {
        let runtime: KMSANRuntime
        do {
            runtime = try KMSANRuntime.boot(memorySize: configuration.memorySize, options: configuration.kmsan, sink: sink)
        } catch {
            throw .memory(error)
        }
        var installed: [SubsystemKind: any Subsystem] = [:], states: [String: any Subsystem] = [:]
        for plugin in pluginSet.installationOrder {
            let context = PluginContext(configuration: configuration, runtime: runtime, installed: installed)
            let subsystem: (any Subsystem)?
            do {
                subsystem = try plugin.makeSubsystem(context)
            } catch {
                runtime.shutdown()
                throw error
            }
            if let kind = plugin.provides, let subsystem { installed[kind] = subsystem }
            if let subsystem { states[plugin.name] = subsystem }
        }
        self.configuration = configuration
        self.runtime = runtime
        self.percpu = PerCPUArea(runtime: runtime)
        self.pluginSet = pluginSet
        self.subsystems = installed
        self.pluginStates = states
        self.accessCheckers = pluginSet.installationOrder.compactMap { states[$0.name] as? any MemoryAccessChecking }
    }

    /// Boots a machine with `plugins` (checked and ordered as `PluginSet` does).
    public convenience init(
        configuration: MachineConfiguration = MachineConfiguration(), plugins: [any HarnessPlugin], sink: any ReportSink
    ) throws(MachineError) {
        try self.init(configuration: configuration, pluginSet: PluginSet(plugins), sink: sink)
    }

    /// The installed subsystem of a kind, cast to its protocol.
    public func subsystem<S>(_ kind: SubsystemKind, as type: S.Type = S.self) -> S? { subsystems[kind] as? S }

    /// The state the plugin named `name` built for this machine (`makeSubsystem`'s result),
    /// cast to `S`: how a driver plugin that provides no subsystem finds its own state.
    public func state<S>(ofPlugin name: String, as type: S.Type = S.self) -> S? { pluginStates[name] as? S }

    /// The page allocator, if a plugin provides one.
    public var pageAllocator: (any PageAllocatorSubsystem)? { subsystem(.pageAllocator) }
    /// The slab allocator, if a plugin provides one.
    public var slab: (any SlabSubsystem)? { subsystem(.slab) }
    /// The vmalloc subsystem, if a plugin provides one.
    public var vmalloc: (any VmallocSubsystem)? { subsystem(.vmalloc) }
    /// The DMA subsystem, if a plugin provides one.
    public var dma: (any DMASubsystem)? { subsystem(.dma) }
    /// The USB subsystem, if a plugin provides one.
    public var usb: (any USBSubsystem)? { subsystem(.usb) }
    /// The skb subsystem, if a plugin provides one.
    public var skb: (any SkbSubsystem)? { subsystem(.skb) }

    /// The op named `name` (the core's or a plugin's), if there is one.
    public func op(named name: String) -> ScenarioOp? { pluginSet.op(named: name) }

    /// A new CPU running a new task named `comm`.
    public func makeCPU(id: Int = 0, comm: String = "kmsan-harness") -> KernelCPU {
        runtime.makeCPU(id: id, comm: comm)
    }

    /// With leak checking on, reports every allocation still outstanding as HARNESS `leak`,
    /// in plugin order; returns the number reported.
    @discardableResult
    public func checkLeaks(on cpu: KernelCPU) -> Int {
        guard configuration.leakCheck else { return 0 }
        var count = 0
        for plugin in plugins {
            guard let subsystem = pluginStates[plugin.name] else { continue }
            for leak in subsystem.outstandingAllocations() {
                runtime.reportHarnessFinding(
                    .leak, "unreferenced object 0x\(String(leak.address, radix: 16)) (size \(leak.size), \(leak.kind)) still allocated at the end",
                    on: cpu, address: KernelAddress(leak.address))
                count += 1
            }
        }
        return count
    }

    /// Returns the machine's host memory; the machine must not be used afterwards.
    @discardableResult
    public func shutdown() -> HostArenaStatistics? { runtime.shutdown() }
}
