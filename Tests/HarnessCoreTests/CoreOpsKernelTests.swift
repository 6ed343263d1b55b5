import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// `printk`, the stack depot round trip, `kunit_expect_eq`, and the op listing itself.
@Suite struct CoreOpsKernelTests {
    @Test func everyCoreOpHasAUniqueNameASignatureAndOneLineOfHelp() {
        let names = CoreOps.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(CoreOps.all.allSatisfy { !$0.help.isEmpty && !$0.help.contains("\n") })
        #expect(coreOps?.op(named: "printk")?.signature == "printk(value, ...)")
        #expect(coreOps?.op(named: "memset16")?.signature == "memset16(addr, value, count)")
        let instructions = ["local", "load32", "store8", "use", "add", "shl", "not", "memcpy", "this_cpu_ptr", "kunit_expect_eq"]
        #expect(instructions.allSatisfy { coreOps?.op(named: $0)?.checksArgumentsEagerly == false })
        let functions = ["printk", "kmsan_check_memory", "copy_from_kernel_nofault", "alloc_percpu", "memset32"]
        #expect(functions.allSatisfy { coreOps?.op(named: $0)?.checksArgumentsEagerly == true })
    }

    @Test func printkWithoutEagerChecksReportsWhileFormatting() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_printk") {
            let x = try m.op("local", [.int(4), .string("uninit")])
            let v = try #require(try m.op("load32", [.ptr(x)]))
            try m.op("printk", [.value(v), .int(1)], eager: false)
        }
        #expect(m.titles == ["KMSAN: uninit-value in number"])
        #expect(m.reports.first?.stack.map(\.function) == ["number", "vsnprintf", "printk", "test_printk"])
    }

    @Test func printkWithEagerChecksReportsInTheCallerOnly() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_printk") {
            let x = try m.op("local", [.int(4), .string("uninit")])
            let v = try #require(try m.op("load32", [.ptr(x)]))
            try m.op("printk", [.value(v)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_printk"])
    }

    @Test func aStackSurvivesTheDepotRoundTrip() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_stackdepot_roundtrip") {
            let src = try m.op("local", [.int(128), .string("src_entries")])
            let dst = try m.op("local", [.int(128), .string("dst_entries")])
            let n = try #require(try m.op("stack_trace_save", [.ptr(src), .int(16), .int(0)]))
            #expect(n.value == 1)
            let handle = try #require(try m.op("stack_depot_save", [.ptr(src), .value(n), .int(0)]))
            #expect(handle.value != 0)
            let fetched = try #require(try m.op("stack_depot_fetch", [.value(handle), .ptr(dst), .int(16)]))
            try m.op("kunit_expect_eq", [.value(n), .value(fetched)])
            let a = try #require(try m.op("load64", [.ptr(src)]))
            let b = try #require(try m.op("load64", [.ptr(dst)]))
            try m.op("kunit_expect_eq", [.value(a), .value(b)])
        }
        #expect(m.reports.isEmpty)
    }

    @Test func kunitExpectEqOfDifferentValuesIsAHarnessFinding() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_expect") { try m.op("kunit_expect_eq", [.int(1), .int(2)]) }
        #expect(m.titles == ["HARNESS: expectation-failed in test_expect"])
        #expect(m.reports.first?.message == ["KUNIT_EXPECT_EQ failed: 0x1 != 0x2"])
    }

    @Test func kunitExpectEqOfAnUninitValueIsAUse() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_expect_uninit") {
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("kunit_expect_eq", [.ptr(try m.op("load64", [.ptr(x)])), .int(0)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_expect_uninit"])
    }

    @Test func stackOpsOnUnmappedBuffersAreBadAccesses() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_depot_wild") { () throws in
            #expect(try m.op("stack_trace_save", [.int(0x100), .int(4), .int(0)]) == .initialized(0))
            #expect(try m.op("stack_depot_save", [.int(0x100), .int(2), .int(0)])?.value == 0)
        }
        #expect(m.titles == ["HARNESS: bad-access in stack_trace_save", "HARNESS: bad-access in stack_depot_save"])
    }
}
