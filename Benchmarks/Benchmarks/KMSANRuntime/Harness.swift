import Benchmark
import Foundation

/// Per-benchmark state: the fixture booted by the setup hook and the samples kept for the
/// verdict printed by the teardown hook.
///
/// package-benchmark runs every benchmark in a process of its own and calls its setup and
/// teardown there, so each process boots exactly one fixture.
final class BenchmarkContext: @unchecked Sendable {
    /// The machine, booted in setup.
    fileprivate(set) var fixture: Fixture!
    /// Samples by metric name (warm-up iterations excluded), in the units reported.
    private var samples: [String: [Double]] = [:]

    /// Reports `value` for the custom `metric` to package-benchmark (rounded to an integer,
    /// as it only takes integers) and keeps the exact value for `median(_:)`.
    func record(_ value: Double, _ metric: BenchmarkMetric, in benchmark: Benchmark) {
        guard benchmark.currentIteration >= benchmark.configuration.warmupIterations else { return }
        benchmark.measurement(metric, Int(value.rounded()))
        samples[metric.description, default: []].append(value)
    }

    /// Number of samples recorded for `metric`.
    func sampleCount(_ metric: BenchmarkMetric) -> Int { samples[metric.description]?.count ?? 0 }

    /// Median of the samples recorded for `metric` (the p50 column of the table), or NaN.
    func median(_ metric: BenchmarkMetric) -> Double {
        let sorted = (samples[metric.description] ?? []).sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// Registers a benchmark over a freshly booted `Fixture`.
///
/// Only custom metrics are reported: `body` times batches of operations itself with
/// `CLOCK_MONOTONIC` (one package-benchmark iteration = one batch per variant) and records
/// nanoseconds per operation or ratios through `BenchmarkContext.record`. After the last
/// iteration the teardown prints the lines `summary` builds from the medians.
func registerBenchmark(
    _ name: String,
    metrics: [BenchmarkMetric],
    maxDuration: Duration = .seconds(2),
    body: @escaping (Benchmark, Fixture, BenchmarkContext) -> Void,
    summary: @escaping (BenchmarkContext) -> [String]
) {
    let context = BenchmarkContext()
    let configuration = Benchmark.Configuration(
        metrics: metrics,
        // Raw integers: no automatic K/M scaling, which would round 1 234 ns to "1 K".
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, .count) }),
        warmupIterations: 5,
        maxDuration: maxDuration,
        maxIterations: 20_000
    )
    Benchmark(name, configuration: configuration) { benchmark in
        body(benchmark, context.fixture, context)
    } setup: {
        context.fixture = try Fixture()
    } teardown: {
        print("")
        for line in summary(context) { print(line) }
        fflush(nil)  // all C streams: the summary must precede the tables the parent prints
        context.fixture?.shutdown()
        context.fixture = nil
    }
}

/// A custom metric in integer units (never divided by a scaling factor).
func metric(_ name: String) -> BenchmarkMetric {
    .custom(name, polarity: .prefersSmaller, useScalingFactor: false)
}

/// One line of a benchmark's summary: a median time, optionally its ratio to the baseline
/// and a target verdict.
struct SummaryRow {
    /// What was measured.
    var label: String
    /// Median time per operation.
    var nanoseconds: Double
    /// Median ratio to the plain baseline, if there is one.
    var ratio: Double? = nil
    /// The target and its verdict, e.g. "< 100 ns: PASS"; empty when there is no target.
    var target: String = ""
}

/// Renders the summary printed when a benchmark finishes: a title and aligned rows
/// "label | median ns | x baseline | target: PASS/MISS".
func summaryTable(_ title: String, _ rows: [SummaryRow]) -> [String] {
    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return left ? fill + text : text + fill
    }
    let width = max(36, rows.map(\.label.count).max() ?? 0)
    let ratioHeader = rows.contains { $0.ratio != nil } ? "x plain" : ""
    var lines = [title, "  " + pad("", width) + pad("median ns", 12, left: true) + pad(ratioHeader, 10, left: true) + "   target"]
    for row in rows {
        var line = "  " + pad(row.label, width) + pad(format(row.nanoseconds), 12, left: true)
        if row.ratio != nil || !row.target.isEmpty {
            line += pad(row.ratio.map { format($0, 2) + "x" } ?? "", 10, left: true)
        }
        if !row.target.isEmpty { line += "   " + row.target }
        lines.append(line)
    }
    return lines
}

/// "PASS" or "MISS".
func verdict(_ met: Bool) -> String { met ? "PASS" : "MISS" }

/// `value` with `digits` decimals ("n/a" when there were no samples).
func format(_ value: Double, _ digits: Int = 1) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "n/a"
}
