import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// Plugins from outside the core install and run like the bundled ones.
@Suite struct ThirdPartyPluginTests {
    @Test func alternativeAllocatorAndDriverRunTogether() throws {
        let sink = InMemoryReportSink()
        let machine = try Machine(plugins: [ToyDriverPlugin(), BumpPageAllocatorPlugin()], sink: sink)
        defer { machine.shutdown() }
        #expect(machine.plugins.map(\.name) == ["bump-pages", "toy-driver"])
        #expect(machine.pageAllocator is BumpPages)
        // The plugins' own ops, and the standard page ops the bump allocator gets as a provider.
        let standardPageOps = StandardOps.ops(for: .pageAllocator).map(\.signature)
        #expect(machine.ops.map(\.signature) == ["toy_check_status(buffer)"] + standardPageOps + ["bump_alloc_page(gfp)"])
        let cpu = machine.makeCPU()
        cpu.call("test_driver_reads_uninit_status") {
            let page = try? machine.op(named: "bump_alloc_page")!.run(
                OpInvocation(machine: machine, cpu: cpu, arguments: [.value(.initialized(UInt64(GFPFlags.kernel.rawValue)))]))
            _ = try? machine.op(named: "toy_check_status")!.run(
                OpInvocation(machine: machine, cpu: cpu, arguments: [.value(page!)]))
        }
        #expect(sink.reports.map(\.title) == ["KMSAN: uninit-value in toy_check_status"])
        #expect(sink.reports.first?.origin.last?.frames.first?.function == "bump_alloc_pages")
    }

    @Test func theDriverSeesNoReportOnAZeroedPage() {
        expectReports([], plugins: [BumpPageAllocatorPlugin(), ToyDriverPlugin()]) { machine, cpu in
            let page = machine.pageAllocator!.allocPagesAddress([.kernel, .zero], order: 0, on: cpu)!
            _ = try machine.op(named: "toy_check_status")!.run(OpInvocation(machine: machine, cpu: cpu, arguments: [.value(.pointer(page))]))
        }
    }

    @Test func theHelperMatchesTheDriversReport() {
        expectReports([.kmsan(.uninitValue, in: "toy_check_status", createdAt: "bump_alloc_pages")],
                      plugins: [BumpPageAllocatorPlugin(), ToyDriverPlugin()]) { machine, cpu in
            let page = machine.pageAllocator!.allocPagesAddress(.kernel, order: 0, on: cpu)!
            _ = try machine.op(named: "toy_check_status")!.run(OpInvocation(machine: machine, cpu: cpu, arguments: [.value(.pointer(page))]))
        }
    }

    @Test func leakCheckCoversThirdPartySubsystems() {
        var configuration = MachineConfiguration()
        configuration.leakCheck = true
        expectReports([.harness(.leak, in: "test_case")], plugins: [BumpPageAllocatorPlugin()], configuration: configuration) { machine, cpu in
            _ = machine.pageAllocator!.allocPages(.kernel, order: 1, on: cpu)
        }
    }

    @Test func nothingLeaksWhenEverythingIsFreed() {
        var configuration = MachineConfiguration()
        configuration.leakCheck = true
        expectReports([], plugins: [BumpPageAllocatorPlugin()], configuration: configuration) { machine, cpu in
            let pfn = machine.pageAllocator!.allocPages(.kernel, order: 1, on: cpu)!
            machine.pageAllocator!.freePages(pfn, order: 1, on: cpu)
        }
    }

    /// A third-party page allocator gets the standard page ops: `__get_free_pages`,
    /// `free_pages`, `copy_highpage` and `__free_pages` on handles work through the protocol's
    /// defaults, with no frames of the allocator's own.
    @Test func aThirdPartyAllocatorGetsTheStandardPageOps() throws {
        let m = try MachineFixture(plugins: [BumpPageAllocatorPlugin()], leakCheck: true)
        defer { m.shutdown() }
        m.run("test_bump_ops") {
            let page = try? m.op("alloc_pages", [.gfp(.kernel), .int(0)])
            let copy = try? m.op("alloc_pages", [.gfp([.kernel, .zero]), .int(0)])
            _ = try? m.op("copy_highpage", [.result(copy), .result(page)])
            let address = try? m.op("page_address", [.result(copy)])
            m.use(.bits8, at: KernelAddress(address?.value ?? 0))
            _ = try? m.op("__free_pages", [.result(page), .int(0)])
            _ = try? m.op("__free_pages", [.result(copy), .int(0)])
            let block = try? m.op("__get_free_pages", [.gfp(.kernel), .int(1)])
            _ = try? m.op("free_pages", [.result(block), .int(1)])
            m.machine.checkLeaks(on: m.cpu)
        }
        // The copy carries the source page's uninitialized metadata: one report, created by the bump allocator.
        m.expectReports([.kmsan(.uninitValue, in: "test_bump_ops", createdAt: "bump_alloc_pages")])
    }

    /// Twin: a bad handle through the defaults is a HARNESS finding naming the caller, not a crash.
    @Test func aBadHandleThroughTheDefaultsIsAHarnessFinding() throws {
        let m = try MachineFixture(plugins: [BumpPageAllocatorPlugin()])
        defer { m.shutdown() }
        m.run("test_bump_bad_handle") {
            _ = try? m.op("__free_pages", [.pointer(VMEMMAP_START + 3), .int(0)])
            _ = try? m.op("free_pages", [.pointer(VMALLOC_START), .int(0)])
            _ = try? m.op("copy_highpage", [.pointer(VMEMMAP_START + 3), .pointer(VMEMMAP_START + 5)])
        }
        m.expectReports([
            .harness(.invalidFree, in: "test_bump_bad_handle"), .harness(.invalidFree, in: "test_bump_bad_handle"),
            .harness(.badAccess, in: "test_bump_bad_handle"),
        ])
    }
}
