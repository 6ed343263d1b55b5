import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// When reports are dropped, and when they are not (kmsan-semantics.md, "Checks and reports").
@Suite struct ReportGatingTests {
    @Test func anUninitializedUseReportsOnce() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
        #expect(m.reports.first?.byteRange == nil)
    }

    @Test func thereIsNoDeduplication() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.use(.bits32, at: page)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.count == 2)
    }

    @Test func disabledKMSANDropsReports() throws {
        var options = KMSANOptions()
        options.enabled = false
        let m = try MachineFixture(options: options, runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.poisonMemory(page, size: 4, on: m.cpu)
            m.use(.bits32, at: page)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
        // With KMSAN off at allocation, pages are given initialized metadata.
        #expect(m.shadow(page, count: 4) == [0, 0, 0, 0])
    }

    @Test func disableCurrentDropsReportsUntilEnabledAgain() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.runtime.disableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
            m.runtime.enableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
            #expect(m.reports.isEmpty)
            m.runtime.enableCurrent(on: m.cpu)
            m.use(.bits32, at: page)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    @Test func reportingDepthIsPerTask() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let other = m.runtime.createTask(comm: "other")
        let first = m.cpu.current
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.cpu.switchTo(other)
            m.cpu.call("other_fn") { m.use(.bits32, at: page) }
            m.cpu.switchTo(first)
        }
        #expect(m.reports.map(\.comm) == ["other"])
    }

    @Test func originZeroIsNeverReported() throws {
        let m = try MachineFixture(runner: .kunit)
        m.run {
            m.runtime.branch(on: ShadowedValue(value: 0, shadow: 0xff, origin: .none, width: .bits8), on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func panicHaltsTheMachineAfterTheFirstReport() throws {
        var options = KMSANOptions()
        options.panicOnReport = true
        let m = try MachineFixture(options: options, runner: .kunit)
        let page = m.allocPages()
        #expect(!m.runtime.isHalted)
        m.run {
            m.use(.bits32, at: page)
            m.use(.bits32, at: page)
        }
        #expect(m.runtime.isHalted)
        #expect(m.reports.count == 1)
        #expect(m.reports.first?.panicked == true)
        #expect(m.reports.first?.kernelText.hasSuffix("---[ end Kernel panic - not syncing: kmsan.panic set ... ]---\n") == true)
    }

    @Test func withoutPanicTheMachineGoesOn() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits32, at: page) }
        #expect(!m.runtime.isHalted)
        #expect(m.reports.first?.panicked == false)
    }

    @Test func laterReportsShowTheTaint() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.use(.bits32, at: page)
            m.use(.bits32, at: page)
        }
        #expect(m.reports.map(\.taint) == [[], .badPage])
        #expect(m.runtime.reportCount == 2)
    }
}
