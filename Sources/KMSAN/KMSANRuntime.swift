import KernelMemory
import Synchronization

/// The KMSAN runtime of one simulated machine, over that machine's memory.
///
/// The public API comes in three tiers, as in mm/kmsan/:
/// - subsystem hooks (`allocPage`, `slabAlloc`, `handleDMA`, `copyToUser`, ...), called by
///   plugins exactly where the kernel calls `kmsan_*` hooks;
/// - one-off annotations (`poisonMemory`, `unpoisonMemory`, `checkMemory`, ...);
/// - package-internal primitives (`setShadowOrigin`, `memmoveMetadata`, ...) that assume the
///   runtime guard is already taken.
///
/// Every public hook has the same shape: return if KMSAN is disabled or the current context
/// is already in the runtime; otherwise enter the runtime, call the primitive, leave. Four
/// take less, as mm/kmsan/hooks.c does (`HookGate`).
/// Thread-safe: several `KernelCPU`s may call into one runtime from different host threads.
public final class KMSANRuntime: Sendable {
    /// The options the runtime was booted with.
    public let options: KMSANOptions
    /// The simulated address space (and through it, physical memory).
    public let addressSpace: AddressSpace
    /// Boot-time frames for task stacks and other core needs.
    public let bootMemory: BootMemoryAllocator
    /// The stack depot behind every origin.
    public let depot = StackDepot()
    /// Function names, call sites and local-variable names.
    public let symbols = SymbolTable()
    /// Where reports go.
    public let sink: any ReportSink

    private let enabledFlag: Atomic<Bool>
    private let haltedFlag = Atomic<Bool>(false)
    private let nextPid = Atomic<Int>(1)
    let reportState = Locked(ReportState())
    let hookSites: HookSites

    /// Mutable report bookkeeping, guarded by `reportState` (the kernel's `kmsan_report_lock`).
    struct ReportState {
        /// The kernel's taint (`tainted_mask`).
        var taint: TaintFlags = []
        var count = 0
    }

    /// Boots a runtime over `addressSpace`.
    public init(addressSpace: AddressSpace, options: KMSANOptions = KMSANOptions(), sink: any ReportSink) {
        self.options = options
        self.addressSpace = addressSpace
        self.bootMemory = BootMemoryAllocator(memory: addressSpace.memory, frames: options.bootMemoryFrames)
        self.sink = sink
        self.enabledFlag = Atomic(options.enabled)
        self.hookSites = HookSites(symbols: symbols)
    }

    /// Creates simulated memory of `memorySize` bytes and boots a runtime over it.
    public static func boot(
        memorySize: Int = PhysicalMemory.defaultSize, options: KMSANOptions = KMSANOptions(), sink: any ReportSink
    ) throws(MemoryConfigurationError) -> KMSANRuntime {
        let memory = try PhysicalMemory(size: memorySize)
        return KMSANRuntime(addressSpace: AddressSpace(memory: memory), options: options, sink: sink)
    }

    /// Physical memory.
    public var memory: PhysicalMemory { addressSpace.memory }
    /// The runtime semantics in force.
    public var policy: KMSANPolicy { options.policy }

    /// Whether KMSAN is enabled (`kmsan_enabled`); a KMSAN_WARN_ON clears it for good.
    public var isEnabled: Bool { enabledFlag.load(ordering: .relaxed) }

    /// Whether the machine panicked (`kmsan.panic` after a report, or a fatal warning).
    public var isHalted: Bool { haltedFlag.load(ordering: .acquiring) }

    /// Returns the machine's host memory to the system and reports what was left allocated
    /// in its arena (0 bytes when teardown is complete). The runtime must not be used afterwards.
    @discardableResult
    public func shutdown() -> HostArenaStatistics? { memory.release() }

    func disable() { enabledFlag.store(false, ordering: .relaxed) }

    // MARK: Saving and restoring

    /// The runtime's state apart from memory: flags, counters, taint, page tables, boot memory,
    /// the depot and the symbols.
    private struct Scalars: Sendable {
        var enabled: Bool, halted: Bool, nextPid: Int
        var report: SavedState, vmalloc: SavedState, user: SavedState, boot: SavedState
        var depot: SavedState, symbols: SavedState
    }

    /// Saves the machine's present state and starts the memory journal (`PhysicalMemory.
    /// beginJournal()`): `restoreState(_:)` brings back exactly this state, memory included, in
    /// time proportional to what changed since. Call it with no CPU running.
    public func saveState() -> SavedState {
        memory.beginJournal()
        return SavedState(Scalars(
            enabled: isEnabled, halted: isHalted, nextPid: nextPid.load(ordering: .relaxed),
            report: reportState.saveState(), vmalloc: addressSpace.vmallocPages.saveState(),
            user: addressSpace.userPages.saveState(), boot: bootMemory.saveState(), depot: depot.saveState(),
            symbols: symbols.saveState()))
    }

