import HarnessCore
import KMSAN
import KernelMemory

extension BuddyAllocator {
    /// `copy_highpage(to, from)`: `copy_page()` (uninstrumented: a raw data copy) then
    /// `kmsan_copy_page_meta()`, under a `copy_highpage` frame. A frame outside physical
    /// memory is a HARNESS `bad-access` naming the caller, and nothing is copied.
    public func copyHighPage(to dst: PageFrameNumber, from src: PageFrameNumber, on cpu: KernelCPU) {
        cpu.call(sites.copyHighpage) {
            let space = runtime.addressSpace
            guard space.memory.contains(dst), space.memory.contains(src) else {
                let bad = space.memory.contains(dst) ? src : dst
                runtime.reportHarnessFinding(.badAccess, "copy_highpage: \(bad) is outside physical memory", on: cpu)
                return
            }
            try? space.moveData(to: space.directMapAddress(of: dst), from: space.directMapAddress(of: src), count: PAGE_SIZE)
            runtime.copyPageMeta(to: dst, from: src, on: cpu)
        }
    }

    /// `copy_highpage` on `struct page *` handles; a handle naming no frame is a HARNESS
    /// `bad-access` naming the caller.
    public func copyHighPage(toHandle dst: KernelAddress, fromHandle src: KernelAddress, on cpu: KernelCPU) {
        let space = runtime.addressSpace
        guard let d = space.frame(ofPageHandle: dst) else {
            return reportBadPageHandle(.badAccess, dst, in: sites.copyHighpage, function: "copy_highpage", on: cpu)
        }
        guard let s = space.frame(ofPageHandle: src) else {
            return reportBadPageHandle(.badAccess, src, in: sites.copyHighpage, function: "copy_highpage", on: cpu)
        }
        copyHighPage(to: d, from: s, on: cpu)
    }
}
