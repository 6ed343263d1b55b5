import Dispatch
import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// Several machines in one process at once, each with its own plugin state and reports.
@Suite struct ParallelMachinesTests {
    @Test func machinesOnThreadsDoNotShareState() throws {
        let results = Locked<[Int: [String]]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let sink = InMemoryReportSink()
            var configuration = MachineConfiguration()
            configuration.memorySize = 8 << 20
            guard let machine = try? Machine(configuration: configuration, plugins: [BumpPageAllocatorPlugin()], sink: sink) else { return }
            defer { machine.shutdown() }
            let cpu = machine.makeCPU(comm: "machine\(i)")
            cpu.call("worker_\(i)") {
                for _ in 0...i {
                    let page = machine.pageAllocator!.allocPagesAddress(.kernel, order: 0, on: cpu)!
                    machine.runtime.branch(on: machine.runtime.load(.bits32, from: page, on: cpu), on: cpu)
                }
            }
            results.withLock { $0[i] = sink.reports.map(\.title) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 4)
        for i in 0..<4 {
            #expect(all[i] == Array(repeating: "KMSAN: uninit-value in worker_\(i)", count: i + 1))
        }
    }
}
