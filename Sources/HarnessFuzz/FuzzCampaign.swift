import Dispatch
import Foundation
import HarnessCore
import KMSAN
import KernelMemory

/// The built-in fuzz loop: workers generate and mutate programs from the installed plugins'
/// op declarations, run them on machines restored between runs, keep programs that cover new
/// signal, bucket findings by title and minimize each new one into a reproducer.
public final class FuzzCampaign: Sendable {
    /// The ops fuzzed.
    public let table: OpTable
    /// The options.
    public let options: FuzzOptions

    /// What a campaign found.
    public struct Summary: Sendable {
        /// Runs in all.
        public var runs: Int
        /// Seconds it took.
        public var elapsed: Double
        /// The merged corpus, worker by worker.
        public var corpus: [FuzzProgram]
        /// Distinct signal elements over all workers (their union).
        public var signal: Int
        /// The findings.
        public var buckets: FindingBuckets
        /// One reproducer per minimized bucket, by title.
        public var reproducers: [String: Reproducer]
        /// Whether machines were restored between runs (false: a plugin could not save its state).
        public var restoredMachines: Bool

        /// Runs per second.
        public var execsPerSecond: Double { elapsed > 0 ? Double(runs) / elapsed : 0 }
    }

    /// A campaign over `plugins`' ops.
    public init(plugins: PluginSet, options: FuzzOptions) {
        self.table = OpTable(plugins, onlyPlugins: options.plugins)
        self.options = options
    }

    /// The seed of worker `k`.
    public func seed(ofWorker k: Int) -> UInt64 { options.seed &+ UInt64(k) &* 0x9e37_79b9_7f4a_7c15 }

    /// Runs the campaign; `status` gets the figures every `statusInterval` seconds (from one of
    /// the worker threads) and once at the end.
    public func run(status: @escaping @Sendable (FuzzStatus) -> Void = { _ in }) throws(MachineError) -> Summary {
        let jobs = max(1, options.jobs)
        var workers: [FuzzWorker] = []
        for k in 0..<jobs { workers.append(try FuzzWorker(table: table, options: options, seed: seed(ofWorker: k))) }
        let start = DispatchTime.now().uptimeNanoseconds
        @Sendable func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let total = options.runs ?? (options.duration == nil ? FuzzOptions.defaultRuns : Int.max)
        let progress = Locked([(runs: Int, corpus: Int, signal: Int, findings: Int)](repeating: (0, 0, 0, 0), count: jobs))
        let lastStatus = Locked(0.0)
        @Sendable func report(final: Bool) {
            let figures = progress.withLock { $0 }
            let s = FuzzStatus(runs: figures.map(\.runs).reduce(0, +), elapsed: elapsed(),
                               corpus: figures.map(\.corpus).reduce(0, +), signal: figures.map(\.signal).max() ?? 0,
                               findings: figures.map(\.findings).max() ?? 0)
            let due = lastStatus.withLock { last -> Bool in
                guard final || s.elapsed - last >= options.statusInterval else { return false }
                last = s.elapsed
                return true
            }
            if due { status(s) }
        }
        let boxes = workers.map { UncheckedBox($0) }
        DispatchQueue.concurrentPerform(iterations: jobs) { k in
            let worker = boxes[k].value
            let share = total == Int.max ? Int.max : total / jobs + (k < total % jobs ? 1 : 0)
            while worker.runs < share {
                worker.step()
                if worker.runs % 64 == 0 {
                    if let limit = options.duration, elapsed() >= limit { break }
                    progress.withLock { $0[k] = worker.figures }
                    if k == 0 { report(final: false) }
                }
            }
            progress.withLock { $0[k] = worker.figures }
        }
        var buckets = FindingBuckets(), signal = Set<UInt64>(), reproducers: [String: Reproducer] = [:]
        for worker in workers {
            buckets.merge(worker.buckets)
            signal.formUnion(worker.signal)
            for (title, r) in worker.reproducers where reproducers[title].map({ r.program.count < $0.program.count }) ?? true {
                reproducers[title] = r
            }
        }
        report(final: true)
        return Summary(runs: workers.map(\.runs).reduce(0, +), elapsed: elapsed(), corpus: workers.flatMap(\.corpus),
                       signal: signal.count, buckets: buckets, reproducers: reproducers,
                       restoredMachines: workers.allSatisfy(\.restoresMachines))
    }
}

/// Hands a worker to the one thread that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
