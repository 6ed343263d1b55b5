import HarnessCore
import KMSAN
import KernelMemory

// A driver model written the way a user of the harness writes one: outside the bundled set,
// against the public protocols only. A toy NIC "DMA-maps" what it transmits, so KMSAN checks
// the buffer where a real driver's mapping would; it declares its own config key, argument
// kind, named constants and resource kind.

/// The toy NIC driver plugin.
struct ToyNICPlugin: HarnessPlugin {
    /// `toy-nic-checks`: whether transmit checks the buffer (off: a driver that bypasses the DMA API).
    static let checks = ConfigKey.plugin("toy-nic-checks", default: "on", help: "check transmitted buffers as a DMA mapping would")
    /// The transmit mode, an enum of the driver's.
    static let mode = ScenarioOp.ParameterKind("toy-nic-mode", noun: "a toy NIC mode", example: "TOY_NIC_COPY", role: .enumeration)
    /// A toy NIC (`struct toy_nic *`).
    static let nic = ResourceKind("toy-nic")

    var name: String { "toy-nic" }
    var provides: SubsystemKind? { nil }
    var requires: [SubsystemKind] { [.slab] }
    var settings: [ConfigKey] { [Self.checks] }
    var constants: [NamedConstant] { [NamedConstant("TOY_NIC_COPY", Self.mode, 0), NamedConstant("TOY_NIC_ZEROCOPY", Self.mode, 1)] }

    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        guard let slab = context.subsystem(.slab, as: (any SlabSubsystem).self) else {
            throw .pluginFailed(plugin: name, message: "the slab subsystem does not implement SlabSubsystem")
        }
        return ToyNICs(runtime: context.runtime, slab: slab, checks: context.configuration.value(of: Self.checks) == "on")
    }

    var ops: [ScenarioOp] {
        [
            ScenarioOp("toy_nic_create", [.init("name", .string)], returnsValue: true, result: Self.nic,
                       help: "a new toy NIC (a kzalloc'ed struct)") { inv throws(OpError) in
                .pointer(try Self.nics(inv).create(try inv.string(0), on: inv.cpu) ?? .null)
            },
            ScenarioOp("toy_nic_xmit", [.init("nic", .pointer, resource: Self.nic), .init("buf", .pointer, resource: .address),
                                        .init("len", .integer, range: 0...4096), .init("mode", Self.mode)],
                       returnsValue: false, help: "transmit len bytes of buf: the driver maps them for the device") { inv throws(OpError) in
                try Self.nics(inv).xmit(try inv.pointer(0), buffer: try inv.pointer(1), length: try inv.integer(2),
                                        zeroCopy: try inv.integer(3) == 1, on: inv.cpu)
                return nil
            },
            ScenarioOp("toy_nic_destroy", [.init("nic", .pointer, resource: Self.nic)], returnsValue: false,
                       help: "destroy a toy NIC") { inv throws(OpError) in
                try Self.nics(inv).destroy(try inv.pointer(0), on: inv.cpu)
                return nil
            },
        ]
    }

    /// The machine's toy NIC state.
    private static func nics(_ inv: OpInvocation) throws(OpError) -> ToyNICs {
        guard let nics = inv.machine.state(ofPlugin: "toy-nic", as: ToyNICs.self) else { throw OpError("no toy-nic plugin") }
        return nics
    }
}

/// The toy NICs of one machine.
final class ToyNICs: Subsystem {
    let runtime: KMSANRuntime
    let slab: any SlabSubsystem
    let checks: Bool
    let live = Locked<Set<UInt64>>([])
    let createSite, xmitSite, destroySite, mapSite, copySite: CallSite

    init(runtime: KMSANRuntime, slab: any SlabSubsystem, checks: Bool) {
        self.runtime = runtime
        self.slab = slab
        self.checks = checks
        let symbols = runtime.symbols
        createSite = symbols.site(in: "toy_nic_create", file: "drivers/net/toy.c", line: 10, role: .subsystemEntry)
        xmitSite = symbols.site(in: "toy_nic_xmit", file: "drivers/net/toy.c", line: 40, role: .subsystemEntry)
        destroySite = symbols.site(in: "toy_nic_destroy", file: "drivers/net/toy.c", line: 80, role: .subsystemEntry)
        mapSite = symbols.site(in: "toy_nic_map", file: "drivers/net/toy.c", line: 60)
        copySite = symbols.site(in: "toy_nic_copy", file: "drivers/net/toy.c", line: 70)
    }

    func create(_ name: String, on cpu: KernelCPU) -> KernelAddress? {
        cpu.call(createSite) {
            guard let nic = slab.kzalloc(64, gfp: .kernel, on: cpu) else { return nil }
            live.withLock { _ = $0.insert(nic.raw) }
            return nic
        }
    }

    func xmit(_ nic: KernelAddress, buffer: KernelAddress, length: Int, zeroCopy: Bool, on cpu: KernelCPU) {
        cpu.call(xmitSite) {
            guard live.withLock({ $0.contains(nic.raw) }) else {
                runtime.reportHarnessFinding(.misuse, "toy_nic_xmit: \(nic) is not a live toy NIC", on: cpu, address: nic)
                return
            }
            guard checks else { return }
            cpu.call(zeroCopy ? mapSite : copySite) { runtime.checkMemory(buffer, size: length, on: cpu) }
        }
    }

    func destroy(_ nic: KernelAddress, on cpu: KernelCPU) {
        cpu.call(destroySite) {
            guard live.withLock({ $0.remove(nic.raw) }) != nil else {
                runtime.reportHarnessFinding(.doubleFree, "toy_nic_destroy: \(nic) is not a live toy NIC", on: cpu, address: nic)
                return
            }
            slab.kfree(nic, on: cpu)
        }
    }
}
