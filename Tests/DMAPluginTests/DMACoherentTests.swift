import BundledPlugins
import DMAPlugin
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// dma_alloc_coherent and dma_free_coherent: get_order's block, the mask, absurd sizes, and
/// frees of what was never a coherent buffer.
@Suite struct DMACoherentTests {
    static func fixture(leakCheck: Bool = false) throws -> MachineFixture {
        try MachineFixture(plugins: BundledPlugins.all, memory: 64 << 20, leakCheck: leakCheck)
    }

    @Test(arguments: [(1, 0), (4096, 0), (4097, 1), (12288, 2), (16384, 2), (16385, 3), (4 << 20, 10)])
    func theBlockIsGetOrderOfTheSize(size: Int, order: Int) throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma), pages = try #require(m.machine.pageAllocator)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            guard let (address, handle) = dma.allocCoherent(dev, size: size, gfp: .kernel, on: m.cpu),
                  let pfn = m.space.directMapFrame(address) else {
                Issue.record("no coherent buffer of \(size) bytes")
                return
            }
            #expect(pages.allocationOrder(of: pfn) == order)
            #expect(handle == UInt64(pfn.index * PAGE_SIZE))
            // Initialized up to PAGE_ALIGN(size), by the memset.
            let aligned = (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE
            #expect(m.shadow(address + aligned - 1) == 0)
            dma.freeCoherent(dev, size: size, address, handle: handle, on: m.cpu)
            #expect(pages.allocationOrder(of: pfn) == nil)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func aBufferBeyondTheMaskIsNotHandedOut() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma), pages = try #require(m.machine.pageAllocator)
        m.run("test_fn") {
            let dev = dma.device(named: "isa", mask: 64, on: m.cpu)
            #expect(dma.setMask(dev, bits: 12, on: m.cpu) == 0)
            let before = pages.freeFrames
            #expect(dma.allocCoherent(dev, size: 4096, gfp: .kernel, on: m.cpu) == nil)
            #expect(pages.freeFrames == before)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func anAbsurdSizeFailsAsAllocPagesDoes() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            #expect(dma.allocCoherent(dev, size: .max, gfp: [.kernel, .noWarn], on: m.cpu) == nil)
            #expect(dma.allocCoherent(dev, size: 0, gfp: .kernel, on: m.cpu) == nil)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func freeingAnAddressOutsideTheDirectMapIsAnInvalidFree() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            dma.freeCoherent(dev, size: 4096, KernelAddress(0xffff_c900_0000_0000), handle: 0x1000, on: m.cpu)
        }
        // dma-debug's "has not allocated", then virt_to_page's failure.
        #expect(m.titles == ["HARNESS: invalid-free in test_fn", "HARNESS: invalid-free in test_fn"])
    }

    @Test func aLiveCoherentBufferIsOneLeak() throws {
        let m = try Self.fixture(leakCheck: true)
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            _ = dma.allocCoherent(dev, size: 8192, gfp: .kernel, on: m.cpu)
            m.machine.checkLeaks(on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: leak in test_fn"])
    }
}
