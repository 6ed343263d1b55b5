import BundledPlugins
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing
import USBPlugin

/// URBs through the Swift API a driver plugin uses: a plugin completion handler, references
/// kept by the host controller while in flight, the hook's direction, and absurd arguments.
@Suite struct URBLifecycleTests {
    static func fixture(leakCheck: Bool = false) throws -> MachineFixture {
        try MachineFixture(plugins: BundledPlugins.all, memory: 16 << 20, leakCheck: leakCheck)
    }

    /// A device, a `size`-byte kmalloc buffer and a URB, each test's starting point (nil if the
    /// machine could not provide them).
    static func parts(_ m: MachineFixture, _ usb: any USBSubsystem, buffer size: Int, gfp: GFPFlags = .kernel)
        -> (dev: KernelAddress, number: Int, buffer: KernelAddress, urb: KernelAddress)? {
        let dev = usb.usbDevice(named: "eth0", on: m.cpu)
        guard let number = usb.deviceNumber(dev), let buffer = m.machine.slab?.kmalloc(size, gfp: gfp, on: m.cpu),
              let urb = usb.allocURB(isoPackets: 0, gfp: .kernel, on: m.cpu) else { return nil }
        return (dev, number, buffer, urb)
    }

    /// Collects what a plugin's completion handler saw.
    final class Seen: @unchecked Sendable {
        var statuses: [UInt64] = []
    }

