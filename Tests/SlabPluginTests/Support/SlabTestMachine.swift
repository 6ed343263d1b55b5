import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import SlabPlugin
import Testing

/// A fresh 8 MiB machine with `PageAllocatorPlugin()` and `SlabPlugin()`, its sink and CPU 0. Use it
/// through `withSlabMachine`, which shuts the machine down at the end.
struct SlabTestMachine {
    /// The machine.
    let machine: Machine
    /// Every report, in order.
    let sink: InMemoryReportSink
    /// CPU 0, running task `kunit_try_catch`.
    let cpu: KernelCPU

    /// The runtime.
    var runtime: KMSANRuntime { machine.runtime }
    /// The slab allocator under test.
    var slab: SlubAllocator { machine.slab as! SlubAllocator }
    /// The page allocator below it.
    var pages: any PageAllocatorSubsystem { machine.pageAllocator! }
    /// The buddy allocator, for its failure injection.
    var buddy: BuddyAllocator { machine.buddyAllocator! }
    /// `TOOL: type in function` of every report so far.
    var titles: [String] { sink.reports.map(\.title) }

    /// Runs `body` as the function `name` (the frame every report header should name).
    func run<R>(_ name: String = "test_fn", _ body: () throws -> R) rethrows -> R {
        try cpu.call(runtime.symbols.site(in: name, file: "t", line: 1), body)
    }

    /// Shadow bytes of a range (nil for untracked bytes).
    func shadow(_ address: KernelAddress, count: Int) -> [UInt8?] {
        (0..<count).map { runtime.metadata(at: address + $0)?.shadow }
    }

    /// The data bytes of a range (empty if it is not mapped).
    func bytes(_ address: KernelAddress, count: Int) -> [UInt8] {
        (try? runtime.addressSpace.readBytes(address, count: count)) ?? []
    }

    /// Whether every byte of the range is initialized.
    func isInitialized(_ address: KernelAddress, count: Int) -> Bool {
        shadow(address, count: count).allSatisfy { $0 == 0 }
    }

    /// Whether every byte of the range is fully uninitialized.
    func isPoisoned(_ address: KernelAddress, count: Int) -> Bool {
        shadow(address, count: count).allSatisfy { $0 == 0xff }
    }

    /// The origin of the slot of one byte.
    func origin(_ address: KernelAddress) -> OriginHandle { runtime.metadata(at: address)?.origin ?? .none }

    /// Loads `width` bytes at `address` and branches on them, as `USE(*p)` does.
    func use(_ width: ValueWidth, at address: KernelAddress) {
        runtime.use(runtime.load(width, from: address, on: cpu), on: cpu)
    }

    /// Records an issue at the caller unless the reports so far match `expected` one to one.
    func expectReports(_ expected: [ReportExpectation], sourceLocation: SourceLocation = #_sourceLocation) {
        if let why = ReportExpectation.firstMismatch(expected: expected, actual: sink.reports) {
            Issue.record(Comment(rawValue: ([why] + sink.reports.map(\.kernelText)).joined(separator: "\n")), sourceLocation: sourceLocation)
        }
    }

    /// Runs an op of the machine with `arguments` on CPU 0.
    @discardableResult
    func op(_ name: String, _ arguments: [OpArgument]) throws -> ShadowedValue? {
        guard let op = machine.op(named: name) else { throw OpError("no op \(name)") }
        return try op.run(OpInvocation(machine: machine, cpu: cpu, arguments: arguments))
    }
}

/// Builds a fresh machine (8 MiB; `leakCheck` as given) with the page allocator and the slab
/// plugin, runs `body` on it and shuts it down.
func withSlabMachine<R>(leakCheck: Bool = false, _ body: (SlabTestMachine) throws -> R) throws -> R {
    var configuration = MachineConfiguration()
    configuration.memorySize = 8 << 20
    configuration.leakCheck = leakCheck
    let sink = InMemoryReportSink()
    let machine = try Machine(configuration: configuration, plugins: [PageAllocatorPlugin(), SlabPlugin()], sink: sink)
    defer { machine.shutdown() }
    let cpu = machine.makeCPU(comm: "kunit_try_catch")
    return try body(SlabTestMachine(machine: machine, sink: sink, cpu: cpu))
}

/// `OpArgument` shorthands.
extension OpArgument {
    /// An initialized integer argument.
    static func int(_ value: Int) -> OpArgument { .value(.initialized(UInt64(bitPattern: Int64(value)))) }
    /// An initialized pointer argument.
    static func ptr(_ address: KernelAddress) -> OpArgument { .value(.pointer(address)) }
    /// GFP flags.
    static func gfp(_ flags: GFPFlags) -> OpArgument { .value(.initialized(UInt64(flags.rawValue))) }
    /// Slab flags.
    static func slabFlags(_ flags: SlabFlags) -> OpArgument { .value(.initialized(UInt64(flags.rawValue))) }
}

extension ShadowedValue {
    /// The value as an address.
    var address: KernelAddress { KernelAddress(value) }
}
