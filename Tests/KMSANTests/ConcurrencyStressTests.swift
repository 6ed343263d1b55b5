import Testing
import Dispatch
import Synchronization
import KMSAN
import KernelMemory

/// Several simulated CPUs on real threads at once over one machine: memory, depot, symbols,
/// runtime and sink are shared. Run under `swift test --sanitize=thread` too (see CONTRIBUTING.md).
@Suite struct ConcurrencyStressTests {
    static let threads = 4
    static let iterations = 200

    @Test func cpusOnThreadsShareOneRuntime() throws {
        let sink = InMemoryReportSink()
        let runtime = try KMSANRuntime.boot(memorySize: 16 << 20, sink: sink)
        defer { runtime.shutdown() }
        let sharedHandles = Locked<Set<UInt32>>([])
        DispatchQueue.concurrentPerform(iterations: Self.threads) { t in
            let cpu = runtime.makeCPU(id: t, comm: "worker/\(t)")
            let kthread = runtime.symbols.site(in: "kthread", file: "kernel/kthread.c", line: 389)
            let shared = runtime.symbols.site(in: "shared_fn", file: "stress", line: 1)
            let own = runtime.symbols.site(in: "worker_\(t)", file: "stress", line: t)
            let base = runtime.addressSpace.directMapAddress(of: PageFrameNumber(t * 64))
            cpu.call(kthread) {
                // Identical stacks on every thread must give the same depot record.
                cpu.call(shared) {
                    runtime.poisonMemory(base, size: 4, on: cpu)
                    let o = runtime.metadata(at: base)!.origin
                    sharedHandles.withLock { _ = $0.insert(o.raw) }
                }
                cpu.call(own) {
                    for i in 0..<Self.iterations {
                        let page = base + (i % 32) * PAGE_SIZE
                        runtime.poisonMemory(page, size: 256, on: cpu)
                        runtime.memcpy(page + 1024, page, count: 256, on: cpu)
                        runtime.unpoisonMemory(page + 1024 + 16, size: 16, on: cpu)
                        let local = runtime.local(size: 16, name: "tmp", on: cpu)
                        runtime.memcpy(local, page + 1024, count: 16, on: cpu)
                        runtime.checkMemory(local, size: 16, on: cpu)
                    }
                }
            }
        }
        let reports = sink.reports
        #expect(reports.count == Self.threads * Self.iterations)
        #expect(reports.allSatisfy { $0.title == "KMSAN: uninit-value in \($0.comm.replacingOccurrences(of: "worker/", with: "worker_"))" })
        #expect(sharedHandles.withLock { $0.count } == 1)
        #expect(runtime.isEnabled)
        for t in 0..<Self.threads {
            #expect(reports.filter { $0.comm == "worker/\(t)" }.count == Self.iterations)
        }
    }
}
