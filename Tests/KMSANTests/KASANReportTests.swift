import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// The KASAN report API plugins use (`reportKASAN`), in mm/kasan/report.c's layout.
@Suite struct KASANReportTests {
    /// A vmalloc out-of-bounds read as a vmalloc plugin would report it, with the description
    /// lines it composes.
    private func vmallocReport(_ m: MachineFixture) throws -> KernelReport {
        let address = VMALLOC_START + 0x1000 + 0x80
        m.run("test_oob_read") {
            m.runtime.reportKASAN(.vmallocOutOfBounds, KASANAccess(.read, size: 1), at: address, description: [
                "The buggy address belongs to the virtual mapping at",
                " [ffffc90000001000, ffffc90000003000) created by:",
                " vmalloc_oob+0x36/0x610",
                "",
            ], on: m.cpu)
        }
        return try #require(m.reports.first)
    }

    @Test func theLayoutIsTheKernels() throws {
        let m = try MachineFixture()
        let r = try vmallocReport(m)
        let lines = r.kernelText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(r.title == "KASAN: vmalloc-out-of-bounds in test_oob_read")
        #expect(lines[0] == Substring(String(repeating: "=", count: 66)))
        #expect(lines[1].hasPrefix("BUG: KASAN: vmalloc-out-of-bounds in test_oob_read+0x"))
        #expect(lines[2] == "Read of size 1 at addr \(hex16((VMALLOC_START + 0x1080).raw)) by task kunit_try_catch/1")
        #expect(lines[3] == "")
        #expect(lines[4].hasPrefix("CPU: 0 UID: 0 PID: 1 Comm: kunit_try_catch Not tainted "))
        #expect(lines[5] == "Hardware name: kmsan-harness simulated machine")
        #expect(lines[6...8] == ["Call Trace:", " <TASK>", Substring(" " + r.stack[0].description)])
        #expect(lines[9] == " </TASK>")
        #expect(lines[11] == "The buggy address belongs to the virtual mapping at")
        #expect(lines.last == "" && lines[lines.count - 2] == Substring(String(repeating: "=", count: 66)))
    }

    /// Twin: an access of unknown size prints no size, and a write says so.
    @Test func anAccessOfUnknownSizePrintsNoSize() throws {
        let m = try MachineFixture()
        m.run("wild") {
            m.runtime.reportKASAN(.wildMemoryAccess, KASANAccess(.write, size: 0), at: KernelAddress(0xdead_0000_0000_0000),
                                  description: [], on: m.cpu)
        }
        let text = try #require(m.reports.first).kernelText
        #expect(text.contains("\nWrite at addr dead000000000000 by task kunit_try_catch/1\n"))
        #expect(!text.contains("of size"))
    }

    /// The typed kind reads back, the JSON round-trips, and later reports are tainted.
    @Test func theKindJSONAndTaintFollow() throws {
        let m = try MachineFixture()
        let r = try vmallocReport(m)
        #expect(r.kind == .kasan(.vmallocOutOfBounds))
        #expect(try KernelReport.fromJSONLine(r.jsonLine) == r)
        _ = try vmallocReport(m)
        #expect(m.reports.last?.taint == .badPage)
        #expect(r.taint == [])
    }

    /// Every printed bug type maps to its typed kind and back.
    @Test func reportKindsRoundTrip() {
        for tool in [KernelReport.Tool.kmsan, .kasan, .harness, .warning] {
            for type in ReportKind.bugTypes(of: tool) {
                let kind = ReportKind(tool: tool, bugType: type)
                #expect(kind?.tool == tool && kind?.bugType == type)
            }
        }
        #expect(ReportKind(tool: .kasan, bugType: "uninit-value") == nil)
    }
}
