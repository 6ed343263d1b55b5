import HarnessTesting
import Foundation
import Testing
import KMSAN
import KernelMemory

/// RFC v3's report layout (`ReportLayout.dumpStackAfterHeader`): the seed's `kmsan_report()`
/// calls `dump_stack()` right after the header and prints no CPU line at the end.
@Suite struct RFCReportLayoutTests {
    /// The shared chained program (`MachineFixture.chainedReport`) on a machine following
    /// `policy`.
    func chainedReport(_ policy: KMSANPolicy) throws -> (MachineFixture, KernelReport) {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        return (m, try m.chainedReport())
    }

    @Test func rfcReportDumpsTheStackAfterTheHeader() throws {
        let (m, r) = try chainedReport(.rfcV3)
        let f = { (name: String, line: Int) in m.runtime.symbols.symbolize(m.runtime.symbols.site(in: name, file: "test", line: line).address) }
        let kunit = " kunit_try_run_case+0x\(String(r.stack[1].offset, radix: 16))/0x\(String(r.stack[1].size, radix: 16)) lib/kunit/test.c:388"
        let expected = """
        =====================================================
        BUG: KMSAN: uninit-value in \(f("test_case", 8).symbol)
        CPU: 0 PID: 1 Comm: kunit_try_catch Not tainted 6.18.0-kmsan-harness #1
        Hardware name: kmsan-harness simulated machine
        Call Trace:
         \(f("test_case", 8))
        \(kunit)

        Uninit was stored to memory at:
         \(f("helper_copy", 20))
         \(f("test_case", 7))
        \(kunit)

        Uninit was created at:
         \(r.origin[1].frames[0])
         \(r.origin[1].frames[1])
         \(f("test_case", 1))
        \(kunit)

        Bytes 0-3 of 4 are uninitialized
        Memory access of size 4 starts at \(r.accessAddress.map(hex16)!)
        =====================================================

        """
        #expect(r.layout == .dumpStackAfterHeader)
        #expect(r.kernelText == expected)
    }

    /// The same program under mainline keeps mainline's layout (the full text is pinned in
    /// ReportFormatTests): frames under the header, CPU line at the end.
    @Test func mainlineReportKeepsItsLayout() throws {
        let (_, r) = try chainedReport(.mainline)
        #expect(r.layout == .stackUnderHeader)
        #expect(!r.kernelText.contains("Call Trace:"))
        #expect(r.kernelText.hasSuffix("Hardware name: kmsan-harness simulated machine\n=====================================================\n"))
    }

    @Test(arguments: KMSANPolicy.all)
    func syzkallerParsesEveryFrameAndTheTitle(policy: KMSANPolicy) throws {
        let (_, r) = try chainedReport(policy)
        let frameLines = r.kernelText.split(separator: "\n").map(String.init).filter { $0.hasPrefix(" ") }
        #expect(frameLines.count == 9)
        for line in frameLines {
            #expect(SyzkallerTitle.function(ofFrameLine: line) != nil, "unparsed frame line: \(line)")
        }
        #expect(SyzkallerTitle.title(of: r.kernelText) == "KMSAN: uninit-value in test_case")
    }

    /// Syzkaller of the RFC's era parsed KMSAN reports as `Call Trace:` then the stack: the
    /// line after `Call Trace:` is the frame that names the bug.
    @Test func theFirstFrameFollowsTheCallTraceLine() throws {
        let (_, r) = try chainedReport(.rfcV3)
        let lines = r.kernelText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let callTrace = try #require(lines.firstIndex(of: "Call Trace:"))
        #expect(callTrace == 4)
        #expect(SyzkallerTitle.function(ofFrameLine: lines[callTrace + 1]) == "test_case")
    }

    /// A conditional use: no byte range, no access line, under either layout.
    @Test(arguments: KMSANPolicy.all)
    func aUseHasNoByteRange(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        let text = try #require(m.reports.first).kernelText
        #expect(!text.contains(" of 4 "))
        #expect(!text.contains("Memory access"))
    }

