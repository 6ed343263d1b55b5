import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// `kmsan.panic`: mm/kmsan/report.c `kmsan_report` ends with `panic("kmsan.panic set ...\n")`,
/// and kernel/panic.c `vpanic()` prints the message, `dump_stack()` (a tainted CPU line, the
/// call trace from `dump_stack_lvl` down through `panic` and the reporter to the instrumented
/// code) and the end marker. Syzkaller needs that stack: a bare panic line is a separate,
/// corrupted "kernel panic" report.
@Suite struct PanicPathTests {
    static var panicking: KMSANOptions {
        var options = KMSANOptions()
        options.panicOnReport = true
        return options
    }

    @Test func aPanickingReportPrintsVpanicsDump() throws {
        let m = try MachineFixture(options: Self.panicking, runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        let r = try #require(m.reports.first)
        let expectedFunctions = ["dump_stack_lvl", "dump_stack", "vpanic", "panic", "kmsan_report"]
        #expect(Array(r.panicTrace.prefix(5).map(\.function)) == expectedFunctions)
        // After the reporter, the whole stack at the report, runtime frames included.
        #expect(Array(r.panicTrace.dropFirst(5).map(\.function).suffix(r.stack.count)) == r.stack.map(\.function))
        let tail = r.kernelText.components(separatedBy: "=====================================================\n").last ?? ""
        let lines = tail.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Kernel panic - not syncing: kmsan.panic set ...")
        #expect(lines[1] == "CPU: 0 UID: 0 PID: 1 Comm: kunit_try_catch Tainted: G    B               "
            + "6.18.0-kmsan-harness #1 PREEMPT(full) ")
        #expect(lines[2...5] == ["Tainted: [B]=BAD_PAGE", "Hardware name: kmsan-harness simulated machine", "Call Trace:", " <TASK>"])
        #expect(lines[6...10].map { $0.split(separator: "+").first.map(String.init) ?? "" }
            == [" dump_stack_lvl", " dump_stack", " vpanic", " panic", " kmsan_report"])
        #expect(lines.suffix(4) == [" </TASK>", "Kernel Offset: disabled",
                                    "---[ end Kernel panic - not syncing: kmsan.panic set ... ]---", ""])
    }

    /// Twin: without kmsan.panic nothing follows the report's closing separator.
    @Test func withoutPanicTheReportEndsAtItsSeparator() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        let r = try #require(m.reports.first)
        #expect(r.panicTrace.isEmpty)
        #expect(r.kernelText.hasSuffix("Hardware name: kmsan-harness simulated machine\n"
            + "=====================================================\n"))
        #expect(!r.kernelText.contains("Kernel panic"))
    }

    /// KASAN's `end_report` panics the same way with `kasan.fault=panic` (kmsan.panic here).
    @Test func aPanickingKASANReportNamesEndReport() throws {
        let m = try MachineFixture(options: Self.panicking, runner: .kunit)
        m.run("kasan_caller") {
            m.runtime.reportKASAN(.vmallocOutOfBounds, KASANAccess(.read, size: 1), at: KernelAddress(VMALLOC_START.raw + 0x1080),
                                  description: [], on: m.cpu)
        }
        let r = try #require(m.reports.first)
        #expect(r.panicTrace.prefix(6).map(\.function) == ["dump_stack_lvl", "dump_stack", "vpanic", "panic", "end_report", "kasan_report"])
        #expect(r.kernelText.contains("\nKernel panic - not syncing: kasan.fault=panic set ...\n"))
        #expect(r.kernelText.hasSuffix("---[ end Kernel panic - not syncing: kasan.fault=panic set ... ]---\n"))
    }
}
