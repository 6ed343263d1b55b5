import Dispatch
import HarnessCore
import KMSAN
import KernelMemory
import PageAllocatorPlugin
import Testing

/// CPUs on real threads share one allocator: the zone lock keeps its state consistent.
@Suite struct ConcurrencyTests {
    static let threads = 2
    static let rounds = 100

    @Test func cpusOnThreadsAllocateAndFreeWithoutLosingFrames() throws {
        let sink = InMemoryReportSink()
        let machine = try Machine(configuration: { var c = MachineConfiguration(); c.memorySize = 8 << 20; return c }(),
                                  plugins: [PageAllocatorPlugin()], sink: sink)
        defer { machine.shutdown() }
        let allocator = try #require(machine.buddyAllocator)
        let owners = Locked<[Int: Int]>([:])
        let collisions = Locked(0)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { t in
            let cpu = machine.makeCPU(id: t, comm: "worker/\(t)")
            cpu.call(machine.runtime.symbols.site(in: "worker_\(t)", file: "stress", line: t)) {
                for round in 0..<Self.rounds {
                    var held: [(PageFrameNumber, Int)] = []
                    for order in [0, 2, 1, 3, 0] {
                        guard let pfn = allocator.allocPages([.kernel, .zero], order: (order + round) % 5, on: cpu) else { continue }
                        let n = 1 << ((order + round) % 5)
                        owners.withLock { o in
                            for f in pfn.index..<(pfn.index + n) where o.updateValue(t, forKey: f) != nil {
                                collisions.withLock { $0 += 1 }
                            }
                        }
                        held.append((pfn, (order + round) % 5))
                    }
                    for (pfn, order) in held.reversed() {
                        owners.withLock { o in for f in pfn.index..<(pfn.index + (1 << order)) { o[f] = nil } }
                        allocator.freePages(pfn, order: order, on: cpu)
                    }
                }
            }
        }
        #expect(collisions.withLock { $0 } == 0)
        #expect(allocator.freeFrames == allocator.managedFrames)
        allocator.drainPages()
        #expect(allocator.freeBlocksPerOrder == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1])
        #expect(allocator.outstandingAllocations().isEmpty)
        #expect(sink.reports.isEmpty)
    }
}
