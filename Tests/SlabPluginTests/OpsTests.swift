import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import SlabPlugin
import Testing

/// The scenario ops, run as a scenario interpreter runs them.
@Suite struct OpsTests {
    @Test func signatures() throws {
        try withSlabMachine { m in
            let slabOps = m.machine.pluginSet.groups.first { $0.owner == "slub" }?.ops ?? []
            #expect(slabOps.map(\.signature) == [
                "kmem_cache_create(name, size, align, flags)", "kmem_cache_alloc(cache, gfp)", "kmem_cache_free(cache, obj)",
                "kmem_cache_destroy(cache)", "kmalloc(size, gfp)", "kzalloc(size, gfp)", "krealloc(p, size, gfp)",
                "kfree(p)", "ksize(p)",
            ])
            #expect(slabOps.allSatisfy { !$0.help.isEmpty && !$0.help.contains("\n") })
            #expect(m.machine.op(named: "kmem_cache_create")?.parameters.map(\.kind) == [.string, .integer, .integer, .slabFlags])
        }
    }

    @Test func theUninitKmallocScenario() throws {
        try withSlabMachine { m in
            let expected: [ReportExpectation] = [.kmsan(.uninitValue, in: "test_uninit_kmalloc", createdAt: "kmalloc")]
            try m.run("test_uninit_kmalloc") {
                let p = try m.op("kmalloc", [.int(4), .gfp(.kernel)])!
                m.use(.bits32, at: p.address)
                try m.op("kfree", [.value(p)])
            }
            m.expectReports(expected)
        }
    }

    @Test func kzallocOpGivesInitializedMemory() throws {
        try withSlabMachine { m in
            try m.run("test_fn") {
                let p = try m.op("kzalloc", [.int(4), .gfp(.kernel)])!
                m.use(.bits32, at: p.address)
                let size = try m.op("ksize", [.value(p)])
                #expect(size == .initialized(8))
                let q = try m.op("krealloc", [.value(p), .int(200), .gfp(.kernel)])!
                let newSize = try m.op("ksize", [.value(q)])
                #expect(newSize == .initialized(256))
                m.use(.bits32, at: q.address)
                try m.op("kfree", [.value(q)])
            }
            m.expectReports([])
        }
    }

    @Test func cacheOpsWithTheCtorPseudoFlag() throws {
        try withSlabMachine { m in
            try m.run("test_fn") {
                let flags = SlabPlugin.flagNames.first { $0.0 == "SLAB_CTOR_ZERO" }!.1
                let cache = try m.op("kmem_cache_create", [.string("ctor_cache"), .int(24), .int(0), .slabFlags(flags)])!
                #expect(!cache.address.isNull)
                let obj = try m.op("kmem_cache_alloc", [.value(cache), .gfp(.kernel)])!
                m.use(.bits64, at: obj.address + 16)   // the ctor zeroed it
                try m.op("kmem_cache_free", [.value(cache), .value(obj)])
                try m.op("kmem_cache_destroy", [.value(cache)])
            }
            m.expectReports([])
        }
    }

    @Test func cacheOpsWithoutACtorReport() throws {
        try withSlabMachine { m in
            try m.run("test_fn") {
                let cache = try m.op("kmem_cache_create", [.string("plain"), .int(24), .int(0), .slabFlags(.hwcacheAlign)])!
                let obj = try m.op("kmem_cache_alloc", [.value(cache), .gfp(.kernel)])!
                m.use(.bits64, at: obj.address + 16)
                try m.op("kmem_cache_free", [.value(cache), .value(obj)])
                try m.op("kmem_cache_free", [.value(cache), .value(obj)])
            }
            m.expectReports([
                .kmsan(.uninitValue, in: "test_fn", createdAt: "kmem_cache_alloc_noprof"), .harness(.doubleFree, in: "test_fn"),
            ])
        }
    }

    @Test func failuresReturnNullPointers() throws {
        try withSlabMachine { m in
            m.buddy.failureInjection = .allocations(matching: [])
            try m.run("test_fn") {
                let p = try m.op("kmalloc", [.int(64), .gfp(.kernel)])
                let cache = try m.op("kmem_cache_create", [.string("x"), .int(24), .int(0), .slabFlags([])])
                #expect(p == .pointer(.null))
                #expect(cache == .pointer(.null))
            }
        }
    }

    @Test func wrongArgumentKindsAreOpErrors() throws {
        try withSlabMachine { m in
            #expect(throws: OpError.self) { try m.op("kmem_cache_create", [.int(1), .int(24), .int(0), .int(0)]) }
            #expect(throws: OpError.self) { try m.op("kmalloc", [.int(4)]) }
            #expect(m.sink.reports.isEmpty)
        }
    }
}
