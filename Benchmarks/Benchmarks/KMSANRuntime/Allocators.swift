// Allocator throughput: kmalloc(64)+kfree and alloc_pages(order 0)+__free_pages pairs per
// second through the bundled plugins, with KMSAN on and off, beside jemalloc's own
// malloc(64)+free in the same process.
import Benchmark
import Foundation
import HarnessCore
import KMSAN
import KernelMemory
import BundledPlugins

/// Target: kmalloc(64)+kfree pairs per second with KMSAN on.
let kmallocPairsTarget = 3_000_000.0
/// Target: alloc_pages(order 0)+__free_pages pairs per second with KMSAN on.
let pagePairsTarget = 2_000_000.0

/// Two machines with the page allocator and slab plugins, one with KMSAN on and one off,
/// booted once per benchmark process.
final class AllocatorMachines: @unchecked Sendable {
    /// KMSAN on, and its CPU.
    let on: (machine: Machine, cpu: KernelCPU)
    /// KMSAN off, and its CPU.
    let off: (machine: Machine, cpu: KernelCPU)

    init() throws {
        func boot(kmsan: Bool) throws -> (Machine, KernelCPU) {
            var configuration = MachineConfiguration()
            configuration.kmsan.enabled = kmsan
            let machine = try Machine(configuration: configuration, plugins: BundledPlugins.all, sink: InMemoryReportSink())
            return (machine, machine.makeCPU(comm: "bench"))
        }
        on = try boot(kmsan: true)
        off = try boot(kmsan: false)
    }

    /// Boots on first use in this process.
    nonisolated(unsafe) static var shared: AllocatorMachines?
    static func get() -> AllocatorMachines {
        if let s = shared { return s }
        let s = try! AllocatorMachines()
        shared = s
        return s
    }
}

/// ns per run of `pair` on one machine's CPU, under a caller frame named `function`.
private func timedPairs(_ m: (machine: Machine, cpu: KernelCPU), function: String, count: Int, _ pair: () -> Void) -> Double {
    let site = m.machine.runtime.symbols.site(in: function, file: "bench", line: 1)
    return m.cpu.call(site) { nanosecondsPerRun(count, pair) }
}

/// ns per kmalloc(64)+kfree pair on one machine.
private func kmallocPair(_ m: (machine: Machine, cpu: KernelCPU), count: Int) -> Double {
    let slab = m.machine.slab!
    return timedPairs(m, function: "bench_kmalloc", count: count) {
        let p = slab.kmalloc(64, gfp: .kernel, on: m.cpu)!
        slab.kfree(p, on: m.cpu)
    }
}

/// ns per alloc_pages(order 0)+__free_pages pair on one machine.
private func pagePair(_ m: (machine: Machine, cpu: KernelCPU), count: Int) -> Double {
    let pages = m.machine.pageAllocator!
    return timedPairs(m, function: "bench_pages", count: count) {
        let pfn = pages.allocPages(.kernel, order: 0, on: m.cpu)!
        pages.freePages(pfn, order: 0, on: m.cpu)
    }
}

/// ns per malloc(64)+free pair (jemalloc, which the root package links process-wide).
private func mallocPair(count: Int) -> Double {
    nanosecondsPerRun(count) {
        let p = malloc(64)
        blackHole(p)
        free(p)
    }
}

/// Metrics of the allocator benchmarks, in ns per pair.
enum AllocatorMetric {
    static let kmallocOn = metric("kmalloc+kfree, KMSAN on (ns)")
    static let kmallocOff = metric("kmalloc+kfree, KMSAN off (ns)")
    static let pagesOn = metric("alloc_pages+free, KMSAN on (ns)")
    static let pagesOff = metric("alloc_pages+free, KMSAN off (ns)")
    static let malloc = metric("malloc(64)+free (ns)")
}

/// A summary row in pairs per second.
private func pairsRow(_ label: String, _ ns: Double, target: Double? = nil) -> SummaryRow {
    let perSecond = 1e9 / ns
    let t = target.map { ">= \(format($0 / 1e6, 0))M/s: \(verdict(perSecond >= $0))" } ?? ""
    return SummaryRow(label: "\(label) (\(format(perSecond / 1e6, 2))M pairs/s)", nanoseconds: ns, target: t)
}

/// Registers benchmarks 4 and 5.
func registerAllocatorBenchmarks() {
    let calls = 1000
    registerBenchmark("4 kmalloc(64)+kfree", metrics: [AllocatorMetric.kmallocOn, AllocatorMetric.kmallocOff, AllocatorMetric.malloc]) { benchmark, _, context in
        let m = AllocatorMachines.get()
        context.record(kmallocPair(m.on, count: calls), AllocatorMetric.kmallocOn, in: benchmark)
        context.record(kmallocPair(m.off, count: calls), AllocatorMetric.kmallocOff, in: benchmark)
        context.record(mallocPair(count: calls), AllocatorMetric.malloc, in: benchmark)
    } summary: { context in
        summaryTable("kmalloc(64)+kfree pairs, \(context.sampleCount(AllocatorMetric.kmallocOn)) samples", [
            pairsRow("kmalloc+kfree, KMSAN on", context.median(AllocatorMetric.kmallocOn), target: kmallocPairsTarget),
            pairsRow("kmalloc+kfree, KMSAN off", context.median(AllocatorMetric.kmallocOff)),
            pairsRow("jemalloc malloc(64)+free", context.median(AllocatorMetric.malloc)),
        ])
    }
    registerBenchmark("5 alloc_pages+__free_pages", metrics: [AllocatorMetric.pagesOn, AllocatorMetric.pagesOff, AllocatorMetric.malloc]) { benchmark, _, context in
        let m = AllocatorMachines.get()
        context.record(pagePair(m.on, count: calls), AllocatorMetric.pagesOn, in: benchmark)
        context.record(pagePair(m.off, count: calls), AllocatorMetric.pagesOff, in: benchmark)
        context.record(mallocPair(count: calls), AllocatorMetric.malloc, in: benchmark)
    } summary: { context in
        summaryTable("alloc_pages(order 0)+__free_pages pairs, \(context.sampleCount(AllocatorMetric.pagesOn)) samples", [
            pairsRow("alloc_pages+free, KMSAN on", context.median(AllocatorMetric.pagesOn), target: pagePairsTarget),
            pairsRow("alloc_pages+free, KMSAN off", context.median(AllocatorMetric.pagesOff)),
            pairsRow("jemalloc malloc(64)+free", context.median(AllocatorMetric.malloc)),
        ])
    }
}
