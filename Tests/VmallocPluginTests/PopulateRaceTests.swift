import Dispatch
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing
@testable import VmallocPlugin

/// The populate race the seed's review discussed: two CPUs on real threads populate the shadow
/// page their areas share at once; exactly one page survives, the loser's goes back to the
/// page allocator, and the page is filled (0xF8) before anyone sees it. CI also runs this
/// under ThreadSanitizer.
@Suite struct PopulateRaceTests {
    @Test func twoCPUsPopulatingOneShadowPageLeaveExactlyOne() throws {
        try withVmalloc { m, v in
            let free = m.machine.pageAllocator?.freeFrames ?? 0
            let machine = m.machine
            for round in 0..<100 {
                let results = Locked<[KernelAddress]>([])
                let guards = Locked<[UInt8?]>([])
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    let cpu = machine.makeCPU(id: i, comm: "worker\(i)")
                    let site = machine.runtime.symbols.site(in: "race_worker", file: "t", line: i + 1)
                    cpu.call(site) {
                        guard let a = v.vmalloc(64, on: cpu) else { return }
                        results.withLock { $0.append(a) }
                        // The guard page's shadow is 0xF8 already: the fill came before the page.
                        guards.withLock { $0.append(v.shadowByte(a.raw - VMALLOC_START.raw + UInt64(KernelMemory.PAGE_SIZE))) }
                    }
                    machine.runtime.exitTask(cpu.current, on: cpu)
                }
                let areas = results.withLock { $0 }
                #expect(areas.count == 2, "round \(round)")
                #expect(v.shadowPageCount == 1, "round \(round)")
                #expect(guards.withLock { $0 }.allSatisfy { $0 == 0xf8 })
                m.run("test_fn") {
                    for a in areas { v.vfree(a, on: m.cpu) }
                    v.vmUnmapAliases(on: m.cpu)
                }
            }
            // Every loser's page went back: only the edge page the area release keeps is out.
            #expect((m.machine.pageAllocator?.freeFrames ?? 0) >= free - 1)
            #expect(m.reports.isEmpty)
        }
    }
}
