import HarnessCore
import KMSAN
import KernelMemory

/// The one fresh-machine fixture of the project's tests, and of a user's: a machine built from
/// a plugin list (none by default: the runtime alone), an in-memory sink, CPU 0 running the task
/// `kunit_try_catch`, and helpers that run code as a named kernel function and read metadata.
/// The machine is shut down (all host memory returned) by `shutdown()` or when the fixture goes.
///
/// ```swift
/// let m = try MachineFixture(plugins: BundledPlugins.all)
/// let p = m.run("test_uninit_kmalloc") { m.machine.slab?.kmalloc(4, gfp: .kernel, on: m.cpu) }
/// ```
public final class MachineFixture {
    /// How `run` calls a test function.
    public enum CaseRunner: Sendable {
        /// The function's frame alone.
        case direct
        /// Under `kunit_try_run_case` (lib/kunit/test.c), as KUnit runs a test case.
        case kunit
    }

    /// Every report of the machine, in order.
    public let sink = InMemoryReportSink()
    /// The machine.
    public let machine: Machine
    /// CPU 0.
    public let cpu: KernelCPU
    /// How `run` calls test functions.
    public let runner: CaseRunner
    private var nextRawFrame = 0

    /// Boots a machine with `plugins`, `memory` bytes (8 MiB by default), `options` and leak
    /// checking as given; `configure` may change anything else.
    public init(
        plugins: [any HarnessPlugin] = [], memory: Int = 8 << 20, options: KMSANOptions = KMSANOptions(),
        leakCheck: Bool = false, runner: CaseRunner = .direct, configure: (inout MachineConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = MachineConfiguration()
        configuration.memorySize = memory
        configuration.kmsan = options
        configuration.leakCheck = leakCheck
        configure(&configuration)
        machine = try Machine(configuration: configuration, plugins: plugins, sink: sink)
        cpu = machine.makeCPU(comm: "kunit_try_catch")
        self.runner = runner
    }

    deinit { machine.shutdown() }

    /// Returns the machine's host memory now (the fixture must not be used afterwards).
    public func shutdown() { machine.shutdown() }

    /// The runtime.
    public var runtime: KMSANRuntime { machine.runtime }
    /// The address space.
    public var space: AddressSpace { machine.runtime.addressSpace }
    /// Reports so far.
    public var reports: [KernelReport] { sink.reports }
    /// `TOOL: type in function` of each report so far.
    public var titles: [String] { sink.reports.map(\.title) }

    /// Runs `body` as the C function `name` (a frame at `file:line`), so report headers name it;
    /// under `kunit_try_run_case` when the fixture's runner is `.kunit`.
    @discardableResult
    public func run<R>(_ name: String = "test_case", file: String = "test", line: Int = 1, _ body: () throws -> R) rethrows -> R {
        let site = runtime.symbols.site(in: name, file: file, line: line)
        guard runner == .kunit else { return try cpu.call(site, body) }
        return try cpu.call(runtime.symbols.site(in: "kunit_try_run_case", file: "lib/kunit/test.c", line: 388)) {
            try cpu.call(site, body)
        }
    }

    /// Runs the op `name` (the core's or a plugin's) in the current frame, first moving that
    /// frame to `test.scenario:line` as the scenario runner moves it to each statement's line
    /// (outside any frame, in a frame of its own: `run()`'s); with `eager`, value arguments go
    /// through `passArguments` when the op checks eagerly.
    @discardableResult
    public func op(_ name: String, _ arguments: [OpArgument] = [], line: Int = 1, eager: Bool = true) throws(OpError) -> ShadowedValue? {
        guard let op = machine.op(named: name)?.form(taking: arguments.count) else { throw OpError("no op \(name)") }
        guard cpu.current.callDepth > 0 else {
            let result: Result<ShadowedValue?, OpError> = run {
                do throws(OpError) { return .success(try self.op(name, arguments, line: line, eager: eager)) } catch { return .failure(error) }
            }
            return try result.get()
        }
        cpu.step(file: "test.scenario", line: line)
        var arguments = arguments
        if eager, op.checksArgumentsEagerly {
            arguments = arguments.map { a in
                guard case .value(let v) = a else { return a }
                return .value(runtime.passArguments([v], on: cpu)[0])
            }
        }
        return try op.run(OpInvocation(machine: machine, cpu: cpu, arguments: arguments))
    }

    /// Frames for `1 << order` pages, naturally aligned, below the boot reservation and handed
    /// out in order: memory no plugin manages, for runtime tests on a machine without one.
    public func rawFrames(order: Int = 0) -> PageFrameNumber {
        let n = 1 << order
        nextRawFrame = (nextRawFrame + n - 1) / n * n
        defer { nextRawFrame += n }
        return PageFrameNumber(nextRawFrame)
    }

    /// Shadow bytes of a range (nil entries for untracked bytes).
    public func shadow(_ address: KernelAddress, count: Int) -> [UInt8?] {
        (0..<count).map { runtime.metadata(at: address + $0)?.shadow }
    }

    /// The shadow of one byte (nil if untracked).
    public func shadow(_ address: KernelAddress) -> UInt8? { runtime.metadata(at: address)?.shadow }

    /// Origin slot values of the bytes of a range.
    public func origins(_ address: KernelAddress, count: Int) -> [OriginHandle?] {
        (0..<count).map { runtime.metadata(at: address + $0)?.origin }
    }

    /// The origin of one byte's slot.
    public func origin(_ address: KernelAddress) -> OriginHandle { runtime.metadata(at: address)?.origin ?? .none }

    /// The data bytes of a range (empty if it is not mapped).
    public func bytes(_ address: KernelAddress, count: Int) -> [UInt8] {
        (try? space.readBytes(address, count: count)) ?? []
    }

    /// Whether every byte of the range is initialized.
    public func isInitialized(_ address: KernelAddress, count: Int) -> Bool { shadow(address, count: count).allSatisfy { $0 == 0 } }

    /// Whether every byte of the range is fully uninitialized.
    public func isPoisoned(_ address: KernelAddress, count: Int) -> Bool { shadow(address, count: count).allSatisfy { $0 == 0xff } }

    /// Loads `width` bytes at `address` and branches on them, as `USE(*p)` (`if (*p)`) does.
    public func use(_ width: ValueWidth, at address: KernelAddress) {
        runtime.branch(on: runtime.load(width, from: address, on: cpu), on: cpu)
    }
}

extension OpArgument {
    /// An initialized integer argument.
    public static func int(_ value: Int) -> OpArgument { .value(.initialized(UInt64(bitPattern: Int64(value)), width: .bits64)) }
    /// An initialized pointer argument.
    public static func addr(_ address: KernelAddress) -> OpArgument { .value(.pointer(address)) }
    /// An initialized pointer argument.
    public static func ptr(_ address: KernelAddress) -> OpArgument { .value(.pointer(address)) }
    /// An initialized pointer argument.
    public static func pointer(_ address: KernelAddress) -> OpArgument { .value(.pointer(address)) }
    /// A value an op returned, passed on as a pointer (0 when it returned none).
    public static func ptr(_ value: ShadowedValue?) -> OpArgument { .value(value ?? .initialized(0)) }
    /// The value an op returned, passed on (0 when it returned none).
    public static func result(_ value: ShadowedValue?) -> OpArgument { .value(value ?? .initialized(0, width: .bits64)) }
    /// GFP flags.
    public static func gfp(_ flags: GFPFlags) -> OpArgument { .value(.initialized(UInt64(flags.rawValue), width: .bits64)) }
    /// Slab flags.
    public static func slabFlags(_ flags: SlabFlags) -> OpArgument { .value(.initialized(UInt64(flags.rawValue), width: .bits64)) }
}
