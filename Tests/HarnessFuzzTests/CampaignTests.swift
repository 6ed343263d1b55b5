import Foundation
import HarnessCommandLine
import HarnessCore
import HarnessFuzz
import KMSAN
import Testing

/// The built-in loop finds and minimizes a planted bug, and replays it (FuzzCampaign, Minimizer,
/// Reproducer, ReplayCommand).
@Suite struct CampaignTests {
    static let plantedTitle = "KMSAN: uninit-value in toy_dev_send"

    static func campaign(planted: Bool, runs: Int, seed: UInt64 = 41, jobs: Int = 1) throws -> FuzzCampaign.Summary {
        var options = FuzzOptions()
        options.seed = seed
        options.runs = runs
        options.jobs = jobs
        options.plugins = ["toy-dev"]
        return try FuzzCampaign(plugins: FuzzFixture.withToyDevice(planted: planted).plugins, options: options).run()
    }

    @Test func thePlantedBugIsFoundAndMinimizedWithinABoundedNumberOfRuns() throws {
        let summary = try Self.campaign(planted: true, runs: 2000)
        let bucket = try #require(summary.buckets.buckets[Self.plantedTitle])
        #expect(bucket.firstRun <= 500)
        #expect(bucket.isMinimized)
        #expect(bucket.reproducer.count == 1)
        #expect(bucket.report.byteRange == ByteRange(first: 8, last: 11, size: 16))
    }

    @Test func theFixedDriverGivesNoSuchFinding() throws {
        let summary = try Self.campaign(planted: false, runs: 2000)
        #expect(summary.buckets.buckets[Self.plantedTitle] == nil)
        #expect(summary.runs == 2000)
    }

    @Test func theReproducerReplaysUntilTheBugIsFixed() throws {
        let summary = try Self.campaign(planted: true, runs: 2000)
        let reproducer = try #require(summary.reproducers[Self.plantedTitle])
        let text = reproducer.text()
        #expect(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count <= 5)
        let path = NSTemporaryDirectory() + "planted-\(UUID().uuidString).scenario"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let buggy = try ReplayCommand<BuggyTool>.parse([path]).execute()
        let fixed = try ReplayCommand<FixedTool>.parse([path]).execute()
        #expect(buggy.status == 1, "\(buggy.standardError)\n\(text)")
        #expect(buggy.standardOutput.contains("REPRODUCES fuzz_prog"))
        #expect(fixed.status == 0)
        #expect(fixed.standardOutput.contains("FIXED fuzz_prog"))
    }

    @Test func theSameSeedGivesTheSameCampaign() throws {
        let a = try Self.campaign(planted: true, runs: 600, seed: 5)
        let b = try Self.campaign(planted: true, runs: 600, seed: 5)
        let c = try Self.campaign(planted: true, runs: 600, seed: 6)
        #expect(a.corpus == b.corpus)
        #expect(a.buckets.titles == b.buckets.titles)
        #expect(a.corpus != c.corpus)
    }

    @Test func jobsSplitTheRunsAndMergeTheFindings() throws {
        let summary = try Self.campaign(planted: true, runs: 1000, jobs: 2)
        #expect(summary.runs == 1000)
        #expect(summary.buckets.buckets[Self.plantedTitle] != nil)
    }

    @Test func theMinimizerKeepsTheFindingAndDropsTheRest() throws {
        let table = FuzzFixture.withToyDevice(planted: true)
        let executor = try FuzzExecutor(table: table)
        let send = table.index(of: "toy_dev_send")!, kmalloc = table.index(of: "kmalloc")!, kfree = table.index(of: "kfree")!
        let program = FuzzProgram([
            FuzzCall(op: kmalloc, arguments: [.literal(64), .literal(0xcc0)]),
            FuzzCall(op: send, arguments: [.literal(3)]),
            FuzzCall(op: send, arguments: [.literal(60)]),
            FuzzCall(op: kfree, arguments: [.result(0, offset: 0)]),
        ])
        let title = Self.plantedTitle
        let report = try #require(executor.run(program).reports.first { $0.title == title })
        let (minimal, kept) = Minimizer().minimize(program, report: report) { executor.run($0).reports.first { $0.title == title } }
        #expect(minimal == FuzzProgram([FuzzCall(op: send, arguments: [.literal(60)])]))
        #expect(kept.title == title)
    }

    @Test func aPredicateThatNeverHoldsLeavesTheProgram() throws {
        let table = FuzzFixture.withToyDevice(planted: true)
        let executor = try FuzzExecutor(table: table)
        let send = table.index(of: "toy_dev_send")!
        let program = FuzzProgram([FuzzCall(op: send, arguments: [.literal(60)]), FuzzCall(op: send, arguments: [.literal(2)])])
        let report = try #require(executor.run(program).reports.first)
        let (minimal, _) = Minimizer(budget: 50).minimize(program, report: report) { _ in nil }
        #expect(minimal == program)
    }
}

/// A tool whose toy driver has the bug.
enum BuggyTool: HarnessTool {
    static let commandName = "buggy"
    static var plugins: [any HarnessPlugin] { FuzzFixture.withToyDevice(planted: true).plugins.plugins }
}

/// The same tool with the bug fixed.
enum FixedTool: HarnessTool {
    static let commandName = "fixed"
    static var plugins: [any HarnessPlugin] { FuzzFixture.withToyDevice(planted: false).plugins.plugins }
}
