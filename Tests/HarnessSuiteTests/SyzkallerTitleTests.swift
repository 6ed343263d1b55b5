import Foundation
import HarnessTesting
import KMSAN
import ScenarioRunner
import Testing

/// syzkaller's parser must give every KMSAN report of the bundled suite a proper title:
/// `KMSAN: <bug-type> in <F>`, F being a frame of the report's first stack that survives the
/// skip list (report-format.md). The rule itself is tested on a positive and a negative twin.
@Suite struct SyzkallerTitleTests {
    /// The rule names the first frame that survives the skip list.
    @Test func aScenarioFrameBecomesTheTitle() {
        let text = """
            BUG: KMSAN: uninit-value in test_uninit_page+0x10/0x40
             test_uninit_page+0x10/0x40 Harnesses/kmsan/allocation.scenario:44

            Uninit was created at:
             alloc_pages+0x10/0x40
            """
        #expect(SyzkallerTitleRules.title(ofKMSANReport: text) == "KMSAN: uninit-value in test_uninit_page")
    }

    /// Twin: a scenario named with a skipped substring (`kmalloc`) leaves no frame to title
    /// the report after.
    @Test func aSkippedNameLeavesNoTitle() {
        let text = """
            BUG: KMSAN: uninit-value in test_uninit_kmalloc+0x10/0x40
             test_uninit_kmalloc+0x10/0x40 Harnesses/kmsan/allocation.scenario:44

            Uninit was created at:
             kmalloc+0x10/0x40
            """
        #expect(SyzkallerTitleRules.title(ofKMSANReport: text) == nil)
    }

    /// The other side of the filter below: the same uninitialized head under rfc-v3 prints the
    /// RFC's `dump_stack()` layout, whose stack modern syzkaller does not find under the header.
    @Test func rfcLayoutIsNotTitled() throws {
        let rfc = try #require(BundledSuite.folder.cases.first { $0.resolved.scenario.name == "rfc_check_skb_reports_uninit_head" })
        let mainline = try #require(BundledSuite.folder.cases.first { $0.resolved.scenario.name == "transmit_uninit_head_reports_at_mapping" })
        let rfcReports = try #require(BundledSuite.folder.run(rfc)).reports
        let mainlineReports = try #require(BundledSuite.folder.run(mainline)).reports
        #expect(rfcReports.count == 1 && rfcReports[0].layout == .dumpStackAfterHeader)
        #expect(SyzkallerTitleRules.title(ofKMSANReport: rfcReports[0].kernelText) == nil)
        #expect(SyzkallerTitleRules.title(ofKMSANReport: mainlineReports[0].kernelText) == "KMSAN: uninit-value in dma_map_phys")
    }

    /// Every KMSAN report the bundled suite prints gets the title naming its header function,
    /// or, when syzkaller's skip list drops that function (`_copy_to_user`, `usb_submit_urb`),
    /// the first frame after it that survives: as syzbot titles infoleaks after the function
    /// that copied or submitted (past `usb_start_wait_urb` and the `usb_*_msg` helpers too).
    /// Reports in the RFC v3 layout are left out: syzkaller's KMSAN format parses the stack
    /// under the header, where the RFC printed `dump_stack()` output (`rfcLayoutIsNotTitled`).
    @Test func everyBundledKMSANReportHasAProperTitle() {
        let results = BundledSuite.folder.cases.compactMap { BundledSuite.folder.run($0) }
        let reports = results.flatMap(\.reports).filter { $0.tool == .kmsan && $0.layout == .stackUnderHeader }
        #expect(reports.count >= 30)
        for report in reports {
            let text = report.kernelText
            let title = SyzkallerTitleRules.title(ofKMSANReport: text)
            let skip = SyzkallerTitleRules.skip(forBugType: report.bugType)
            let named = report.stack.first { frame in
                skip.firstMatch(in: frame.function, range: NSRange(frame.function.startIndex..., in: frame.function)) == nil
            }
            #expect(named != nil, "\(text)")
            #expect(title == "KMSAN: \(report.bugType) in \(named?.function ?? "?")", "\(text)")
            if named?.function != report.function {
                #expect(["_copy_to_user", "_copy_to_iter", "usb_submit_urb"].contains(report.function), "\(text)")
            }
            if report.bugType.hasPrefix("kernel-usb-infoleak") {
                #expect(!["usb_start_wait_urb", "usb_bulk_msg", "usb_control_msg"].contains(named?.function ?? ""), "\(text)")
            }
        }
    }
}