    /// Returns to a state `saveState()` returned: memory is rewound through the journal, every
    /// other part is put back. Call it with no CPU running; tasks and CPUs made since are gone
    /// (their stacks are free again) and must not be used.
    public func restoreState(_ state: SavedState) {
        guard let s = state.value(as: Scalars.self) else { return }
        memory.rewindJournal()
        enabledFlag.store(s.enabled, ordering: .relaxed)
        haltedFlag.store(s.halted, ordering: .releasing)
        nextPid.store(s.nextPid, ordering: .relaxed)
        reportState.restoreState(s.report)
        addressSpace.vmallocPages.restoreState(s.vmalloc)
        addressSpace.userPages.restoreState(s.user)
        bootMemory.restoreState(s.boot)
        depot.restoreState(s.depot)
        symbols.restoreState(s.symbols)
    }

    func halt() {
        enabledFlag.store(false, ordering: .relaxed)
        haltedFlag.store(true, ordering: .releasing)
    }

    // MARK: Tasks and CPUs

    /// Creates a task with a fresh KMSAN context and a 16 KiB kernel stack
    /// (`kmsan_task_create`). Without boot memory left, the task has no stack and
    /// `local(...)` reports a HARNESS finding.
    public func createTask(comm: String) -> KernelTask {
        let pid = nextPid.wrappingAdd(1, ordering: .relaxed).oldValue
        let frame = bootMemory.allocate(order: KernelTask.stackOrder)
        let base = frame.map { addressSpace.directMapAddress(of: $0) } ?? .null
        let task = KernelTask(pid: pid, comm: comm, stackFrame: frame, stackBase: base)
        if frame != nil {
            setShadowOrigin(base, size: KernelTask.stackSize, shadow: 0, origin: .none, checked: false, cpu: nil)
        }
        return task
    }

    /// Ends a task: reporting is disabled for it (`kmsan_task_exit`) and its stack is freed.
    /// Disabling raises the task's depth (mainline) or clears its `allow_reporting` flag (RFC v3,
    /// `ReportGate.allowReportingFlag`), as `disableCurrent` does.
    public func exitTask(_ task: KernelTask, on cpu: KernelCPU) {
        guard !task.hasExited else { return }
        task.hasExited = true
        if isEnabled, !isInRuntime(cpu) {
            switch policy.reportGate {
            case .taskDepth: task.kmsan.depth += 1
            case .allowReportingFlag: task.kmsan.allowReporting = false
            }
        }
        if let frame = task.stackFrame { bootMemory.free(frame, order: KernelTask.stackOrder) }
    }

    /// Creates CPU `id` running `task` (a new task named `comm` if nil).
    public func makeCPU(id: Int = 0, running task: KernelTask? = nil, comm: String = "kmsan-harness") -> KernelCPU {
        KernelCPU(id: id, runtime: self, task: task ?? createTask(comm: comm))
    }
}

/// Call sites of the runtime's own frames. They all start with `kmsan_` or `__msan_`, so
/// reports skip them, as `get_stack_skipnr()` does.
struct HookSites: Sendable {
    let poisonMemory, unpoisonMemory, checkMemory, memmove, memcpy, memset: CallSite
    let allocPage, freePage, copyPageMeta, slabAlloc, slabFree, kmallocLarge, kfreeLarge: CallSite
    let handleDMA, handleURB, checkSkb, copyToUser, warning, chainOrigin, poisonAlloca, load, store: CallSite
    /// The frames above the reporter when a report panics, innermost first: Linux 6.18's
    /// `panic()` calls `vpanic()`, which calls `dump_stack()`, a real frame around
    /// `dump_stack_lvl()`; RFC v3's 5.x `panic()` called `dump_stack()` directly.
    let panicPath, rfcPanicPath: [CallSite]
    /// The reporting functions that call `panic()`: `kmsan_report`; KASAN's `end_report`
    /// (static, but a real frame) under `kasan_report`.
    let kmsanReport, kasanReport: [CallSite]

    init(symbols: SymbolTable) {
        // No file and line: the harness cannot know the kernel's, and a frame without them
        // prints as `func+0xOFF/0xSIZE`, as an unsymbolized report would.
        func s(_ name: String) -> CallSite { symbols.site(in: name) }
        panicPath = [s("dump_stack_lvl"), s("dump_stack"), s("vpanic"), s("panic")]
        rfcPanicPath = [s("dump_stack"), s("panic")]
        kmsanReport = [s("kmsan_report")]
        kasanReport = [s("end_report"), s("kasan_report")]
        func h(_ hook: KMSANHook) -> CallSite { s(hook.rawValue) }
        poisonMemory = h(.poisonMemory); unpoisonMemory = h(.unpoisonMemory)
        checkMemory = h(.checkMemory); memmove = h(.memmove); memcpy = h(.memcpy)
        memset = h(.memset); allocPage = h(.allocPage); freePage = h(.freePage)
        copyPageMeta = h(.copyPageMeta); slabAlloc = h(.slabAlloc); slabFree = h(.slabFree)
        kmallocLarge = h(.kmallocLarge); kfreeLarge = h(.kfreeLarge)
        handleDMA = h(.handleDMA); handleURB = h(.handleURB); checkSkb = h(.checkSkb); copyToUser = h(.copyToUser)
        warning = h(.warning); chainOrigin = h(.chainOrigin); poisonAlloca = h(.poisonAlloca)
        load = h(.load); store = h(.store)
    }
}
