import BundledPlugins
import HarnessCore
import ScenarioLanguage
import Testing

/// What the parser resolves names against: the plugin set it is given, nothing else.
@Suite("Vocabulary")
struct VocabularyTests {
    @Test func pluginsContributeOpsAndConstants() {
        let plugins = TestOps.plugins
        #expect(plugins.op(named: "kmalloc")?.parameters.count == 2)
        #expect(plugins.op(named: "alloc_pages") != nil)
        #expect(plugins.op(named: "load32") != nil)
        #expect(plugins.constant(named: "SLAB_CTOR_ZERO")?.kind == .slabFlags)
        #expect(plugins.constant(named: "GFP_KERNEL")?.kind == .gfp)
    }

    /// Twin: without the plugins their ops are unknown.
    @Test func withoutPluginsTheirOpsAreUnknown() throws {
        let expected = ["unknown op 'kmalloc'"]
        let plugins = try PluginSet([], coreOps: TestOps.core)
        #expect(plugins.op(named: "kmalloc") == nil)
        let parsed = ScenarioParser.parse(scenario("  r0 = kmalloc(4, GFP_KERNEL)"), path: "t", plugins: plugins)
        #expect(parsed.diagnostics.map(\.message) == expected)
    }

    /// A statement holds the op it resolved to: the very op of the plugin set.
    @Test func statementsHoldTheirResolvedOp() {
        let statement = body(scenario("  r0 = kmalloc(4, GFP_KERNEL)")).first
        guard case .op(let op)? = statement?.target else {
            Issue.record("kmalloc did not resolve to an op")
            return
        }
        #expect(op.signature == TestOps.plugins.op(named: "kmalloc")?.signature)
    }
}
