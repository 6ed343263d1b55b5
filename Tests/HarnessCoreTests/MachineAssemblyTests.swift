import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// How a machine installs the explicit list of plugins it is given.
@Suite struct MachineAssemblyTests {
    struct Provider: HarnessPlugin {
        var name: String
        var provides: SubsystemKind?
        var requires: [SubsystemKind] = []
        var opNames: [String] = []
        var fails = false
        var ops: [ScenarioOp] { opNames.map { ScenarioOp($0, [], returnsValue: false, help: "test op") { _ throws(OpError) in nil } } }
        func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? {
            if fails { throw .pluginFailed(plugin: name, message: "refused") }
            for kind in requires where context.subsystem(kind, as: (any Subsystem).self) == nil {
                throw .pluginFailed(plugin: name, message: "\(kind) not installed first")
            }
            return provides.map { _ in Dummy() }
        }
    }
    final class Dummy: Subsystem {}

    func build(_ plugins: [any HarnessPlugin]) throws(MachineError) -> Machine {
        var configuration = MachineConfiguration()
        configuration.memorySize = 4 << 20
        return try Machine(configuration: configuration, plugins: plugins, sink: InMemoryReportSink())
    }

    @Test func pluginsInstallAfterWhatTheyRequire() throws {
        let m = try build([Provider(name: "slab", provides: .slab, requires: [.pageAllocator]), Provider(name: "pages", provides: .pageAllocator)])
        defer { m.shutdown() }
        #expect(m.plugins.map(\.name) == ["pages", "slab"])
        #expect(m.subsystem(.slab, as: Dummy.self) != nil)
    }

    @Test func independentPluginsKeepTheirOrder() throws {
        let m = try build([Provider(name: "b", provides: .usb), Provider(name: "a", provides: .dma)])
        defer { m.shutdown() }
        #expect(m.plugins.map(\.name) == ["b", "a"])
    }

    @Test func aMissingDependencyIsAnError() {
        #expect(throws: MachineError.missingSubsystem(plugin: "slab", requires: .pageAllocator)) {
            try build([Provider(name: "slab", provides: .slab, requires: [.pageAllocator])])
        }
    }

    @Test func twoProvidersOfOneSubsystemAreAnError() {
        #expect(throws: MachineError.duplicateProvider(.pageAllocator, plugins: ["a", "b"])) {
            try build([Provider(name: "a", provides: .pageAllocator), Provider(name: "b", provides: .pageAllocator)])
        }
    }

    @Test func aDependencyCycleIsAnError() {
        #expect(throws: MachineError.dependencyCycle(plugins: ["x", "y"])) {
            try build([Provider(name: "x", provides: .dma, requires: [.usb]), Provider(name: "y", provides: .usb, requires: [.dma])])
        }
    }

    @Test func twoOpsOfOneNameAreAnError() {
        #expect(throws: MachineError.duplicateOp("op", plugins: ["a", "b"])) {
            try build([Provider(name: "a", provides: nil, opNames: ["op"]), Provider(name: "b", provides: nil, opNames: ["op"])])
        }
    }

    @Test func opsAreFoundByName() throws {
        let m = try build([Provider(name: "a", provides: nil, opNames: ["first", "second"])])
        defer { m.shutdown() }
        #expect(m.op(named: "second")?.signature == "second()")
        #expect(m.op(named: "third") == nil)
    }

    @Test func aFailingPluginIsReportedAndNothingLeaks() {
        #expect(throws: MachineError.pluginFailed(plugin: "bad", message: "refused")) {
            try build([Provider(name: "bad", provides: .dma, fails: true)])
        }
    }

    @Test func aMachineWithoutPluginsStillHasARuntime() throws {
        let m = try build([])
        defer { m.shutdown() }
        #expect(m.pageAllocator == nil)
        #expect(m.ops.isEmpty)
        #expect(m.runtime.isEnabled)
    }

    @Test func badMemorySizesAreErrorsNotCrashes() {
        var configuration = MachineConfiguration()
        configuration.memorySize = 12345
        #expect(throws: MachineError.memory(.invalidMemorySize(12345))) {
            try Machine(configuration: configuration, plugins: [], sink: InMemoryReportSink())
        }
    }

    @Test func signaturesListParametersAndVariadics() {
        let op = ScenarioOp("printk", [.init("fmt", .string), .init("value", .value)], isVariadic: true, returnsValue: false, help: "h") { _ throws(OpError) in nil }
        #expect(op.signature == "printk(fmt, value, ...)")
    }
}
