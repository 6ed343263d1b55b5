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
        let pfn = space.directMapFrame(address)!
        cpu.call(runtime.symbols.site(in: "alloc_pages", file: "mm/page_alloc.c", line: 4700)) {
            cpu.call(runtime.symbols.site(in: "__alloc_pages", file: "mm/page_alloc.c", line: 4600)) {
                runtime.allocPage(pfn, order: order, gfp: gfp, on: cpu)
            }
        }
    }

    /// Whether the frame behind `address` has metadata.
    func isTracked(_ address: KernelAddress) -> Bool { runtime.memory.isTracked(space.directMapFrame(address)!) }
}
