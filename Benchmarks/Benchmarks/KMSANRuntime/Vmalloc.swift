// The vmalloc plugin: KASAN shadow pages held by N small vmalloc areas allocated, then freed in
// a random order and purged, under both release behaviours, against one shadow page per area;
// and vmalloc(64)+vfree pairs per second.
import Benchmark
import Foundation
import BundledPlugins
import HarnessCore
import KMSAN
import KernelMemory
import VmallocPlugin

/// Area counts of the shadow table.
let vmallocAreaCounts = [10, 1_000, 100_000]

/// Metrics.
enum VmallocMetric {
    static let pair = metric("vmalloc(64)+vfree (ns/pair)")
    static let all = [pair]
}

/// Shadow pages held while `n` areas of 64 bytes are live, and after they are freed in a
/// random order (seed 1) and purged, with `release` (`merged` or `area`).
func shadowPagesHeld(areas n: Int, release: String) -> (live: Int, afterFree: Int)? {
    var configuration = MachineConfiguration()
    configuration.memorySize = n >= 100_000 ? 1 << 30 : 64 << 20
    configuration.pluginSettings["vmalloc-release"] = release
    guard let machine = try? BundledPlugins.pluginSet().makeMachine(configuration: configuration, sink: InMemoryReportSink()),
          let v = machine.vmalloc as? VmallocAllocator else { return nil }
    defer { machine.shutdown() }
    let cpu = machine.makeCPU()
    let site = machine.runtime.symbols.site(in: "bench", file: "bench", line: 1)
    return cpu.call(site) { () -> (Int, Int)? in
        var areas = (0..<n).compactMap { _ in v.vmalloc(64, on: cpu) }
        guard areas.count == n else { return nil }
        let live = v.shadowPageCount
        var state: UInt64 = 1
        for i in stride(from: areas.count - 1, to: 0, by: -1) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            areas.swapAt(i, Int(state >> 33) % (i + 1))
        }
        for a in areas { v.vfree(a, on: cpu) }
        v.vmUnmapAliases(on: cpu)
        return (live, v.shadowPageCount)
    }
}

/// Registers benchmark 8.
func registerVmallocBenchmark() {
    registerBenchmark("8 vmalloc: shadow pages and vmalloc+vfree", metrics: VmallocMetric.all, maxDuration: .seconds(2)) {
        benchmark, _, context in
        let m = AllocatorMachines.get().on
        guard let v = m.machine.vmalloc else { return }
        context.record(nanosecondsPerRun(1000) { if let a = v.vmalloc(64, on: m.cpu) { v.vfree(a, on: m.cpu) } },
                       VmallocMetric.pair, in: benchmark)
    } summary: { context in
        let ns = context.median(VmallocMetric.pair)
        var lines = summaryTable("vmalloc(64)+vfree, \(context.sampleCount(VmallocMetric.pair)) samples", [
            SummaryRow(label: "vmalloc(64)+vfree: \(Int(1e9 / ns)) pairs/s", nanoseconds: ns),
        ])
        lines.append("shadow pages held by N areas of 64 bytes (one shadow page per area would be N):")
        lines.append("       N   live (merged)   after free (merged)   live (area)   after free (area)")
        for n in vmallocAreaCounts {
            let merged = shadowPagesHeld(areas: n, release: "merged"), area = shadowPagesHeld(areas: n, release: "area")
            func f(_ v: Int?) -> String { v.map(String.init) ?? "n/a" }
            lines.append(String(repeating: " ", count: max(0, 8 - String(n).count)) + "\(n)"
                         + "   \(f(merged?.live).padding(toLength: 13, withPad: " ", startingAt: 0))"
                         + "   \(f(merged?.afterFree).padding(toLength: 19, withPad: " ", startingAt: 0))"
                         + "   \(f(area?.live).padding(toLength: 11, withPad: " ", startingAt: 0))   \(f(area?.afterFree))")
        }
        return lines
    }
}
