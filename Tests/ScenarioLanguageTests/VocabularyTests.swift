import HarnessCore
import PageAllocatorPlugin
import ScenarioLanguage
import SlabPlugin
import Testing

@Suite("Vocabulary")
struct VocabularyTests {
    @Test func pluginsContributeOpsAndConstants() {
        let vocabulary = ScenarioVocabulary(coreOps: TestOps.core, plugins: [PageAllocatorPlugin(), SlabPlugin()])
        #expect(vocabulary.op(named: "kmalloc")?.parameters.count == 2)
        #expect(vocabulary.op(named: "alloc_pages") != nil)
        #expect(vocabulary.op(named: "load32") != nil)
        #expect(vocabulary.constant(named: "SLAB_CTOR_ZERO")?.kind == .slabFlags)
        #expect(vocabulary.constant(named: "GFP_KERNEL")?.kind == .gfp)
    }

    @Test func withoutPluginsTheirOpsAreUnknown() {
        let expected = ["unknown op 'kmalloc'"]
        let vocabulary = ScenarioVocabulary(ops: TestOps.core, constants: NamedConstant.core)
        #expect(vocabulary.op(named: "kmalloc") == nil)
        let parsed = ScenarioParser.parse(scenario("  r0 = kmalloc(4, GFP_KERNEL)"), path: "t", vocabulary: vocabulary)
        #expect(parsed.diagnostics.map(\.message) == expected)
    }
}
