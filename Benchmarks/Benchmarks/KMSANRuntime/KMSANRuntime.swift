// Benchmarks of the KMSAN runtime's hot paths against plain host operations.
//
// Run from the repository root (release build, all benchmarks in one run):
//
//     swift package --package-path Benchmarks --allow-writing-to-package-directory benchmark
//
// Every benchmark prints a summary with its targets (PASS/MISS) when it finishes; the
// package-benchmark tables with all percentiles follow at the end. Benchmarks run in name
// order, hence the numbered names. See ../../README.md.
import Benchmark
import KMSAN
import KernelMemory

/// The memcpy sizes compared with a plain host memcpy.
let copySizes = [4 << 10, 64 << 10, 1 << 20]
/// The memcpy size with a target, and the target: metadata memcpy at most 4x a plain memcpy.
let targetCopySize = 64 << 10
let copyRatioTarget = 4.0
/// Target for one `poisonMemory` + `unpoisonMemory` pair of a 64-byte object, in ns.
let poisonPairTarget = 100.0
/// Target for saving a 16-frame stack that is already in the depot, in ns.
let depotSaveTarget = 100.0

/// One KMSAN memcpy variant: the source state and the copy direction.
struct CopyVariant {
    /// "poisoned" or "clean".
    var state: String
    /// Whether the destination lies above the source, so metadata is copied backwards.
    var backwards: Bool
    /// Time per copy.
    var time: BenchmarkMetric { metric("\(state) src, \(backwards ? "backward" : "forward") (ns)") }
    /// Time per copy over the plain memcpy's time, in percent.
    var ratio: BenchmarkMetric { metric("\(state) \(backwards ? "bwd" : "fwd") / plain (%)") }
    /// Summary label.
    var label: String { "KMSAN memcpy, \(state) src, \(backwards ? "backward" : "forward")" }

    static let all = [
        CopyVariant(state: "poisoned", backwards: false), CopyVariant(state: "poisoned", backwards: true),
        CopyVariant(state: "clean", backwards: false), CopyVariant(state: "clean", backwards: true),
    ]
}

/// Time of the plain host memcpy.
let plainCopyMetric = metric("plain memcpy (ns)")

/// Metrics of the annotation benchmark, in ns per call.
enum PoisonMetric {
    static let pair = metric("poison+unpoison pair (ns)")
    static let poison = metric("poisonMemory only (ns)")
    static let unpoison = metric("unpoisonMemory only (ns)")
    static let all = [pair, poison, unpoison]
}

/// Metrics of the depot benchmark, in ns per save.
enum DepotMetric {
    static let buffer = metric("save(buffer) (ns)")
    static let array = metric("save([UInt64]) (ns)")
    static let all = [buffer, array]
}

/// Human-readable size: "4 KiB", "1 MiB".
func sizeName(_ bytes: Int) -> String {
    bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
}

