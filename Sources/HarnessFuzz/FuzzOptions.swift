import Foundation
import HarnessCore
import KMSAN

/// What a fuzz campaign does. Same options, same seed, a run-count limit: the same runs, the
/// same findings (with a time limit the count of runs depends on the machine).
public struct FuzzOptions: Sendable {
    /// The seed of worker 0; worker `k` uses a seed derived from it and `k`.
    public var seed: UInt64 = 1
    /// Stop after this many runs in all (split evenly between workers), if set.
    public var runs: Int?
    /// Stop after this many seconds, if set. Without `runs` or `duration`: 10 000 runs.
    public var duration: Double?
    /// The longest program.
    public var maxLength = 16
    /// Fuzz only the core's ops and those of these plugins (nil: every installed plugin).
    public var plugins: Set<String>?
    /// Workers, each with its own machine, generator and corpus, on its own thread; their
    /// results are merged at the end.
    public var jobs = 1
    /// Run each program under two profiles and report differences (`--diff mainline,rfc-v3`).
    public var differential: (KMSANPolicy, KMSANPolicy)?
    /// Runs a minimization may take.
    public var minimizeBudget = 400
    /// How many minimized programs a difference title may get (each a bucket of its own, named
    /// after the ops it calls): differences of one title often have several causes. A program
    /// that holds every op of a cause already found is not minimized again.
    public var minimizationsPerDifference = 64
    /// The machine every run starts from: the defaults with 16 MiB of memory (`mem=16M`),
    /// enough for any op's largest request, and a quarter of the per-frame bookkeeping a run
    /// copies when it first changes an allocator's state. Reproducers say `config memory=16M`.
    public var configuration: MachineConfiguration = {
        var c = MachineConfiguration()
        c.memorySize = FuzzOptions.memorySize
        return c
    }()

    /// `config` lines for the settings given on top of `configuration` (`fuzz --config`), as a
    /// reproducer must repeat them (memory and profile are written from `configuration` itself).
    public var settingLines: [String] = []

    /// The fuzzing machines' memory size.
    public static let memorySize = 16 << 20
    /// Programs to start from (a corpus folder, the bundled scenarios).
    public var initialCorpus: [FuzzProgram] = []
    /// Seconds between status reports.
    public var statusInterval = 2.0

    /// The defaults.
    public init() {}

    /// The run count used when neither `runs` nor `duration` is set.
    public static let defaultRuns = 10_000
}

/// A status line's figures.
public struct FuzzStatus: Sendable, CustomStringConvertible {
    /// Runs so far, in all workers.
    public var runs: Int
    /// Seconds since the start.
    public var elapsed: Double
    /// Programs kept for new signal.
    public var corpus: Int
    /// Distinct signal elements.
    public var signal: Int
    /// Finding buckets.
    public var findings: Int

    /// Runs per second.
    public var execsPerSecond: Double { elapsed > 0 ? Double(runs) / elapsed : 0 }

    /// `runs 12000  exec/s 31000  corpus 210  signal 1840  findings 7  (4.0 s)`.
    public var description: String {
        "runs \(runs)  exec/s \(Int(execsPerSecond))  corpus \(corpus)  signal \(signal)  findings \(findings)  "
            + "(\(String(format: "%.1f", elapsed)) s)"
    }
}
