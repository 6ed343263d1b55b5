import BundledPlugins
import DMAPlugin
import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// What dma_map_* refuses before it maps (DMA_MAPPING_ERROR and a HARNESS finding): memory
/// beyond the device's DMA mask, and memory outside the linear map (dma-debug's vmalloc check).
@Suite struct DMAMaskAndAddressTests {
    static func fixture(leakCheck: Bool = false) throws -> MachineFixture {
        try MachineFixture(plugins: BundledPlugins.all, memory: 64 << 20, leakCheck: leakCheck)
    }

    /// A zeroed page above 16 MiB.
    static func highPage(_ m: MachineFixture) -> KernelAddress? {
        guard let pages = m.machine.pageAllocator else { return nil }
        for _ in 0..<32 {
            guard let pfn = pages.allocPages([.kernel, .zero], order: 0, on: m.cpu) else { return nil }
            if pfn.index * PAGE_SIZE >= 16 << 20 { return m.space.directMapAddress(of: pfn) }
        }
        // The allocator hands out high frames first or last; take a block from the top instead.
        return pages.allocPages([.kernel, .zero], order: 10, on: m.cpu).map { m.space.directMapAddress(of: $0) + (4 << 20) - PAGE_SIZE }
    }

    @Test func memoryBeyondTheMaskIsNotMapped() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma)
        m.run("test_fn") {
            let dev = dma.device(named: "old", mask: 64, on: m.cpu)
            #expect(dma.setMask(dev, bits: 24, on: m.cpu) == 0)
            guard let high = Self.highPage(m), high.raw - PAGE_OFFSET.raw >= 16 << 20 else { return }
            #expect(dma.mapSingle(dev, high, size: 64, direction: .toDevice, on: m.cpu) == DMAMappings.mappingError)
        }
        #expect(m.titles == ["HARNESS: misuse in test_fn"])
    }

    @Test func aSixtyFourBitMaskMapsTheSameMemory() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma)
        m.run("test_fn") {
            let dev = dma.device(named: "new", mask: 64, on: m.cpu)
            guard let high = Self.highPage(m) else { return }
            let handle = dma.mapSingle(dev, high, size: 64, direction: .toDevice, on: m.cpu)
            #expect(handle == UInt64(high.raw - PAGE_OFFSET.raw))
            dma.unmapSingle(dev, handle, size: 64, direction: .toDevice, on: m.cpu)
        }
        #expect(m.reports.isEmpty)
    }

    @Test func vmallocMemoryIsNotMappedAsSingle() throws {
        let m = try Self.fixture()
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma), vmalloc = try #require(m.machine.vmalloc)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            guard let buffer = vmalloc.vzalloc(64, on: m.cpu) else { return }
            #expect(dma.mapSingle(dev, buffer, size: 64, direction: .toDevice, on: m.cpu) == DMAMappings.mappingError)
            vmalloc.vfree(buffer, on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: misuse in test_fn"])
    }

    @Test func aMappingLeftLiveIsALeak() throws {
        let m = try Self.fixture(leakCheck: true)
        defer { m.shutdown() }
        let dma = try #require(m.machine.dma), slab = try #require(m.machine.slab)
        m.run("test_fn") {
            let dev = dma.device(named: "nic", mask: 64, on: m.cpu)
            guard let buffer = slab.kmalloc(64, gfp: [.kernel, .zero], on: m.cpu) else { return }
            _ = dma.mapSingle(dev, buffer, size: 64, direction: .toDevice, on: m.cpu)
            slab.kfree(buffer, on: m.cpu)
            m.machine.checkLeaks(on: m.cpu)
        }
        #expect(m.titles == ["HARNESS: leak in test_fn"])
    }
}
