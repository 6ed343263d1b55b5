import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin

/// A fresh machine (8 MiB by default) with only the page allocator plugin, an in-memory sink
/// and CPU 0. Call `shutdown()` when the test ends (`defer`).
///
/// With 8 MiB and the default 256-frame boot reservation the allocator manages 1792 frames,
/// which start out as one free block each of orders 10 (pfn 0), 9 (pfn 1024) and 8 (pfn 1536).
struct PageMachine {
    let sink = InMemoryReportSink()
    let machine: Machine
    let cpu: KernelCPU

    init(memory: Int = 8 << 20, leakCheck: Bool = false, failureInjection: FailureInjection = .none) throws {
        var configuration = MachineConfiguration()
        configuration.memorySize = memory
        configuration.leakCheck = leakCheck
        machine = try Machine(configuration: configuration, plugins: [PageAllocatorPlugin(failureInjection: failureInjection)], sink: sink)
        cpu = machine.makeCPU(comm: "kunit_try_catch")
    }

    /// Returns the machine's host memory.
    func shutdown() { machine.shutdown() }

    var allocator: BuddyAllocator { machine.buddyAllocator! }
    var runtime: KMSANRuntime { machine.runtime }
    var space: AddressSpace { machine.runtime.addressSpace }
    var reports: [KernelReport] { sink.reports }
    var titles: [String] { sink.reports.map(\.title) }

    /// Runs `body` as the C function `name` (a KUnit case), so report headers name it.
    func run<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        try cpu.call(runtime.symbols.site(in: name, file: "test", line: 1), body)
    }

    /// `alloc_pages` from the test function `name`.
    func alloc(_ gfp: GFPFlags = .kernel, order: Int = 0, in name: String = "test_case") -> PageFrameNumber? {
        run(name) { allocator.allocPages(gfp, order: order, on: cpu) }
    }

    /// `__free_pages` from the test function `name`.
    func free(_ pfn: PageFrameNumber, order: Int = 0, in name: String = "test_case") {
        run(name) { allocator.freePages(pfn, order: order, on: cpu) }
    }

    func address(_ pfn: PageFrameNumber) -> KernelAddress { space.directMapAddress(of: pfn) }
    func shadow(_ address: KernelAddress) -> UInt8? { runtime.metadata(at: address)?.shadow }
    func origin(_ address: KernelAddress) -> OriginHandle { runtime.metadata(at: address)?.origin ?? .none }

    /// Loads a byte and branches on it, as `USE(*(char *)address)` in the test function `name`.
    func loadAndUse(_ address: KernelAddress, in name: String) {
        run(name) {
            let value = runtime.load(.bits8, from: address, on: cpu)
            runtime.use(value, on: cpu)
        }
    }

    /// Allocates order-0 pages with `gfp` until one fails; returns the pages.
    func allocateUntilFailure(_ gfp: GFPFlags) -> [PageFrameNumber] {
        var pages: [PageFrameNumber] = []
        while let pfn = alloc(gfp.union(.noWarn)) { pages.append(pfn) }
        return pages
    }

    /// The op named `name`, run with `arguments` from the test function `function`.
    @discardableResult
    func op(_ name: String, _ arguments: [OpArgument], in function: String = "test_case") throws -> ShadowedValue? {
        try run(function) {
            try machine.op(named: name)!.run(OpInvocation(machine: machine, cpu: cpu, arguments: arguments))
        }
    }
}

extension OpArgument {
    /// An initialized integer argument.
    static func int(_ value: Int) -> OpArgument { .value(.initialized(UInt64(bitPattern: Int64(value)), width: .bits64)) }
    /// An initialized gfp argument.
    static func gfp(_ flags: GFPFlags) -> OpArgument { .value(.initialized(UInt64(flags.rawValue), width: .bits64)) }
    /// An initialized pointer argument.
    static func pointer(_ address: KernelAddress) -> OpArgument { .value(.pointer(address)) }
    /// The value an op returned, passed on.
    static func result(_ value: ShadowedValue?) -> OpArgument { .value(value ?? .initialized(0, width: .bits64)) }
}
