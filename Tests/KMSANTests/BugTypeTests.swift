import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// Bug type = reason x UAF bit of the reported origin (the six KMSAN bug types).
@Suite struct BugTypeTests {
    @Test(arguments: [
        (KMSANReportReason.any, false, "uninit-value"), (.any, true, "use-after-free"),
        (.copyToUser, false, "kernel-infoleak"), (.copyToUser, true, "kernel-infoleak-after-free"),
        (.submitURB, false, "kernel-usb-infoleak"), (.submitURB, true, "kernel-usb-infoleak-after-free"),
    ])
    func bugTypeTable(reason: KMSANReportReason, uaf: Bool, name: String) {
        #expect(KMSANBugType(reason: reason, useAfterFree: uaf).rawValue == name)
    }

    @Test func useOfFreedMemoryIsUseAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.freePages(page)
            m.use(.bits8, at: page + 3)
        }
        #expect(m.titles == ["KMSAN: use-after-free in test_case"])
    }

    @Test func useOfNeverInitializedMemoryIsUninitValue() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.run { m.use(.bits8, at: page + 3) }
        #expect(m.titles == ["KMSAN: uninit-value in test_case"])
    }

    @Test func copyToUserOfFreedMemoryIsInfoleakAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.freePages(page)
            m.cpu.call("_copy_to_user") {
                m.runtime.copyToUser(to: KernelAddress(0x7f00_0000_0000), from: page, toCopy: 8, left: 0, on: m.cpu)
            }
        }
        #expect(m.titles == ["KMSAN: kernel-infoleak-after-free in _copy_to_user"])
    }

    @Test func urbOfFreedMemoryIsUSBInfoleakAfterFree() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages(gfp: [.kernel, .zero])
        m.run {
            m.freePages(page)
            m.cpu.call("usb_submit_urb") {
                m.runtime.handleURB(transferBuffer: page, length: 16, isOut: true, on: m.cpu)
            }
        }
        #expect(m.titles == ["KMSAN: kernel-usb-infoleak-after-free in usb_submit_urb"])
    }
}
