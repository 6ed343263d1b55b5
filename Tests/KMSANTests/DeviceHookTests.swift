import HarnessTesting
import Testing
import KMSAN
import KernelMemory

/// kmsan_handle_dma, kmsan_handle_urb and kmsan_copy_to_user.
@Suite struct DeviceHookTests {
    @Test func dmaToDeviceChecksEachPageOnItsOwn() throws {
        let m = try MachineFixture(runner: .kunit)
        let pages = m.allocPages(order: 1)
        m.cpu.call("dma_map_page_attrs") {
            m.runtime.handleDMA(pages + PAGE_SIZE - 4, size: 8, direction: .toDevice, on: m.cpu)
        }
        #expect(m.titles == ["KMSAN: uninit-value in dma_map_page_attrs", "KMSAN: uninit-value in dma_map_page_attrs"])
        #expect(m.reports.map(\.byteRange) == [ByteRange(first: 0, last: 3, size: 4), ByteRange(first: 0, last: 3, size: 4)])
        #expect(m.shadow(pages, count: 1) == [0xff])
    }

    @Test func dmaFromDeviceUnpoisonsWithoutChecking() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("dma_unmap_page_attrs") { m.runtime.handleDMA(page, size: 64, direction: .fromDevice, on: m.cpu) }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(page, count: 64) == [UInt8?](repeating: 0, count: 64))
    }

    @Test func bidirectionalDMAChecksThenUnpoisons() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("dma_map_page_attrs") { m.runtime.handleDMA(page, size: 16, direction: .bidirectional, on: m.cpu) }
        #expect(m.reports.count == 1)
        #expect(m.shadow(page, count: 16) == [UInt8?](repeating: 0, count: 16))
    }

    @Test func dmaNoneDoesNothing() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("dma_map_page_attrs") { m.runtime.handleDMA(page, size: 16, direction: .none, on: m.cpu) }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(page, count: 1) == [0xff])
    }

    @Test func urbOutChecksWithTheURBReason() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("usb_submit_urb") { m.runtime.handleURB(transferBuffer: page, length: 32, isOut: true, on: m.cpu) }
        #expect(m.titles == ["KMSAN: kernel-usb-infoleak in usb_submit_urb"])
    }

    @Test func urbInUnpoisons() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("usb_submit_urb") { m.runtime.handleURB(transferBuffer: page, length: 32, isOut: false, on: m.cpu) }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(page, count: 32) == [UInt8?](repeating: 0, count: 32))
    }

    @Test func copyToUserChecksTheCopiedBytesAndPrintsTheUserAddress() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        let user = KernelAddress(0x7fff_0000_1000)
        m.cpu.call("_copy_to_user") { m.runtime.copyToUser(to: user, from: page, toCopy: 16, left: 4, on: m.cpu) }
        let r = try #require(m.reports.first)
        #expect(r.title == "KMSAN: kernel-infoleak in _copy_to_user")
        #expect(r.byteRange == ByteRange(first: 0, last: 11, size: 12))
        #expect(r.kernelText.contains("Data copied to user address 00007fff00001000\n"))
    }

    @Test func copyToUserThatCopiedNothingDoesNotCheck() throws {
        let m = try MachineFixture(runner: .kunit)
        let page = m.allocPages()
        m.cpu.call("_copy_to_user") {
            m.runtime.copyToUser(to: KernelAddress(0x1000_0000), from: page, toCopy: 0, left: 0, on: m.cpu)
            m.runtime.copyToUser(to: KernelAddress(0x1000_0000), from: page, toCopy: 8, left: 8, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func copyToAKernelAddressMovesTheMetadata() throws {
        let m = try MachineFixture(runner: .kunit)
        let src = m.allocPages()
        let dst = m.allocPages(gfp: [.kernel, .zero])
        m.cpu.call("_copy_to_user") { m.runtime.copyToUser(to: dst, from: src, toCopy: 8, left: 0, on: m.cpu) }
        #expect(m.reports.isEmpty)
        #expect(m.shadow(dst, count: 8) == [UInt8?](repeating: 0xff, count: 8))
    }
}
