import HarnessTesting
import Testing
@testable import KMSAN
import KernelMemory

/// The gates of mm/kmsan/hooks.c: `kmsan_poison_memory` returns when KMSAN is off or in the
/// runtime; `kmsan_unpoison_memory` and `kmsan_check_memory` check only `kmsan_enabled`;
/// `kmsan_handle_dma` and `kmsan_handle_urb` check nothing.
@Suite struct HookGateTests {
    /// `kmsan_unpoison_memory`: "can be used from within KMSAN runtime".
    @Test func unpoisonWorksInsideTheRuntime() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.unpoisonMemory(page, size: 8, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.shadow(page, count: 8) == [UInt8?](repeating: 0, count: 8))
        #expect(m.runtime.isEnabled)
    }

    /// Twin: `kmsan_poison_memory` bails out inside the runtime (it would unwind and save a
    /// stack), and `kmsan_unpoison_memory` does nothing with KMSAN off.
    @Test func poisonInsideTheRuntimeAndUnpoisonWhenOffDoNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        let other = m.allocPages()
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.poisonMemory(page, size: 8, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
            m.runtime.disable()
            m.runtime.unpoisonMemory(other, size: 8, on: m.cpu)
        }
        #expect(m.shadow(page, count: 8) == [UInt8?](repeating: 0, count: 8))
        #expect(m.shadow(other, count: 8) == [UInt8?](repeating: 0xff, count: 8))
    }

    /// `kmsan_check_memory` has no in-runtime gate: `kmsan_report` only looks at the task's
    /// depth, so a check made from inside the runtime still reports.
    @Test func checkInsideTheRuntimeStillReports() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    /// Twin: a disabled task (nonzero depth) does not report from the same check.
    @Test func checkWithReportingDisabledDoesNotReport() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run {
            m.runtime.disableCurrent(on: m.cpu)
            m.runtime.checkMemory(page, size: 4, on: m.cpu)
            m.runtime.enableCurrent(on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    /// `kmsan_handle_dma` and `kmsan_handle_urb` take no gate: a FROM_DEVICE map or an IN URB
    /// unpoisons its buffer inside the runtime, and with KMSAN off.
    @Test func dmaAndURBUnpoisonInsideTheRuntimeAndWhenOff() throws {
        let m = try MachineFixture(runner: .kunit)
        let dma = m.allocPages()
        let urb = m.allocPages()
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.handleDMA(dma, size: 16, direction: .fromDevice, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
            m.runtime.disable()
            m.runtime.handleURB(transferBuffer: urb, length: 16, isOut: false, on: m.cpu)
        }
        #expect(m.shadow(dma, count: 16) == [UInt8?](repeating: 0, count: 16))
        #expect(m.shadow(urb, count: 16) == [UInt8?](repeating: 0, count: 16))
    }

    /// Twin: an OUT URB inside the runtime is checked and reports; with KMSAN off the same
    /// check finds nothing to report (`kmsan_report` returns while KMSAN is off).
    @Test func anOutURBInsideTheRuntimeReportsButNotWhenOff() throws {
        let m = try MachineFixture(runner: .kunit)
        let urb = m.allocPages()
        m.run {
            m.runtime.enterRuntime(m.cpu)
            m.runtime.handleURB(transferBuffer: urb, length: 16, isOut: true, on: m.cpu)
            m.runtime.leaveRuntime(m.cpu)
        }
        #expect(m.titles == ["KMSAN: kernel-usb-infoleak in test_case"])
        m.runtime.disable()
        m.run { m.runtime.handleURB(transferBuffer: urb, length: 16, isOut: true, on: m.cpu) }
        #expect(m.reports.count == 1)
    }
}
