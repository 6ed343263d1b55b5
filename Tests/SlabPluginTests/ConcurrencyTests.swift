import HarnessTesting
import Dispatch
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// Several CPUs of one machine allocating and freeing at once on their own threads.
@Suite struct ConcurrencyTests {
    @Test func cpusNeverShareAnObject() throws {
        try withSlabMachine { m in
            let machine = m.machine
            let cache = m.run("test_fn") { m.slab.kmemCacheCreate("shared", size: 72, align: 0, flags: [], constructor: nil, on: m.cpu)! }
            let held = Locked<[[UInt64]]>(Array(repeating: [], count: 2))
            DispatchQueue.concurrentPerform(iterations: 2) { id in
                let cpu = machine.makeCPU(id: id, comm: "worker\(id)")
                let slab = machine.slab!
                let site = machine.runtime.symbols.site(in: "worker_fn", file: "t", line: 1)
                cpu.call(site) {
                    var mine: [KernelAddress] = []
                    for round in 0..<200 {
                        mine.append(slab.kmemCacheAlloc(cache, gfp: [.kernel, .zero], on: cpu)!)
                        mine.append(slab.kmalloc(24 + round % 100, gfp: [.kernel, .zero], on: cpu)!)
                        if round % 3 == 0 {
                            slab.kmemCacheFree(cache, mine.removeFirst(), on: cpu)
                            slab.kfree(mine.removeFirst(), on: cpu)
                        }
                    }
                    held.withLock { $0[id] = mine.map(\.raw) }
                }
            }
            let all = held.withLock { $0 }.flatMap { $0 }
            #expect(Set(all).count == all.count)
            #expect(m.slab.outstandingAllocations().count == all.count)
            #expect(m.sink.reports.isEmpty)
            m.run("test_fn") {
                for p in all.map(KernelAddress.init) {
                    if m.slab.cacheName(of: p) == "shared" { m.slab.kmemCacheFree(cache, p, on: m.cpu) } else { m.slab.kfree(p, on: m.cpu) }
                }
                m.slab.kmemCacheDestroy(cache, on: m.cpu)
            }
            #expect(m.slab.outstandingAllocations().isEmpty)
            #expect(m.sink.reports.isEmpty)
        }
    }
}
