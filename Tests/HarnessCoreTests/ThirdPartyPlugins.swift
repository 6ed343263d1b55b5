import HarnessCore
import KMSAN
import KernelMemory

// Plugins written outside the core, against its protocols only: an alternative page allocator
// and a toy driver that uses whatever page allocator the machine has.

/// An alternative page allocator: hands out frames from a bump pointer and never reuses them.
struct BumpPageAllocatorPlugin: HarnessPlugin {
    var name: String { "bump-pages" }
    var provides: SubsystemKind? { .pageAllocator }

    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
        BumpPages(runtime: context.runtime)
    }

    var ops: [ScenarioOp] {
        [ScenarioOp("bump_alloc_page", [.init("gfp", .gfp)], returnsValue: true, help: "a fresh page from the bump allocator") { inv throws(OpError) in
            guard let pages = inv.machine.pageAllocator else { throw OpError("no page allocator") }
            let pfn = pages.allocPages(try inv.gfp(0), order: 0, on: inv.cpu)
            return .pointer(pfn.map { inv.machine.runtime.addressSpace.directMapAddress(of: $0) } ?? .null)
        }]
    }
}

/// The bump allocator's per-machine state.
final class BumpPages: PageAllocatorSubsystem {
    let runtime: KMSANRuntime
    let next = Locked(0)
    let live = Locked<[Int: Int]>([:])
    let site: CallSite

    init(runtime: KMSANRuntime) {
        self.runtime = runtime
        site = runtime.symbols.site(in: "bump_alloc_pages", file: #fileID, line: #line)
    }

    func allocPages(_ gfp: GFPFlags, order: Int, on cpu: KernelCPU) -> PageFrameNumber? {
        let n = 1 << order
        let limit = runtime.bootMemory.firstFrame.index
        guard let start = next.withLock({ next -> Int? in
            let start = (next + n - 1) / n * n
            guard start + n <= limit else { return nil }
            next = start + n
            return start
        }) else { return nil }
        live.withLock { $0[start] = order }
        cpu.call(site) { runtime.allocPage(PageFrameNumber(start), order: order, gfp: gfp, on: cpu) }
        return PageFrameNumber(start)
    }

    func freePages(_ pfn: PageFrameNumber, order: Int, on cpu: KernelCPU) {
        guard live.withLock({ $0.removeValue(forKey: pfn.index) }) == order else {
            runtime.reportHarnessFinding(.invalidFree, "bump: \(pfn) was not allocated with order \(order)", on: cpu)
            return
        }
        runtime.freePage(pfn, order: order, on: cpu)
    }

    func allocationOrder(of pfn: PageFrameNumber) -> Int? { live.withLock { $0[pfn.index] } }

    var freeFrames: Int { runtime.bootMemory.firstFrame.index - next.withLock { $0 } }

    func outstandingAllocations() -> [OutstandingAllocation] {
        live.withLock { $0 }.sorted { $0.key < $1.key }.map {
            OutstandingAllocation(address: runtime.addressSpace.directMapAddress(of: PageFrameNumber($0.key)).raw,
                                  size: PAGE_SIZE << $0.value, kind: "bump order \($0.value)")
        }
    }
}

/// A toy device driver: it needs a page allocator and provides no subsystem, only an op that
/// reads a status word from a page the way a driver would (a branch on its value).
struct ToyDriverPlugin: HarnessPlugin {
    var name: String { "toy-driver" }
    var provides: SubsystemKind? { nil }
    var requires: [SubsystemKind] { [.pageAllocator] }

    func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? { nil }

    var ops: [ScenarioOp] {
        [ScenarioOp("toy_check_status", [.init("buffer", .pointer)], returnsValue: false, help: "branch on the first word of a buffer") { inv throws(OpError) in
            let runtime = inv.machine.runtime
            let buffer = try inv.pointer(0)
            let status = inv.cpu.call("toy_check_status") { runtime.load(.bits32, from: buffer, on: inv.cpu) }
            inv.cpu.call("toy_check_status") { runtime.branch(on: status, on: inv.cpu) }
            return nil
        }]
    }
}
