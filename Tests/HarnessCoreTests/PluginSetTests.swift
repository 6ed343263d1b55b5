import BundledPlugins
import HarnessCore
import UserMemoryPlugin
import USBNetExample
import KMSAN
import KernelMemory
import Testing

/// The plugin set: the one owner of ops, constants and config keys, and its clash rules.
@Suite struct PluginSetTests {
    /// A plugin made of just the names it declares.
    struct Declaring: HarnessPlugin {
        var name: String
        var opNames: [String] = []
        var constantNames: [String] = []
        var keyNames: [String] = []
        var provides: SubsystemKind? { nil }
        var ops: [ScenarioOp] { opNames.map { ScenarioOp($0, [], returnsValue: false, help: "test op") { _ throws(OpError) in nil } } }
        var constants: [NamedConstant] { constantNames.map { NamedConstant($0, .integer, 1) } }
        var settings: [ConfigKey] { keyNames.map { ConfigKey.plugin($0, default: "off", help: "test key") } }
        func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? { nil }
    }

    @Test func theBundledSetHasTheCoreFirstThenEachPlugin() throws {
        let set = try BundledPlugins.pluginSet()
        #expect(set.groups.map(\.owner) == ["core", "page-allocator", "slub", "vmalloc", "dma", "user-memory", "usb", "skb", "uxnet"])
        #expect(set.ops.count == CoreOps.all.count + [SubsystemKind.pageAllocator, .slab, .vmalloc, .dma, .usb, .skb].map { StandardOps.ops(for: $0).count }.reduce(0, +)
                + UserMemoryPlugin().ops.count + UXNetPlugin().ops.count)
        #expect(set.op(named: "kmalloc")?.result == .slabObject)
        #expect(set.configKey(named: "leak-check")?.defaultValue == "off")
        #expect(set.flagKinds == [.gfp, .slabFlags])
    }

    /// A plugin op named like a core op is an error, never a silent shadowing.
    @Test func aPluginOpNamedLikeACoreOpIsAnError() {
        #expect(throws: MachineError.duplicateOp("memcpy", plugins: ["core", "p"])) {
            try PluginSet([Declaring(name: "p", opNames: ["memcpy"])])
        }
    }

    /// Twin: an op of a new name joins the set after the core's.
    @Test func aNewOpNameJoinsTheSet() throws {
        let set = try PluginSet([Declaring(name: "p", opNames: ["my_op"])])
        #expect(set.op(named: "my_op") != nil)
        #expect(set.ops.last?.name == "my_op")
    }

    @Test func twoPluginsWithOneOpNameAreAnError() {
        #expect(throws: MachineError.duplicateOp("op", plugins: ["a", "b"])) {
            try PluginSet([Declaring(name: "a", opNames: ["op"]), Declaring(name: "b", opNames: ["op"])])
        }
    }

    @Test func aConstantNamedLikeACoreConstantIsAnError() {
        #expect(throws: MachineError.duplicateConstant("GFP_KERNEL", plugins: ["core", "p"])) {
            try PluginSet([Declaring(name: "p", constantNames: ["GFP_KERNEL"])])
        }
    }

    @Test func aConfigKeyNamedLikeACoreKeyIsAnError() {
        #expect(throws: MachineError.duplicateConfigKey("panic", plugins: ["core", "p"])) {
            try PluginSet([Declaring(name: "p", keyNames: ["panic"])])
        }
    }

    /// Twin: a plugin's own key and constant of new names are found by name.
    @Test func newConstantsAndKeysAreFound() throws {
        let set = try PluginSet([Declaring(name: "p", constantNames: ["MY_CONSTANT"], keyNames: ["my-key"])])
        #expect(set.constant(named: "MY_CONSTANT")?.value == 1)
        #expect(set.configKey(named: "my-key")?.values == "on, off")
    }

    /// The core ops clash with each other too: a duplicated core op is caught the same way.
    @Test func duplicatedCoreOpsAreAnError() {
        let op = ScenarioOp("x", [], returnsValue: false, help: "test op") { _ throws(OpError) in nil }
        #expect(throws: MachineError.duplicateOp("x", plugins: ["core", "core"])) { try PluginSet([], coreOps: [op, op]) }
    }

    /// Parameter kinds are open: a plugin's kind is equal to itself by name and fits only itself
    /// (and `value`), while integers and pointers stand in for each other.
    @Test func parameterKindsFitByRole() {
        let mode = ScenarioOp.ParameterKind("toy-mode", noun: "a toy mode", example: "TOY_A", role: .enumeration)
        #expect(mode.fits(mode))
        #expect(mode.fits(.value))
        #expect(!mode.fits(.integer))
        #expect(ScenarioOp.ParameterKind.integer.fits(.pointer))
        #expect(!ScenarioOp.ParameterKind.gfp.fits(.slabFlags))
        #expect(mode.requirement == "a toy mode (e.g. TOY_A)")
    }

    /// Resource kinds form a tree: a refined kind may go where its parent is taken, not back.
    @Test func resourceKindsConformToTheirAncestors() {
        #expect(ResourceKind.slabObject.conforms(to: .address))
        #expect(!ResourceKind.address.conforms(to: .slabObject))
        #expect(!ResourceKind.page.conforms(to: .address))
        #expect(ResourceKind.slabObject.parentName == "address")
    }
}
