import HarnessCore
import HarnessTesting
import KMSAN
import KernelMemory
import Testing

/// Matching reports against `expect` lines, and the Swift-API helpers built on it.
@Suite struct ReportExpectationTests {
    func report(_ body: (KMSANRuntime, KernelCPU) -> Void) throws -> KernelReport {
        let sink = InMemoryReportSink()
        let runtime = try KMSANRuntime.boot(memorySize: 4 << 20, sink: sink)
        defer { runtime.shutdown() }
        let cpu = runtime.makeCPU()
        cpu.call("test_fn") { body(runtime, cpu) }
        return try #require(sink.reports.first)
    }

    func localReport() throws -> KernelReport {
        try report { rt, cpu in
            let x = rt.local(size: 4, name: "var", on: cpu)
            rt.checkMemory(x + 1, size: 2, on: cpu)
        }
    }

    @Test func everyClauseThatIsSetMustMatch() throws {
        let r = try localReport()
        #expect(ReportExpectation.kmsan(.uninitValue, in: "test_fn").mismatch(r) == nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "test_fn", bytes: ByteRange(first: 0, last: 1, size: 2), local: "var").mismatch(r) == nil)
    }

    @Test func aWrongClauseIsTheMismatch() throws {
        let r = try localReport()
        #expect(ReportExpectation.kmsan(.useAfterFree, in: "test_fn").mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "other").mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "test_fn", bytes: ByteRange(first: 1, last: 1, size: 2)).mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "test_fn", local: "other").mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "test_fn", createdAt: "kmalloc").mismatch(r) != nil)
    }

    @Test func theCPUClauseMatchesTheCPULine() throws {
        let r = try localReport()
        #expect(ReportExpectation(.kmsan, "uninit-value", in: "test_fn", cpu: 0).mismatch(r) == nil)
        #expect(ReportExpectation(.kmsan, "uninit-value", in: "test_fn", cpu: 1).mismatch(r) == "expected the report on CPU 1, got CPU 0")
    }

    /// A report raised in a `_noprof` function (Linux 6.10+'s allocation profiling renamed them).
    func noprofReport() throws -> KernelReport {
        try report { rt, cpu in
            let x = rt.local(size: 4, name: "var", on: cpu)
            cpu.call("kmalloc_noprof") { rt.checkMemory(x, size: 4, on: cpu) }
        }
    }

    @Test func aNameMatchesItsNoprofFunction() throws {
        let r = try noprofReport()
        #expect(r.function == "kmalloc_noprof")
        #expect(ReportExpectation.kmsan(.uninitValue, in: "kmalloc").mismatch(r) == nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "kmalloc_noprof").mismatch(r) == nil)
    }

    @Test func onlyTheWholeNoprofSuffixIsDropped() throws {
        let r = try noprofReport()
        #expect(ReportExpectation.kmsan(.uninitValue, in: "kmal").mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "kmalloc_nop").mismatch(r) != nil)
        #expect(ReportExpectation.kmsan(.uninitValue, in: "kmalloc_noprof_noprof").mismatch(r) != nil)
    }

    @Test func reportsAndExpectationsPairOneToOne() throws {
        let r = try localReport()
        let e = ReportExpectation.kmsan(.uninitValue, in: "test_fn")
        #expect(ReportExpectation.firstMismatch(expected: [e], actual: [r]) == nil)
        #expect(ReportExpectation.firstMismatch(expected: [], actual: []) == nil)
        #expect(ReportExpectation.firstMismatch(expected: [e, e], actual: [r])?.contains("has no report") == true)
        #expect(ReportExpectation.firstMismatch(expected: [], actual: [r]) == "expected no report, got KMSAN: uninit-value in test_fn")
    }

    @Test func theSwiftTestingHelperPassesOnAMatch() {
        let reports = expectReports([.kmsan(.uninitValue, in: "test_case", local: "x")], plugins: []) { machine, cpu in
            let x = machine.runtime.local(size: 4, name: "x", on: cpu)
            machine.runtime.branch(on: machine.runtime.load(.bits32, from: x, on: cpu), on: cpu)
        }
        #expect(reports.count == 1)
    }

    @Test func theSwiftTestingHelperRecordsAMismatchAtTheCaller() {
        withKnownIssue("the helper must record a mismatch") {
            expectReports([], plugins: []) { machine, cpu in
                let x = machine.runtime.local(size: 4, name: "x", on: cpu)
                machine.runtime.branch(on: machine.runtime.load(.bits32, from: x, on: cpu), on: cpu)
            }
        } matching: { issue in
            issue.sourceLocation?.fileName == "ReportExpectationTests.swift"
                && String(describing: issue).contains("expected no report, got KMSAN: uninit-value in test_case")
        }
    }
}