let benchmarks: @Sendable () -> Void = {
    // 1. `runtime.memcpy` (data + shadow + origins) against a host memcpy of the same size,
    //    for each source state and both copy directions. Each iteration times ~256 KiB per
    //    variant, as back-to-back copies of `size` bytes.
    for (index, size) in copySizes.enumerated() {
        let copies = max(1, (256 << 10) / size)
        let metrics = [plainCopyMetric] + CopyVariant.all.map(\.time) + CopyVariant.all.map(\.ratio)
        registerBenchmark("1\(["a", "b", "c"][index]) memcpy \(sizeName(size))", metrics: metrics) { benchmark, f, context in
            let (runtime, cpu) = (f.runtime, f.cpu)
            let plain = nanosecondsPerRun(copies) {
                f.hostDestination.copyMemory(from: f.hostSource, byteCount: size)
            }
            context.record(plain, plainCopyMetric, in: benchmark)
            for variant in CopyVariant.all {
                let src = variant.state == "poisoned" ? f.poisonedSource : f.cleanSource
                let dst = variant.backwards ? f.highDestination : f.lowDestination
                let time = f.inKernel {
                    nanosecondsPerRun(copies) { runtime.memcpy(dst, src, count: size, on: cpu) }
                }
                context.record(time, variant.time, in: benchmark)
                context.record(100 * time / plain, variant.ratio, in: benchmark)
            }
        } summary: { context in
            let samples = context.sampleCount(plainCopyMetric)
            var rows = [SummaryRow(label: "plain memcpy (host buffers)", nanoseconds: context.median(plainCopyMetric), ratio: 1)]
            for variant in CopyVariant.all {
                let ratio = context.median(variant.ratio) / 100
                let target = size == targetCopySize ? "<= \(format(copyRatioTarget, 0))x: \(verdict(ratio <= copyRatioTarget))" : ""
                rows.append(SummaryRow(label: variant.label, nanoseconds: context.median(variant.time), ratio: ratio, target: target))
            }
            return summaryTable("memcpy \(sizeName(size)), \(samples) samples (ratios: median of per-sample ratios)", rows)
        }
    }

    // 2. `poisonMemory` + `unpoisonMemory` of one 64-byte object: 1000 pairs per iteration.
    //    The two calls are also timed alone (poisoning a poisoned object or unpoisoning a
    //    clean one costs the same as a state change), to show which half dominates.
    registerBenchmark("2 poison+unpoison 64 B", metrics: PoisonMetric.all) { benchmark, f, context in
        let (runtime, cpu, object, size) = (f.runtime, f.cpu, f.object, Fixture.objectSize)
        let calls = 1000
        f.inKernel {
            let pair = nanosecondsPerRun(calls) {
                runtime.poisonMemory(object, size: size, on: cpu)
                runtime.unpoisonMemory(object, size: size, on: cpu)
            }
            let poison = nanosecondsPerRun(calls) { runtime.poisonMemory(object, size: size, on: cpu) }
            let unpoison = nanosecondsPerRun(calls) { runtime.unpoisonMemory(object, size: size, on: cpu) }
            context.record(pair, PoisonMetric.pair, in: benchmark)
            context.record(poison, PoisonMetric.poison, in: benchmark)
            context.record(unpoison, PoisonMetric.unpoison, in: benchmark)
        }
    } summary: { context in
        let pair = context.median(PoisonMetric.pair)
        return summaryTable("poison+unpoison 64 B, \(context.sampleCount(PoisonMetric.pair)) samples", [
            SummaryRow(label: "poisonMemory + unpoisonMemory pair", nanoseconds: pair,
                       target: "< \(format(poisonPairTarget, 0)) ns: \(verdict(pair < poisonPairTarget))"),
            SummaryRow(label: "poisonMemory only", nanoseconds: context.median(PoisonMetric.poison)),
            SummaryRow(label: "unpoisonMemory only", nanoseconds: context.median(PoisonMetric.unpoison)),
        ])
    }

    // 3. Saving a 16-frame stack that the depot already holds (a lookup that finds the
    //    record): 1000 saves per iteration, through the buffer overload (no array traffic)
    //    and through the array overload.
    registerBenchmark("3 depot save 16 frames", metrics: DepotMetric.all) { benchmark, f, context in
        let depot = f.runtime.depot
        let stack = f.depotStack
        let saves = 1000
        var handles: UInt32 = 0
        let buffer = stack.withUnsafeBufferPointer { entries in
            nanosecondsPerRun(saves) { handles &+= depot.save(entries).raw }
        }
        let array = nanosecondsPerRun(saves) { handles &+= depot.save(stack).raw }
        blackHole(handles)
        context.record(buffer, DepotMetric.buffer, in: benchmark)
        context.record(array, DepotMetric.array, in: benchmark)
    } summary: { context in
        let buffer = context.median(DepotMetric.buffer)
        return summaryTable("depot save of a 16-frame stack already saved, \(context.sampleCount(DepotMetric.buffer)) samples", [
            SummaryRow(label: "depot.save(UnsafeBufferPointer)", nanoseconds: buffer,
                       target: "< \(format(depotSaveTarget, 0)) ns: \(verdict(buffer < depotSaveTarget))"),
            SummaryRow(label: "depot.save([UInt64])", nanoseconds: context.median(DepotMetric.array)),
        ])
    }

    // 4 and 5. Allocator throughput through the bundled plugins (Allocators.swift).
    registerAllocatorBenchmarks()
    registerInterpreterBenchmark()
    registerFuzzBenchmark()
    registerVmallocBenchmark()
}
