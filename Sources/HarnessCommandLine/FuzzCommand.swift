import ArgumentParser
import Foundation
import HarnessCore
import HarnessFuzz
import KMSAN
import KernelMemory

/// `fuzz`: the built-in fuzz loop over the tool's plugins (see `FuzzCampaign`).
public struct FuzzCommand<Tool: HarnessTool>: ParsableCommand {
    /// Name and help.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "fuzz",
            abstract: "Fuzz the plugins' ops with generated programs; save findings as reproducer scenarios.",
            discussion: """
                Programs are generated and mutated from the ops' declarations (`\(Tool.commandName) ops`) \
                and run on a machine restored to its boot state between runs. Every KMSAN, KASAN, \
                WARNING or HARNESS report is a finding, bucketed by title; each new bucket's program \
                is minimized and written to the findings folder as a .scenario file that \
                `\(Tool.commandName) replay` runs. The same seed and options give the same runs \
                (with --runs). Exit status: 0 with no findings, 1 with findings, 3 with an internal \
                KMSAN_WARN_ON under --fail-on-internal-warning, 64 for a usage error.
                """)
    }

    /// `--seed`.
    @Option(help: "Seed of the random source.")
    public var seed: UInt64 = 1
    /// `--runs`.
    @Option(help: "Stop after this many runs (default 10000 unless --time is given).")
    public var runs: Int?
    /// `--time`.
    @Option(name: .customLong("time"), help: ArgumentHelp("Stop after this many seconds.", valueName: "SECONDS"))
    public var time: Double?
    /// `--max-length`.
    @Option(help: "Longest program, in calls.")
    public var maxLength = 16
    /// `--plugins`.
    @Option(help: ArgumentHelp("Fuzz only the core's ops and these plugins' (comma-separated names).", valueName: "NAMES"))
    public var plugins: String?
    /// `--corpus`.
    @Option(help: ArgumentHelp("Corpus folder: programs are read from it at the start and new ones written at the end.",
                               valueName: "DIR"))
    public var corpus: String?
    /// `--seeds`.
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Scenario files or folders to start from.", valueName: "PATH"))
    public var seeds: [String] = []
    /// `--findings`.
    @Option(help: ArgumentHelp("Folder for reproducer scenarios (default: none written).", valueName: "DIR"))
    public var findings: String?
    /// `--jobs`.
    @Option(help: "Workers, one thread and machine each; results are merged.")
    public var jobs = 1
    /// `--diff`.
    @Option(help: ArgumentHelp("Run each program under two profiles and report differences (e.g. mainline,rfc-v3).",
                               valueName: "A,B"))
    public var diff: String?
    /// `--config`.
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "A machine setting as a scenario's config line gives it (repeatable), e.g. uxnet-planted-bug=on.",
        valueName: "KEY=VALUE"))
    public var config: [String] = []
    /// `--fail-on-internal-warning`.
    @Flag(help: "Exit 3 if some run hit a KMSAN_WARN_ON no program can cause (a bug in the runtime or a plugin).")
    public var failOnInternalWarning = false
    /// `--status-interval`.
    @Option(help: ArgumentHelp("Seconds between status lines on standard error.", valueName: "SECONDS"))
    public var statusInterval = 2.0

    /// Creates the command (ArgumentParser's requirement).
    public init() {}

    /// Refuses nonsense before anything runs.
    public func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if let time, !(time > 0) { throw ValidationError("--time must be a positive number of seconds") }
        guard (1...4096).contains(maxLength) else { throw ValidationError("--max-length must be 1...4096") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1...256") }
        guard statusInterval > 0 else { throw ValidationError("--status-interval must be positive") }
        _ = try profiles()
    }

    /// The `--diff` pair, or nil.
    func profiles() throws -> (KMSANPolicy, KMSANPolicy)? {
        guard let diff else { return nil }
        let names = diff.split(separator: ",").map(String.init)
        let policies = names.compactMap { n in KMSANPolicy.all.first { $0.name == n } }
        guard names.count == 2, policies.count == 2, names[0] != names[1] else {
            let known = KMSANPolicy.all.map(\.name).joined(separator: ", ")
            throw ValidationError("--diff takes two different profiles, e.g. mainline,rfc-v3 (known: \(known))")
        }
        return (policies[0], policies[1])
    }

    /// The campaign's options.
    func options(_ set: PluginSet) throws -> FuzzOptions {
        var o = FuzzOptions()
        o.seed = seed
        o.runs = runs
        o.duration = time
        o.maxLength = maxLength
        o.jobs = jobs
        o.differential = try profiles()
        o.statusInterval = statusInterval
        for line in config {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let key = set.configKey(named: parts[0]) else {
                throw ValidationError("--config takes KEY=VALUE with a known key (`\(Tool.commandName) ops` lists them): \(line)")
            }
            switch key.parse(parts[1]) {
            case .success(let setting):
                setting.apply(to: &o.configuration)
                if !["memory", "profile"].contains(key.name) { o.settingLines.append("config \(key.name)=\(parts[1])") }
            case .failure(let error):
                throw ValidationError("--config \(key.name): expected \(error.expected)")
            }
        }
        if let plugins {
            let names = Set(plugins.split(separator: ",").map(String.init))
            let known = Set(set.plugins.map(\.name))
            guard names.isSubset(of: known) else {
                let unknown = names.subtracting(known).sorted().joined(separator: ", ")
                throw ValidationError("unknown plugin(s) \(unknown); known: \(known.sorted().joined(separator: ", "))")
            }
            o.plugins = names
        }
        return o
    }

    /// Runs the campaign, writing status lines and the summary through `write`; the exit status.
    public func execute(write: @escaping @Sendable (_ text: String, _ toStandardError: Bool) -> Void) throws -> Int32 {
        let set = try Tool.pluginSet()
        var options = try options(set)
        let files = CorpusFiles(table: OpTable(set, onlyPlugins: options.plugins))
        options.initialCorpus = files.load(seeds + (corpus.map { [$0] } ?? []))
        let campaign = FuzzCampaign(plugins: set, options: options)
        let summary: FuzzCampaign.Summary
        do {
            let name = Tool.commandName
            summary = try campaign.run { status in write("\(name) fuzz: \(status)\n", true) }
        } catch {
            throw ValidationError("cannot boot a machine: \(error)")
        }
        if let corpus { try files.save(summary.corpus, to: corpus) }
        var written: [String: String] = [:]
        if let findings {
            try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
            for (title, reproducer) in summary.reproducers {
                let path = (findings as NSString).appendingPathComponent(Reproducer.fileName(for: title))
                try reproducer.text().write(toFile: path, atomically: true, encoding: .utf8)
                written[title] = path
            }
        }
        write(FuzzSummaryTable.text(summary, initialCorpus: options.initialCorpus.count, files: written), false)
        let internalWarnings = summary.buckets.buckets.values.filter { InternalWarnings.isInternal($0.report) }
        if failOnInternalWarning, !internalWarnings.isEmpty {
            let messages = internalWarnings.map { $0.report.message.first ?? $0.title }.joined(separator: "; ")
            write("\(Tool.commandName) fuzz: internal KMSAN_WARN_ON: \(messages)\n", true)
            return 3
        }
        return summary.buckets.buckets.isEmpty ? 0 : 1
    }

    /// Runs, printing as it goes, and exits with the status.
    public func run() throws {
        let status = try execute { text, toStandardError in
            (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// The table `fuzz` prints at the end.
enum FuzzSummaryTable {
    static func text(_ s: FuzzCampaign.Summary, initialCorpus: Int, files: [String: String]) -> String {
        var out = "runs \(s.runs) in \(String(format: "%.1f", s.elapsed)) s (\(Int(s.execsPerSecond)) exec/s), "
            + "corpus \(s.corpus.count) (\(initialCorpus) seeds), signal \(s.signal), findings \(s.buckets.buckets.count)\n"
        let rows = s.buckets.buckets.values.sorted { ($0.firstRun, $0.title) < ($1.firstRun, $1.title) }
        guard !rows.isEmpty else { return out }
        out += "  hits  first-run  calls  title\n"
        for b in rows {
            out += String(format: "%6d  %9d  %5d  ", b.hits, b.firstRun, b.reproducer.count) + b.title + "\n"
            if let path = files[b.title] { out += "                          -> \(path)\n" }
        }
        return out
    }
}
