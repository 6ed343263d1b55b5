import HarnessCore
import KMSAN
import KernelMemory

/// One machine's user address space (one task's: scenarios run one task) and the copies.
public final class UserMemory: Subsystem {
    /// The runtime.
    public let runtime: KMSANRuntime
    let pages: any PageAllocatorSubsystem
    let sites: (copyTo: CallSite, copyFrom: CallSite, clear: CallSite, alloc: CallSite, strncpy: CallSite)

    struct State: Sendable {
        /// The next free user address.
        var next: UInt64 = AddressRegion.user.start.raw
        /// Mapped ranges: start -> frames.
        var ranges: [UInt64: [Int]] = [:]
    }
    let state = Locked(State())

    init(runtime: KMSANRuntime, pages: any PageAllocatorSubsystem) {
        self.runtime = runtime
        self.pages = pages
        access = UserAccess(runtime: runtime)
        let s = runtime.symbols
        sites = (s.site(in: "_copy_to_user", role: .subsystemEntry), s.site(in: "_copy_from_user", role: .subsystemEntry),
                 s.site(in: "clear_user", role: .subsystemEntry), s.site(in: "vm_mmap", role: .subsystemEntry),
                 s.site(in: "strncpy_from_user", role: .subsystemEntry))
    }

    /// The state, for the fuzzer's restore.
    public func saveState() -> SavedState? { state.saveState() }

    /// Puts back a state `saveState()` returned.
    public func restoreState(_ saved: SavedState) { state.restoreState(saved) }

    /// The shared user accesses.
    let access: UserAccess

    /// Maps `size` bytes of zeroed user pages (and leaves a hole page after them); NULL when
    /// out of memory or space.
    public func allocate(_ size: Int, on cpu: KernelCPU) -> KernelAddress {
        cpu.call(sites.alloc) { () -> KernelAddress in
            guard size > 0, size <= 1 << 20 else { return .null }
            let count = (size + PAGE_SIZE - 1) / PAGE_SIZE
            var frames: [Int] = []
            for _ in 0..<count {
                guard let pfn = pages.allocPages([.kernel, .zero], order: 0, on: cpu) else {
                    for f in frames { pages.freePages(PageFrameNumber(f), order: 0, on: cpu) }
                    return .null
                }
                pages.setOwner("user", ofBlockAt: pfn)
                frames.append(pfn.index)
            }
            let start = state.withLock { s -> UInt64 in
                let start = s.next
                s.next += UInt64((count + 1) * PAGE_SIZE)
                s.ranges[start] = frames
                return start
            }
            for (i, f) in frames.enumerated() {
                runtime.addressSpace.userPages.map(KernelAddress(start + UInt64(i * PAGE_SIZE)),
                                                   to: PageMapping(frame: PageFrameNumber(f), metadata: .untracked))
            }
            return KernelAddress(start)
        }
    }

    /// Unmaps a range `allocate` returned (`munmap`); its pages go back.
    public func unmap(_ address: KernelAddress, on cpu: KernelCPU) {
        guard let frames = state.withLock({ $0.ranges.removeValue(forKey: address.raw) }) else {
            runtime.reportHarnessFinding(.invalidFree, "user_unmap: \(address) is not a mapped user range", on: cpu, address: address)
            return
        }
        for (i, f) in frames.enumerated() {
            _ = runtime.addressSpace.userPages.unmap(address + i * PAGE_SIZE)
            pages.setOwner(nil, ofBlockAt: PageFrameNumber(f))
            pages.freePages(PageFrameNumber(f), order: 0, on: cpu)
        }
    }

    /// Mapped user ranges are the task's; none is a kernel leak.
    public func outstandingAllocations() -> [OutstandingAllocation] { [] }
}
