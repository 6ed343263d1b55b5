import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// Core ops for values: `local`, loads, stores and `use`.
@Suite struct CoreOpsValueTests {
    @Test func anUninitializedLocalReportsWhenUsed() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_uninit_stack_var") {
            let x = try m.op("local", [.int(4), .string("cnt")])
            let v = try #require(try m.op("load32", [.ptr(x)]))
            #expect(v.width == .bits32)
            try m.op("use", [.value(v)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_uninit_stack_var"])
        #expect(m.reports.first?.origin.first?.variable == "cnt")
    }

    @Test func anInitializedLocalDoesNotReport() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_init_stack_var") {
            let x = try m.op("local", [.int(4), .string("cnt")])
            try m.op("store32", [.ptr(x), .int(1)])
            let v = try #require(try m.op("load32", [.ptr(x)]))
            #expect(v == .initialized(1, width: .bits32))
            try m.op("use", [.value(v)])
        }
        #expect(m.reports.isEmpty)
    }

    @Test func storingAnUninitializedValueChainsItsOrigin() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let a = try m.op("local", [.int(8), .string("a")], line: 1)
            let b = try m.op("local", [.int(8), .string("b")], line: 2)
            let v = try #require(try m.op("load64", [.ptr(a)], line: 3))
            try m.op("store64", [.ptr(b), .value(v)], line: 4)
            try m.op("use", [.value(try #require(try m.op("load64", [.ptr(b)], line: 5)))], line: 6)
        }
        let r = try #require(m.reports.first)
        #expect(r.origin.map(\.kind) == [.storedAt, .localVariable])
    }

    @Test func storeWidthsTruncateTheValue() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("store64", [.ptr(x), .int(0)])
            try m.op("store8", [.ptr(x), .int(0x1234)])
            #expect(try m.op("load64", [.ptr(x)]) == .initialized(0x34))
            try m.op("store16", [.ptr(x), .int(0xabcdef)])
            #expect(try m.op("load16", [.ptr(x)]) == .initialized(0xcdef, width: .bits16))
        }
        #expect(m.reports.isEmpty)
    }

    @Test func loadingThroughAnInitializedPointerDoesNotReport() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_good_pointer") {
            let p = try m.op("local", [.int(8), .string("p")])
            let target = try m.op("local", [.int(8), .string("target")])
            try m.op("store64", [.ptr(p), .ptr(target)])
            try m.op("store64", [.ptr(target), .int(7)])
            let loaded = try #require(try m.op("load64", [.ptr(p)]))
            #expect(try m.op("load64", [.value(loaded)]) == .initialized(7))
        }
        #expect(m.reports.isEmpty)
    }

    @Test func loadingThroughAnUninitializedPointerIsAUse() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_bad_pointer") {
            let p = try m.op("local", [.int(8), .string("p")])
            let loaded = try #require(try m.op("load64", [.ptr(p)]))
            try m.op("load8", [.value(loaded)])
        }
        // The dereference reports the pointer; the (zero) address is then unmapped.
        #expect(m.titles == ["KMSAN: uninit-value in test_bad_pointer", "HARNESS: bad-access in test_bad_pointer"])
    }

    @Test func anUnmappedAddressIsABadAccessNotACrash() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_wild") {
            #expect(try m.op("load32", [.int(0x10)]) == .initialized(0, width: .bits32))
            try m.op("store64", [.int(0x10), .int(1)])
        }
        #expect(m.titles == ["HARNESS: bad-access in test_wild", "HARNESS: bad-access in test_wild"])
    }

    /// `local(-1)` asks for 2^64 - 1 bytes (and `0x7fffffffffffffff` for nearly as many): a
    /// kernel stack overflow, checked before any arithmetic on the size.
    @Test func aHugeLocalIsAStackOverflow() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame { () throws in
            #expect(try m.op("local", [.int(-1), .string("x")]) == .pointer(.null))
            #expect(try m.op("local", [.int(Int.max), .string("y")]) == .pointer(.null))
        }
        #expect(m.titles == ["HARNESS: misuse in test_fn", "HARNESS: misuse in test_fn"])
    }
}
