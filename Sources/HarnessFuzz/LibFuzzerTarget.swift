import Foundation
import HarnessCore
import KMSAN

/// What the libFuzzer entry point (`Harnesses/Fuzz`) does with each input, in a form tests can
/// drive without libFuzzer: decode the bytes into a program (any bytes are one), run it on the
/// restored machine, bucket its findings, and say whether the input is a crash for libFuzzer;
/// plus the custom mutator and cross-over, which work on programs rather than bytes.
///
/// Which findings are crashes (`CrashPolicy`) is for the user to say: libFuzzer stops at (or,
/// with `-fork`, records) every crash, so a crash should be a bug in a plugin, not the
/// program's own uninitialized read. Every new title is printed once to standard error and,
/// with a findings folder, written there as a reproducer.
public final class LibFuzzerTarget {
    /// Which finding titles are crashes.
    public enum CrashPolicy: Sendable, Equatable {
        /// None: libFuzzer only grows the corpus; findings go to the findings folder.
        case none
        /// Every finding.
        case all
        /// Findings raised inside a plugin's code: the title's function is neither the program
        /// itself, nor a core op, nor the runtime's own (`kmsan_*`, `__msan_*`: a program's
        /// unbalanced `kmsan_enable_current` warns there): `KMSAN: uninit-value in toy_dev_send`,
        /// `WARNING: ... in ___slab_alloc`. The default.
        case plugin
        /// Findings whose title contains one of these strings.
        case titles([String])

        /// The policy `KMSAN_HARNESS_CRASH_ON` names: `none`, `all`, `plugin` or a comma-separated
        /// list of title substrings.
        public init(environment value: String?) {
            switch value {
            case nil, "plugin": self = .plugin
            case "none": self = .none
            case "all": self = .all
            case let list?: self = .titles(list.split(separator: ",").map(String.init))
            }
        }
    }

    /// The ops.
    public let table: OpTable
    let executor: FuzzExecutor
    let encoding: ProgramBinaryEncoding
    let mutator: ProgramMutator
    let policy: CrashPolicy
    let findings: String?
    let coreOps: Set<String>
    /// Findings so far, by title.
    public private(set) var buckets = FindingBuckets()
    private var runs = 0

    /// A target over `plugins`, writing reproducers to `findings` if given.
    public init(plugins: PluginSet, policy: CrashPolicy = .plugin, findings: String? = nil, maxLength: Int = 16)
        throws(MachineError) {
        table = OpTable(plugins)
        executor = try FuzzExecutor(table: table, configuration: FuzzOptions().configuration)
        encoding = ProgramBinaryEncoding(table: table, maxCalls: maxLength)
        mutator = ProgramMutator(generator: ProgramGenerator(table: table, maxLength: maxLength))
        self.policy = policy
        self.findings = findings
        coreOps = Set(plugins.groups.first?.ops.map(\.name) ?? [])
    }

    /// Runs one input; the report that makes it a crash, if any.
    public func run(_ bytes: [UInt8]) -> KernelReport? {
        runs += 1
        let program = encoding.decode(bytes)
        let reports = executor.run(program).reports
        for title in buckets.record(reports, program: program, run: runs) {
            guard let bucket = buckets.buckets[title] else { continue }
            FileHandle.standardError.write(Data("kmsan-harness fuzzer: new finding: \(title)\n".utf8))
            if let findings { write(bucket, to: findings) }
        }
        return reports.first(where: isCrash)
    }

    /// Whether `report` is a crash under the policy.
    public func isCrash(_ report: KernelReport) -> Bool {
        switch policy {
        case .none: false
        case .all: true
        case .plugin:
            report.function != FuzzExecutor.scenarioName && !coreOps.contains(report.function)
                && !report.function.hasPrefix("kmsan_") && !report.function.hasPrefix("__msan_")
        case .titles(let parts): parts.contains { report.title.contains($0) }
        }
    }

    /// `LLVMFuzzerCustomMutator`: the program `bytes` encode, mutated, re-encoded (at most
    /// `maxSize` bytes: calls are dropped from the end until it fits).
    public func mutate(_ bytes: [UInt8], maxSize: Int, seed: UInt32) -> [UInt8] {
        var random = FuzzRandom(seed: UInt64(seed) &* 0x9e37_79b9_7f4a_7c15 &+ UInt64(bytes.count))
        return fitted(mutator.mutate(encoding.decode(bytes), &random), maxSize: maxSize)
    }

    /// `LLVMFuzzerCustomCrossOver`: a splice of the two programs.
    public func crossOver(_ a: [UInt8], _ b: [UInt8], maxSize: Int, seed: UInt32) -> [UInt8] {
        var random = FuzzRandom(seed: UInt64(seed))
        var p = encoding.decode(a)
        mutator.apply(.splice, to: &p, corpus: [encoding.decode(b)], &random)
        return fitted(p, maxSize: maxSize)
    }

    private func fitted(_ program: FuzzProgram, maxSize: Int) -> [UInt8] {
        var p = program
        var bytes = encoding.encode(p)
        while bytes.count > maxSize, !p.calls.isEmpty {
            p.calls.removeLast()
            bytes = encoding.encode(p)
        }
        return bytes.count <= maxSize ? bytes : []
    }

    /// Minimizes a new bucket's program and writes its reproducer to `folder`.
    private func write(_ bucket: FindingBuckets.Bucket, to folder: String) {
        let title = bucket.title
        let (program, report) = Minimizer(budget: 400).minimize(bucket.reproducer, report: bucket.report) {
            executor.run($0).reports.first { FindingBuckets.title(of: $0) == title }
        }
        buckets.setMinimized(title, program, report: report)
        guard let minimized = buckets.buckets[title] else { return }
        let memory = "config memory=\(FuzzOptions.memorySize >> 20)M"
        let reproducer = Reproducer.finding(minimized, foundBy: "the libFuzzer target", configLines: [memory],
                                            table: table)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(Reproducer.fileName(for: title))
        try? reproducer.text().write(toFile: path, atomically: true, encoding: .utf8)
    }
}
