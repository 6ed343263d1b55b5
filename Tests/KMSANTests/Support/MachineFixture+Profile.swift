import HarnessTesting
import KMSAN
import KernelMemory

extension MachineFixture {
    /// A fresh machine following `policy` (e.g. `.rfcV3`), other options at their defaults.
    convenience init(
        policy: KMSANPolicy, memory: Int = 8 << 20, runner: CaseRunner, configure: (inout KMSANOptions) -> Void = { _ in }
    ) throws {
        var options = KMSANOptions()
        options.policy = policy
        configure(&options)
        try self.init(memory: memory, options: options, runner: runner)
    }

    /// `alloc_pages` of the given frames again (e.g. after freeing them), as `allocPages` does.
    func reallocPages(_ address: KernelAddress, order: Int = 0, gfp: GFPFlags = .kernel) {
        givePageMetadata(space.directMapFrame(address)!, order: order, gfp: gfp)
    }

    /// Whether the frame behind `address` has metadata.
    func isTracked(_ address: KernelAddress) -> Bool { runtime.memory.isTracked(space.directMapFrame(address)!) }
}
