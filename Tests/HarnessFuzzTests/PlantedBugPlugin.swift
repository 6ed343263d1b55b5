import HarnessCore
import KMSAN
import KernelMemory

/// A test-only driver with a planted bug: `toy_dev_send(len)` builds a 16-byte descriptor on
/// its stack and hands it to the "device" (`kmsan_check_memory`, as a DMA mapping would). With
/// the bug, a length above 40 skips the store of the descriptor's flags word (bytes 8-11), so
/// the device gets 4 uninitialized bytes; fixed, every field is written.
struct PlantedBugPlugin: HarnessPlugin {
    /// Whether the bug is there.
    var planted: Bool

    var name: String { "toy-dev" }
    var provides: SubsystemKind? { nil }

    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        ToyDevice(runtime: context.runtime, planted: planted)
    }

    var ops: [ScenarioOp] {
        [
            ScenarioOp("toy_dev_send", [.init("len", .integer, range: 0...64)], returnsValue: false,
                       help: "send a descriptor of len to the toy device") { inv throws(OpError) in
                guard let device = inv.machine.state(ofPlugin: "toy-dev", as: ToyDevice.self) else { throw OpError("no toy-dev") }
                device.send(length: try inv.integer(0), on: inv.cpu)
                return nil
            },
        ]
    }
}

/// The toy device of one machine: no state but its call site, so saving it is trivial.
final class ToyDevice: Subsystem {
    let runtime: KMSANRuntime
    let planted: Bool
    let site: CallSite

    init(runtime: KMSANRuntime, planted: Bool) {
        self.runtime = runtime
        self.planted = planted
        site = runtime.symbols.site(in: "toy_dev_send", file: "drivers/misc/toy_dev.c", line: 30)
    }

    func saveState() -> SavedState? { SavedState(0) }
    func restoreState(_ saved: SavedState) {}

    func send(length: Int, on cpu: KernelCPU) {
        cpu.call(site) {
            let desc = runtime.local(size: 16, name: "desc", on: cpu)
            runtime.store(.initialized(UInt64(truncatingIfNeeded: length), width: .bits64), to: desc, on: cpu)
            if !(planted && length > 40) { runtime.store(.initialized(0, width: .bits32), to: desc + 8, on: cpu) }
            runtime.store(.initialized(0, width: .bits32), to: desc + 12, on: cpu)
            runtime.checkMemory(desc, size: 16, on: cpu)
        }
    }
}
