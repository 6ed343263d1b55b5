import HarnessTesting
import HarnessCore
import KMSAN
import Testing

/// KMSAN's annotations as core ops.
@Suite struct CoreOpsAnnotationTests {
    @Test func poisonThenCheckReportsWithTheCallerAsCreator() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_poison") {
            let x = try m.op("local", [.int(8), .string("x")])
            try m.op("memset", [.ptr(x), .int(0), .int(8)])
            try m.op("kmsan_poison_memory", [.ptr(x), .int(2)])
            try m.op("kmsan_check_memory", [.ptr(x), .int(8)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_poison"])
        #expect(m.reports.first?.byteRange == ByteRange(first: 0, last: 1, size: 8))
        #expect(m.reports.first?.origin.first?.frames.first?.function == "test_poison")
    }

    @Test func unpoisoningPartOfASlotKeepsTheOriginOfTheRest() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_unpoison_memory") {
            let b = try m.op("local", [.int(4), .string("b")])
            try m.op("kmsan_unpoison_memory", [.ptr(b), .int(1)])
            try m.op("kmsan_check_memory", [.value(.pointer(.init(try #require(b).value + 1))), .int(3)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_unpoison_memory"])
    }

    @Test func disableCurrentSuppressesReportsUntilEnabled() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_disable") {
            let x = try m.op("local", [.int(4), .string("x")])
            try m.op("kmsan_disable_current")
            try m.op("kmsan_check_memory", [.ptr(x), .int(4)])
            #expect(m.reports.isEmpty)
            try m.op("kmsan_enable_current")
            try m.op("kmsan_check_memory", [.ptr(x), .int(4)])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_disable"])
    }

    @Test func enableWithoutDisableIsAWarningNotACrash() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame { try m.op("kmsan_enable_current") }
        #expect(m.reports.map(\.tool) == [.warning])
    }
}
