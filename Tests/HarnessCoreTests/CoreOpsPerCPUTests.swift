import HarnessTesting
import HarnessCore
import KMSAN
import KernelMemory
import Testing

/// Per-CPU variables: `alloc_percpu` and `this_cpu_ptr` over the machine's per-CPU area.
@Suite struct CoreOpsPerCPUTests {
    @Test func aFreshPerCPUVariableIsZeroedAndInitialized() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame {
            let p = try #require(try m.op("alloc_percpu", [.int(8)]))
            #expect(p.value != 0)
            let here = try m.op("this_cpu_ptr", [.value(p)])
            let v = try #require(try m.op("load64", [.ptr(here)]))
            #expect(v == .initialized(0))
            try m.op("use", [.value(v)])
        }
        #expect(m.reports.isEmpty)
    }

    @Test func anUninitValueWrittenToAPerCPUVariablePropagates() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_percpu_propagate") {
            let local = try m.op("local", [.int(4), .string("value")])
            let uninit = try #require(try m.op("load32", [.ptr(local)]))
            let p = try #require(try m.op("alloc_percpu", [.int(4)]))
            let here = try m.op("this_cpu_ptr", [.value(p)])
            try m.op("store32", [.ptr(here), .value(uninit)])
            try m.op("use", [.value(try #require(try m.op("load32", [.ptr(here)])))])
        }
        #expect(m.titles == ["KMSAN: uninit-value in test_percpu_propagate"])
    }

    @Test func everyCPUHasItsOwnCopyAtTheUnitStride() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        let p = try #require(m.machine.percpu.allocate(size: 16))
        let a = try #require(m.machine.percpu.pointer(p, cpu: 0))
        let b = try #require(m.machine.percpu.pointer(p, cpu: 3))
        #expect(b - a == 3 * PerCPUArea.unitSize)
        #expect(m.machine.percpu.pointer(p, cpu: PerCPUArea.possibleCPUs) == nil)
        let q = try #require(m.machine.percpu.allocate(size: 1))
        #expect(q - p == 16)
    }

    @Test func dereferencingAPerCPUPointerDirectlyIsABadAccess() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame("test_percpu_direct") {
            let p = try m.op("alloc_percpu", [.int(4)])
            try m.op("load32", [.ptr(p)])
        }
        #expect(m.titles == ["HARNESS: bad-access in test_percpu_direct"])
    }

    @Test func misuseOfThePerCPUOpsIsAnErrorOrNull() throws {
        let m = try MachineFixture()
        defer { m.shutdown() }
        try m.inFrame { () throws in
            #expect(try m.op("alloc_percpu", [.int(0)]) == .pointer(.null))
            #expect(try m.op("alloc_percpu", [.int(-4)]) == .pointer(.null))   // 2^64 - 4 bytes do not fit
            #expect(throws: OpError.self) { try m.op("this_cpu_ptr", [.int(0x1234)]) }
            #expect(try m.op("alloc_percpu", [.int(PerCPUArea.unitSize + 1)]) == .pointer(.null))
        }
        #expect(m.reports.isEmpty)
    }
}
