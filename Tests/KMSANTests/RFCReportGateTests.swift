import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Report gating under `ReportGate.allowReportingFlag` (the seed's per-task `allow_reporting`
/// flag) against mainline's nesting depth counter (`kmsan_disable_current`/`enable_current`).
@Suite struct RFCReportGateTests {
    /// Two disables and one enable: mainline is still one level deep and drops the report; the
    /// RFC v3 flag is a boolean, so one enable lets the report through.
    @Test(arguments: [(KMSANPolicy.mainline, 0), (KMSANPolicy.rfcV3, 1)])
    func disablesDoNotNestUnderTheFlag(policy: KMSANPolicy, expectedReports: Int) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.runtime.disableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
            m.runtime.enableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.count == expectedReports)
    }

    /// One disable drops reports under both gates; the matching enable brings them back.
    @Test(arguments: KMSANPolicy.all)
    func disableThenEnable(policy: KMSANPolicy) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
            #expect(m.reports.isEmpty)
            m.runtime.enableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    /// An enable without a disable: mainline's depth underflows (a runtime warning that turns
    /// KMSAN off); the flag is simply set again, and KMSAN goes on.
    @Test(arguments: [
        (KMSANPolicy.mainline, [KernelReport.Tool.warning], false),
        (KMSANPolicy.rfcV3, [KernelReport.Tool.kmsan], true),
    ])
    func enableWithoutDisable(policy: KMSANPolicy, expectedTools: [KernelReport.Tool], expectedEnabled: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.enableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.map(\.tool) == expectedTools)
        #expect(m.runtime.isEnabled == expectedEnabled)
    }

    /// `kmsan_task_exit`: both profiles drop the exited task's reports, through the depth
    /// (mainline) or the `allow_reporting` flag (RFC v3).
    @Test(arguments: [(KMSANPolicy.mainline, 1, true), (KMSANPolicy.rfcV3, 0, false)])
    func exitedTaskReportsNothing(policy: KMSANPolicy, expectedDepth: Int, expectedFlag: Bool) throws {
        let m = try MachineFixture(policy: policy, runner: .kunit)
        let page = m.allocPages()
        let task = m.cpu.current
        m.run {
            m.runtime.exitTask(task, on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.isEmpty)
        #expect(task.kmsan.depth == expectedDepth)
        #expect(task.kmsan.allowReporting == expectedFlag)
    }

    /// RFC v3 reads `current->kmsan.allow_reporting` even inside an interrupt: a task with
    /// reporting disabled gets no report from a hard interrupt it was interrupted by, while a
    /// task with reporting enabled does.
    @Test(arguments: [(true, 1), (false, 0)])
    func interruptsReadTheInterruptedTasksFlag(taskAllows: Bool, expectedReports: Int) throws {
        let m = try MachineFixture(policy: .rfcV3, runner: .kunit)
        let page = m.allocPages()
        m.run {
            if !taskAllows { m.runtime.disableCurrent(on: m.cpu) }
            m.cpu.withInterrupt(.hardirq) { m.cpu.call("irq_handler") { m.use(.bits32, at: page) } }
        }
        #expect(m.reports.count == expectedReports)
    }
}