    @Test func aPluginHandlerRunsOnGivebackWithTheStatus() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb), slab = try #require(m.machine.slab)
        let seen = Seen()
        m.run("test_fn") {
            guard let (dev, number, buffer, urb) = Self.parts(m, usb, buffer: 64) else { return }
            let pipe = USBPipe(.bulk, device: number, endpoint: 1, isIn: true)
            let handler: @Sendable (KernelAddress, KernelCPU) -> Void = { urb, _ in
                seen.statuses.append(usb.field(.status, of: urb) ?? 99)
            }
            usb.fillURB(urb, URBFill(device: dev, pipe: pipe.rawValue, buffer: buffer, length: 64, completion: .handler(handler)),
                        on: m.cpu)
            #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == 0)
            #expect(usb.field(.status, of: urb) == UInt64(bitPattern: -115))
            usb.giveback(urb, actualLength: 16, status: 0, caller: nil, on: m.cpu)
            #expect(usb.field(.actualLength, of: urb) == 16)
            #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == 0)
            usb.killURB(urb, caller: nil, on: m.cpu)
            usb.freeURB(urb, on: m.cpu)
            #expect(usb.field(.status, of: urb) == nil)
            slab.kfree(buffer, on: m.cpu)
        }
        #expect(seen.statuses == [0, UInt64(bitPattern: -2)])
        #expect(m.reports.isEmpty)
    }

    @Test func theHostControllersReferenceOutlivesTheDrivers() throws {
        let m = try Self.fixture(leakCheck: true)
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let (dev, number, buffer, urb) = Self.parts(m, usb, buffer: 8, gfp: [.kernel, .zero]) else { return }
            let pipe = USBPipe(.bulk, device: number, endpoint: 2, isIn: false)
            usb.fillURB(urb, URBFill(device: dev, pipe: pipe.rawValue, buffer: buffer, length: 8, completion: .program("")),
                        on: m.cpu)
            usb.getURB(urb, on: m.cpu)
            #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == 0)
            usb.freeURB(urb, on: m.cpu)  // the driver still holds the usb_get_urb reference: no finding
            usb.giveback(urb, actualLength: 8, status: 0, caller: nil, on: m.cpu)
            #expect(usb.field(.actualLength, of: urb) == 8)
            usb.freeURB(urb, on: m.cpu)
            slab.kfree(buffer, on: m.cpu)
            m.machine.checkLeaks(on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func anINSubmissionUnpoisonsAndAnOUTOneChecks() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let (dev, number, buffer, urb) = Self.parts(m, usb, buffer: 32) else { return }
            for isIn in [true, false] {
                let pipe = USBPipe(.bulk, device: number, endpoint: isIn ? 1 : 2, isIn: isIn)
                usb.fillURB(urb, URBFill(device: dev, pipe: pipe.rawValue, buffer: buffer, length: 32, completion: .program("")),
                            on: m.cpu)
                #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == 0)
                usb.killURB(urb, caller: nil, on: m.cpu)
            }
            usb.freeURB(urb, on: m.cpu)
            slab.kfree(buffer, on: m.cpu)
        }
        // The IN submission initialized the buffer, so the OUT one that followed is quiet.
        #expect(m.reports.isEmpty)
    }

    @Test func absurdArgumentsAreErrnosOrFindingsNeverCrashes() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb)
        m.run("test_fn") {
            let dev = usb.usbDevice(named: "eth0", on: m.cpu)
            #expect(usb.allocURB(isoPackets: -1, gfp: .kernel, on: m.cpu) == nil)
            #expect(usb.allocURB(isoPackets: .max, gfp: .kernel, on: m.cpu) == nil)
            guard let urb = usb.allocURB(isoPackets: 0, gfp: .kernel, on: m.cpu) else { return }
            let pipe = USBPipe(rawValue: .max)
            usb.fillURB(urb, URBFill(device: dev, pipe: pipe.rawValue, buffer: .null, length: .max, completion: .program("")),
                        on: m.cpu)
            #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == -2)  // no endpoint 15 IN
            // Found by the fuzzer: a negative length read back through urb->transfer_buffer_length.
            usb.fillURB(urb, URBFill(device: dev, pipe: 0, buffer: .null, length: -1, completion: .program("")), on: m.cpu)
            #expect(usb.field(.transferBufferLength, of: urb) == 0xffff_ffff)
            #expect(usb.bulkMessage(dev, pipe: 0, data: .null, length: -1, actualLength: .null, on: m.cpu) == -22)
            usb.setMaximumResponse(dev, length: .max, on: m.cpu)
            usb.giveback(urb, actualLength: .max, status: .min, caller: nil, on: m.cpu)  // not in flight: one finding
            usb.freeURB(urb, on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: misuse in test_fn"])
    }

    /// A transfer length far past the buffer (the largest u32): unpoisoning it crosses into other pages'
    /// metadata, so KMSAN warns and disables itself (as the kernel's KMSAN_WARN_ON in
    /// kmsan_internal_set_shadow_origin would), and the device's write is refused before any
    /// host memory is taken for it.
    @Test func anAbsurdINLengthIsOneBadAccessAtGiveback() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            guard let (dev, number, buffer, urb) = Self.parts(m, usb, buffer: 64) else { return }
            let pipe = USBPipe(.bulk, device: number, endpoint: 1, isIn: true)
            usb.fillURB(urb, URBFill(device: dev, pipe: pipe.rawValue, buffer: buffer, length: 0xffff_ffff, completion: .program("")),
                        on: m.cpu)
            #expect(usb.submitURB(urb, gfp: .kernel, on: m.cpu) == 0)
            usb.giveback(urb, actualLength: .max, status: 0, caller: nil, on: m.cpu)
            #expect(usb.field(.actualLength, of: urb) == 0)
            usb.freeURB(urb, on: m.cpu)
            slab.kfree(buffer, on: m.cpu)
        }
        #expect(m.titles.count == 2)
        #expect(m.titles.first == "WARNING: kmsan-disabled in kmsan_warn_on")
        #expect(m.titles.last?.hasPrefix("HARNESS: bad-access") == true)
    }

    @Test func allocationStopsAtTheURBLimit() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let usb = try #require(m.machine.usb)
        let count = m.run("test_fn") { () -> Int in
            (0..<5000).reduce(0) { n, _ in n + (usb.allocURB(isoPackets: 0, gfp: .kernel, on: m.cpu) == nil ? 0 : 1) }
        }
        #expect(count == 4096)
        #expect(m.reports.isEmpty)
    }
}
