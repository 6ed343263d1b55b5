import BundledPlugins
import HarnessCore
import HarnessFuzz
import KMSAN
import Testing

/// The fuzz loop finds the uxnet example driver's planted bug from a fixed seed, starting from
/// programs that are clean on the fixed driver (Harnesses/usbnet/uxnet_traffic.scenario), and
/// the fixed driver never leaks the header from the same start.
@Suite struct PlantedBugFuzzTests {
    static let title = "KMSAN: kernel-usb-infoleak in uxnet_start_xmit"
    static let seeds = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    static var traffic: String { "/" + seeds + "/Harnesses/usbnet/uxnet_traffic.scenario" }

    static func campaign(planted: Bool) throws -> FuzzCampaign.Summary {
        let set = try BundledPlugins.pluginSet()
        var options = FuzzOptions()
        options.seed = 7
        options.runs = 1500
        options.plugins = ["slub", "page-allocator", "dma", "user-memory", "usb", "skb", "uxnet"]
        if planted, case .success(let setting)? = set.configKey(named: "uxnet-planted-bug")?.parse("on") {
            setting.apply(to: &options.configuration)
        }
        options.initialCorpus = CorpusFiles(table: OpTable(set, onlyPlugins: options.plugins)).load([traffic])
        #expect(!options.initialCorpus.isEmpty)
        return try FuzzCampaign(plugins: set, options: options).run()
    }

    @Test func thePlantedBugIsFoundAndTitledAfterTheDriver() throws {
        let summary = try Self.campaign(planted: true)
        let bucket = try #require(summary.buckets.buckets[Self.title], "\(summary.buckets.titles)")
        #expect(bucket.report.byteRange?.first == 4)
        #expect(bucket.report.byteRange?.last == 7)
        #expect(bucket.report.stack.contains { $0.function == "uxnet_start_xmit" })
        #expect(bucket.isMinimized)
    }

    @Test func theFixedDriverNeverLeaksItsHeader() throws {
        let summary = try Self.campaign(planted: false)
        if let bucket = summary.buckets.buckets[Self.title] {
            #expect((bucket.report.byteRange?.first ?? 0) >= 8, "\(bucket.report.kernelText)")
        }
        #expect(summary.runs == 1500)
    }
}
