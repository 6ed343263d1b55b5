// The fuzz loop's throughput: 16-op programs generated from the bundled plugins' declarations
// (seed 1), each run on a machine restored to its boot state (FuzzExecutor), as the built-in
// loop runs them and as the libFuzzer target runs them (decoding the binary form first).
import Benchmark
import BundledPlugins
import HarnessCore
import HarnessFuzz

/// Target of the issue: 50 000 runs per second of 16-op programs on one core.
let fuzzExecsPerSecondTarget = 50_000.0

/// Metrics, in ns per run.
enum FuzzMetric {
    static let all = metric("all plugins, built-in loop (ns/run)")
    static let libFuzzer = metric("all plugins, libFuzzer path: decode + run (ns/run)")
    static let core = metric("core ops only, built-in loop (ns/run)")
    static let restore = metric("restore alone (ns/run)")
    static let metrics = [all, libFuzzer, core, restore]
}

/// Programs of exactly `length` calls over `table`.
func fuzzPrograms(_ count: Int, length: Int, table: OpTable, seed: UInt64) -> [FuzzProgram] {
    var random = FuzzRandom(seed: seed)
    let generator = ProgramGenerator(table: table, maxLength: length)
    return (0..<count).map { _ in
        var p = FuzzProgram()
        while p.count < length { p.calls.append(generator.call(at: p.count, in: p, &random)) }
        return p
    }
}

/// Registers benchmark 7.
func registerFuzzBenchmark() {
    guard let plugins = try? PluginSet(BundledPlugins.all) else { return }
    let everything = OpTable(plugins), coreOnly = OpTable(plugins, onlyPlugins: [])
    let programs = fuzzPrograms(500, length: 16, table: everything, seed: 1)
    let corePrograms = fuzzPrograms(500, length: 16, table: coreOnly, seed: 1)
    let encoding = ProgramBinaryEncoding(table: everything)
    let encoded = programs.map(encoding.encode)
    let configuration = FuzzOptions().configuration
    guard let executor = try? FuzzExecutor(table: everything, configuration: configuration),
          let coreExecutor = try? FuzzExecutor(table: coreOnly, configuration: configuration) else { return }
    let empty = FuzzProgram()
    registerBenchmark("7 fuzz: 16-op programs", metrics: FuzzMetric.metrics, maxDuration: .seconds(6)) { benchmark, _, context in
        var i = 0
        context.record(nanosecondsPerRun(programs.count) { _ = executor.run(programs[i % programs.count]); i += 1 },
                       FuzzMetric.all, in: benchmark)
        context.record(nanosecondsPerRun(encoded.count) { _ = executor.run(encoding.decode(encoded[i % encoded.count])); i += 1 },
                       FuzzMetric.libFuzzer, in: benchmark)
        context.record(nanosecondsPerRun(corePrograms.count) { _ = coreExecutor.run(corePrograms[i % corePrograms.count]); i += 1 },
                       FuzzMetric.core, in: benchmark)
        context.record(nanosecondsPerRun(2000) { _ = executor.run(empty) }, FuzzMetric.restore, in: benchmark)
    } summary: { context in
        func row(_ label: String, _ m: BenchmarkMetric) -> SummaryRow {
            let ns = context.median(m), rate = 1e9 / ns
            return SummaryRow(label: "\(label): \(Int(rate)) exec/s", nanoseconds: ns,
                              target: ">= \(Int(fuzzExecsPerSecondTarget)) exec/s: \(verdict(rate >= fuzzExecsPerSecondTarget))")
        }
        return summaryTable("fuzz, 16-op programs, \(context.sampleCount(FuzzMetric.all)) samples", [
            row("built-in loop, all plugins", FuzzMetric.all),
            row("libFuzzer path, all plugins", FuzzMetric.libFuzzer),
            row("built-in loop, core ops", FuzzMetric.core),
            SummaryRow(label: "restore + empty program", nanoseconds: context.median(FuzzMetric.restore)),
        ])
    }
}