    /// The seed's `kmsan_print_origin()` words a local variable differently from mainline.
    @Test(arguments: [
        (KMSANPolicy.mainline, "\nLocal variable buf created at:\n deeper+"),
        (KMSANPolicy.rfcV3, "\nLocal variable description: buf\nVariable was created at:\n deeper+"),
    ])
    func localVariableWording(policy: KMSANPolicy, expectedBlock: String) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        m.run {
            m.cpu.call("deeper") {
                let x = m.runtime.local(size: 8, name: "buf", on: m.cpu)
                m.runtime.checkMemory(x, size: 8, on: m.cpu)
            }
        }
        #expect(try #require(m.reports.first).kernelText.contains(expectedBlock))
    }

    /// A depth-7 chain: mainline prints the "not recorded" marker; the seed has no such line.
    @Test(arguments: [(KMSANPolicy.mainline, true), (KMSANPolicy.rfcV3, false)])
    func depthSevenMarker(policy: KMSANPolicy, expectedMarker: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            var v = m.runtime.load(.bits32, from: page, on: m.cpu)
            for i in 1...9 {
                m.runtime.store(v, to: page + 8 * i, on: m.cpu)
                v = m.runtime.load(.bits32, from: page + 8 * i, on: m.cpu)
            }
            m.runtime.branch(on: v, on: m.cpu)
        }
        let r = try #require(m.reports.first)
        #expect(r.origin.first?.truncatedBefore == true)
        #expect(r.kernelText.contains("<Zero or more stacks not recorded to save memory>") == expectedMarker)
    }

    /// `kmsan.panic`: the seed panics with `panic_on_warn`'s message, and its 5.x `panic()`
    /// dumps the stack without `<TASK>` markers and without the verbose taint line.
    @Test(arguments: [
        (KMSANPolicy.mainline, "kmsan.panic set ...", ["dump_stack_lvl", "dump_stack", "vpanic", "panic", "kmsan_report"]),
        (KMSANPolicy.rfcV3, "panic_on_warn set ...", ["dump_stack", "panic", "kmsan_report"]),
    ])
    func panicLine(policy: KMSANPolicy, message: String, panicFrames: [String]) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit) { $0.panicOnReport = true }
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        let r = try #require(m.reports.first)
        #expect(r.kernelText.contains("=====================================================\nKernel panic - not syncing: \(message)\n"))
        #expect(r.kernelText.hasSuffix("---[ end Kernel panic - not syncing: \(message) ]---\n"))
        #expect(Array(r.panicTrace.prefix(panicFrames.count).map(\.function)) == panicFrames)
        #expect(r.kernelText.contains(" <TASK>\n") == (policy == .mainline))
        #expect(r.kernelText.contains("Tainted: [B]=BAD_PAGE") == (policy == .mainline))
    }

    /// HARNESS findings keep their own layout under RFC v3.
    @Test func harnessFindingsIgnoreTheLayout() throws {
        let m = try MachineFixture(policy: .rfcV3, runner: .kunit)
        m.run { m.runtime.reportHarnessFinding(.misuse, "oops", on: m.cpu) }
        let r = try #require(m.reports.first)
        #expect(r.layout == .stackUnderHeader)
        #expect(r.kernelText.contains("\noops\n test_case+"))
    }

    /// JSON: an RFC v3 report round-trips with its layout; a mainline one has no `layout` key.
    @Test(arguments: [(KMSANPolicy.mainline, false), (KMSANPolicy.rfcV3, true)])
    func jsonCarriesTheLayout(policy: KMSANPolicy, expectedKey: Bool) throws {
        let (_, r) = try chainedReport(policy)
        let line = r.jsonLine
        #expect(try KernelReport.fromJSONLine(line) == r)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let report = object?["report"] as? [String: Any]
        #expect((report?["layout"] != nil) == expectedKey)
        #expect(report?["tool"] as? String == "KMSAN")
    }
}
