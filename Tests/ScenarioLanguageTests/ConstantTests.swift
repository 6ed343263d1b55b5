import HarnessCore
import KernelMemory
import ScenarioLanguage
import Testing

@Suite("Named constants and flag kinds")
struct ConstantTests {
    private let kernel = UInt64(GFPFlags.kernel.rawValue)
    private let zero = UInt64(GFPFlags.zero.rawValue)

    @Test func constantsResolveToLiterals() {
        let expected: [[Operand]] = [
            [.literal(kernel | zero), .literal(1)],
            [.literal(UInt64(PAGE_SIZE)), .literal(kernel)],
            [.literal(0), .register(0, offset: 0), .literal(16), .literal(TestOps.plugins.constant(named: "DMA_TO_DEVICE")?.value ?? 99)],
        ]
        let lines = "  r0 = alloc_pages(GFP_KERNEL|__GFP_ZERO, 1)\n  r1 = kmalloc(PAGE_SIZE, GFP_KERNEL)\n  r2 = dma_map_single(NULL, r0, 16, DMA_TO_DEVICE)"
        #expect(body(scenario(lines)).map(\.arguments) == expected)
    }

    @Test func pluginConstantsAreKnown() {
        let expected = SlabPlugin_ctorZero()
        let statements = body(scenario(#"  r0 = kmem_cache_create("c", 32, 0, SLAB_CTOR_ZERO|SLAB_POISON)"#))
        #expect(statements.first?.arguments.last == .literal(expected))
    }

    @Test func plainZeroMeansNoFlags() {
        let expected: [Operand] = [.literal(8), .literal(0)]
        #expect(body(scenario("  r0 = kmalloc(8, 0)")).first?.arguments == expected)
    }

    @Test func constantOfTheWrongKindIsAnError() {
        let expected = [
            "t.scenario:3:19: error: argument 2 of kmalloc must be gfp flags (e.g. GFP_KERNEL), got SLAB_POISON (slab flags)",
            "t.scenario:4:16: error: argument 1 of kmalloc must be an integer, got GFP_KERNEL (gfp flags)",
            "t.scenario:5:32: error: argument 4 of dma_map_single must be a DMA direction (e.g. DMA_TO_DEVICE), got GFP_KERNEL|__GFP_ZERO (gfp flags)",
        ]
        let lines = "  r0 = kmalloc(8, SLAB_POISON)\n  r1 = kmalloc(GFP_KERNEL, 0)\n  r2 = dma_map_single(0, 0, 4, GFP_KERNEL|__GFP_ZERO)"
        #expect(errors(scenario(lines)) == expected)
    }

    @Test func integerAndPointerConstantsFitEachOtherAndValues() {
        let expected: [[Operand]] = [[.literal(0)], [.literal(UInt64(PAGE_SIZE))], [.literal(0), .literal(0)]]
        #expect(body(scenario("  kfree(NULL)\n  use(PAGE_SIZE)\n  r0 = kmalloc(NULL, 0)")).map(\.arguments) == expected)
    }

    @Test func mixedOrNonFlagCombinationsAreErrors() {
        let expected = [
            "t.scenario:3:30: error: cannot combine SLAB_POISON (slab flags) with GFP_KERNEL (gfp flags) using '|'; expected flags of one kind",
            "t.scenario:4:16: error: PAGE_SIZE is an integer, not a flag; only gfp flags or slab flags combine with '|'",
            "t.scenario:5:16: error: only named flags combine with '|', not register r0",
        ]
        let lines = "  r0 = kmalloc(8, GFP_KERNEL|SLAB_POISON)\n  r1 = kmalloc(PAGE_SIZE|PAGE_SHIFT, 0)\n  r2 = kmalloc(r0|GFP_KERNEL, 0)"
        #expect(errors(scenario(lines)) == expected)
    }

    @Test func unknownConstantSuggestsTheClosest() {
        let expected = ["t.scenario:3:19: error: unknown name 'GFP_KERNL' (did you mean 'GFP_KERNEL'?); expected a register or named constant"]
        #expect(errors(scenario("  r0 = kmalloc(8, GFP_KERNL)")) == expected)
    }

    @Test func offsetOnAConstantIsAnError() {
        let expected = ["t.scenario:3:16: error: an offset applies to a register or parameter, not to the constant PAGE_SIZE"]
        #expect(errors(scenario("  r0 = kmalloc(PAGE_SIZE+1, 0)")) == expected)
    }
}

/// The slab plugin's `SLAB_CTOR_ZERO|SLAB_POISON`, from its constants.
private func SlabPlugin_ctorZero() -> UInt64 {
    let constants = TestOps.plugins
    return (constants.constant(named: "SLAB_CTOR_ZERO")?.value ?? 0) | UInt64(SlabFlags.poison.rawValue)
}
