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
        #expect(machine.ops.map(\.signature) == ["bump_alloc_page(gfp)", "toy_check_status(buffer)"])
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
}
