import HarnessTesting
import Testing
import Foundation
import KMSAN
import KernelMemory

/// The kernel's taint as reports print it: kernel/panic.c `print_tainted()` and
/// `print_tainted_verbose()`, lib/dump_stack.c `dump_stack_print_info()`, and who sets what
/// (`add_taint(TAINT_BAD_PAGE)` in mm/kmsan/report.c `kmsan_report`, TAINT_WARN in `__warn`).
@Suite struct TaintTests {
    /// `print_tainted()`: one character per flag of the 20 in Linux 6.18's `taint_flags`, 'G'
    /// for a clear PROPRIETARY_MODULE, ' ' for other clear flags.
    @Test func taintPrintsOneCharacterPerFlag() {
        let expected = "Tainted: G    B   W          "
        #expect(TaintFlags([.badPage, .warn]).printed == expected)
        #expect(expected.count == "Tainted: ".count + 20)
        #expect(TaintFlags([.badPage, .warn]).printedVerbose == "Tainted: [B]=BAD_PAGE, [W]=WARN")
        #expect(TaintFlags(letters: "BW") == [.badPage, .warn])
        #expect(TaintFlags([.warn, .badPage]).letters == "BW")
    }

    /// Twin: an untainted kernel prints `Not tainted` and no verbose line.
    @Test func anUntaintedKernelSaysSo() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let expected = "\nCPU: 0 UID: 0 PID: 1 Comm: kunit_try_catch Not tainted 6.18.0-kmsan-harness #1 PREEMPT(full) \n"
            + "Hardware name: kmsan-harness simulated machine\n"
        m.run { m.use(.bits32, at: page) }
        let r = try #require(m.reports.first)
        #expect(r.taint == [])
        #expect(r.kernelText.contains(expected))
    }

    /// A KMSAN report taints BAD_PAGE: the next report's CPU line says `Tainted: G    B`, and
    /// 6.10+ prints the verbose line under it.
    @Test func aKMSANReportTaintsTheNextOne() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let expected = "\nCPU: 0 UID: 0 PID: 1 Comm: kunit_try_catch Tainted: G    B               6.18.0-kmsan-harness #1 "
            + "PREEMPT(full) \nTainted: [B]=BAD_PAGE\nHardware name: kmsan-harness simulated machine\n"
        m.run {
            m.use(.bits32, at: page)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.map(\.taint) == [[], .badPage])
        #expect(m.reports.last?.kernelText.contains(expected) == true)
    }

    /// A KMSAN_WARN_ON taints WARN, not BAD_PAGE: the HARNESS finding after it shows `W`.
    @Test func aWarningTaintsWarn() throws {
        let m = try MachineFixture(runner: .kunit)
        let straddling = m.space.directMapAddress(of: PageFrameNumber(PhysicalMemory.framesPerSection)) - 8
        m.run {
            m.runtime.checkMemory(straddling, size: 16, on: m.cpu)
            m.runtime.reportHarnessFinding(.misuse, "after the warning", on: m.cpu)
        }
        #expect(m.reports.map(\.tool) == [.warning, .harness])
        #expect(m.reports.map(\.taint) == [[], .warn])
        #expect(m.reports.last?.kernelText.contains("\nTainted: [W]=WARN\n") == true)
    }

    /// Twin: neither a HARNESS finding nor `warn_alloc`'s page allocation failure (a stack
    /// dump, not a `WARN()`) taints the kernel.
    @Test func harnessFindingsAndAllocationFailuresTaintNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.reportHarnessFinding(.misuse, "first", on: m.cpu)
            m.runtime.reportWarning(.pageAllocationFailure, ["page allocation failure"], on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.map(\.tool) == [.harness, .warning, .kmsan])
        #expect(m.reports.map(\.taint) == [[], [], []])
    }

    /// JSON keeps the letters, and JSON written before taint flags (`tainted: true` only)
    /// reads as BAD_PAGE.
    @Test func jsonCarriesTheLetters() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.use(.bits32, at: page)
            m.use(.bits32, at: page)
        }
        let r = try #require(m.reports.last)
        #expect(r.jsonLine.contains("\"taint\":\"B\""))
        #expect(try KernelReport.fromJSONLine(r.jsonLine) == r)
        let legacy = r.jsonLine.replacingOccurrences(of: ",\"taint\":\"B\"", with: "")
        #expect(legacy != r.jsonLine)
        #expect(try KernelReport.fromJSONLine(legacy).taint == .badPage)
    }
}
