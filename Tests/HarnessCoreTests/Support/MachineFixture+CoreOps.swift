import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory

/// The core op tests run ops the way the scenario runner does: inside one function frame
/// (`inFrame`), each op at the call site of its `line` (`MachineFixture.op`).
extension MachineFixture {
    /// Runs `body` inside one frame of `function` (so locals live across several ops).
    func inFrame(_ function: String = "test_fn", _ body: () throws -> Void) rethrows {
        try run(function, file: "test.scenario", line: 0, body)
    }
}

/// The core's ops, indexed as every machine indexes them.
let coreOps: PluginSet? = try? PluginSet([])
