import HarnessCore
import HarnessFuzz
import KMSAN
import Testing

/// `--diff mainline,rfc-v3` rediscovers google/kmsan#70 (DifferentialOracle): RFC v3 wipes the
/// origin of a partly unpoisoned slot, so a check of the rest reports under mainline only.
@Suite struct DifferentialTests {
    @Test func aFixedSeedRediscoversKmsan70() throws {
        var options = FuzzOptions()
        // Seed 110 finds it at run 39 (the core ops as of the CPU ops); of seeds 70 to 110, it is
        // the one that does within 2000 runs.
        options.seed = 110
        options.runs = 2000
        options.differential = (.mainline, .rfcV3)
        options.plugins = []
        let summary = try FuzzCampaign(plugins: FuzzFixture.bundled.plugins, options: options).run()
        let table = FuzzFixture.bundled
        let unpoison = try #require(table.index(of: "kmsan_unpoison_memory"))
        let found = summary.buckets.buckets.values.filter { bucket in
            (bucket.title.hasPrefix("DIFF mainline/rfc-v3: only under mainline: KMSAN: uninit-value")
                || bucket.title.hasPrefix("DIFF mainline/rfc-v3: other bytes: KMSAN: uninit-value"))
                && bucket.isMinimized && bucket.reproducer.calls.contains { $0.op == unpoison }
        }
        let bucket = try #require(found.min { $0.reproducer.count < $1.reproducer.count })
        #expect(bucket.reproducer.count <= 4)
        // Replayed on each profile: mainline reports bytes RFC v3 lost the origin of.
        let oracle = try DifferentialOracle(table: table, configuration: MachineConfiguration(), profiles: (.mainline, .rfcV3))
        let (a, b, difference) = oracle.run(bucket.reproducer)
        #expect(a.reports.contains { r in !b.reports.contains { $0.title == r.title && $0.byteRange == r.byteRange } })
        #expect(difference != nil)
    }

    @Test func oneProfileAgainstItselfNeverDiffers() throws {
        let oracle = try DifferentialOracle(table: FuzzFixture.bundled, configuration: MachineConfiguration(),
                                            profiles: (.mainline, .mainline))
        for program in FuzzFixture.programs(200, seed: 71) {
            #expect(oracle.run(program).2 == nil)
        }
    }
}
