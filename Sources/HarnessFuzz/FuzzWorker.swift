import HarnessCore
import KMSAN

/// One worker of a campaign: its own random source, corpus, signal, findings and machine(s).
/// Everything it does depends only on its seed and the number of runs it is given.
final class FuzzWorker {
    let generator: ProgramGenerator
    let mutator: ProgramMutator
    let options: FuzzOptions
    let seed: UInt64
    private var random: FuzzRandom
    private let executor: FuzzExecutor?
    private let oracle: DifferentialOracle?
    private(set) var corpus: [FuzzProgram] = []
    private(set) var signal = Set<UInt64>()
    private(set) var buckets = FindingBuckets()
    private(set) var reproducers: [String: Reproducer] = [:]
    private(set) var runs = 0
    private var minimizations: [String: Int] = [:]
    /// Per difference title, the ops of each minimized cause found so far.
    private var causes: [String: [Set<String>]] = [:]

    init(table: OpTable, options: FuzzOptions, seed: UInt64) throws(MachineError) {
        self.options = options
        self.seed = seed
        random = FuzzRandom(seed: seed)
        generator = ProgramGenerator(table: table, maxLength: options.maxLength)
        mutator = ProgramMutator(generator: generator)
        if let profiles = options.differential {
            oracle = try DifferentialOracle(table: table, configuration: options.configuration, profiles: profiles)
            executor = nil
        } else {
            executor = try FuzzExecutor(table: table, configuration: options.configuration)
            oracle = nil
        }
        for program in options.initialCorpus where table.validate(program) == nil { corpus.append(program) }
    }

    var table: OpTable { generator.table }

    /// Whether this worker's machines are restored between runs (false: booted per run).
    var restoresMachines: Bool { executor?.restoresMachines ?? oracle?.first.restoresMachines ?? false }

    /// The `config` lines a reproducer needs to run on the machine this worker fuzzes.
    var configLines: [String] {
        let c = options.configuration, defaults = MachineConfiguration()
        var lines: [String] = []
        if c.memorySize != defaults.memorySize { lines.append("config memory=\(c.memorySize >> 20)M") }
        if c.kmsan.policy != defaults.kmsan.policy { lines.append("config profile=\(c.kmsan.policy.name)") }
        return lines + options.settingLines
    }

    /// Runs, corpus size, signal size and bucket count, for status lines.
    var figures: (runs: Int, corpus: Int, signal: Int, findings: Int) {
        (runs, corpus.count, signal.count, buckets.buckets.count)
    }

    /// One run: a new or mutated program, its signal, its findings.
    func step() {
        let program = corpus.isEmpty || random.chance(1, in: 8)
            ? generator.generate(&random)
            : mutator.mutate(corpus[random.below(corpus.count)], corpus: corpus, &random)
        runs += 1
        if let oracle {
            let (a, b, difference) = oracle.run(program)
            keep(program, a.signal.union(b.signal))
            if let difference { recordDifference(difference, program: program) }
        } else if let executor {
            let outcome = executor.run(program)
            keep(program, outcome.signal)
            for title in buckets.record(outcome.reports, program: program, run: runs) {
                minimizeFinding(title)
            }
        }
    }

    /// Adds `program` to the corpus if it covered something new.
    private func keep(_ program: FuzzProgram, _ covered: Set<UInt64>) {
        let before = signal.count
        signal.formUnion(covered)
        if signal.count > before { corpus.append(program) }
    }

    /// Minimizes a new title's program while the title stays, and writes its reproducer.
    private func minimizeFinding(_ title: String) {
        guard let executor, let bucket = buckets.buckets[title] else { return }
        let (program, report) = Minimizer(budget: options.minimizeBudget).minimize(bucket.reproducer, report: bucket.report) {
            executor.run($0).reports.first { FindingBuckets.title(of: $0) == title }
        }
        buckets.setMinimized(title, program, report: report)
        if let minimized = buckets.buckets[title] {
            reproducers[title] = .finding(minimized, foundBy: "kmsan-harness fuzz, seed \(seed)", configLines: configLines,
                                          table: table)
        }
    }

    /// Files a difference: minimized while its title stays, then bucketed under that title and
    /// the ops of the minimized program (a title with several causes gets several buckets).
    private func recordDifference(_ difference: DifferentialOracle.Difference, program: FuzzProgram) {
        guard let oracle else { return }
        let coarse = difference.title
        let done = minimizations[coarse, default: 0]
        // A program holding every op of a cause already found is most likely that cause again:
        // only one that holds none of them is worth the runs a minimization takes.
        let calls = Set(program.calls.map { table.ops[$0.op].name })
        let known = causes[coarse, default: []].contains { $0.isSubset(of: calls) }
        guard !known, done < options.minimizationsPerDifference else {
            buckets.record(title: coarse, report: difference.report, program: program, run: runs)
            return
        }
        minimizations[coarse] = done + 1
        let minimizer = Minimizer(budget: options.minimizeBudget)
        let (minimal, report) = minimizer.minimize(program, report: difference.report) { candidate in
            guard let d = oracle.run(candidate).2, d.title == coarse else { return nil }
            return d.report
        }
        let ops = minimal.calls.map { table.ops[$0.op].name }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        causes[coarse, default: []].append(Set(ops))
        let title = coarse + " after " + ops.joined(separator: ", ")
        if buckets.record(title: title, report: report, program: minimal, run: runs) {
            buckets.setMinimized(title, minimal, report: report)
            let (x, y, _) = oracle.run(minimal)
            reproducers[title] = .difference(
                title, program: minimal, profiles: (oracle.profiles.0.name, oracle.profiles.1.name),
                reportsOfFirst: x.reports, reportsOfSecond: y.reports, configLines: configLines, table: table)
        }
    }
}
