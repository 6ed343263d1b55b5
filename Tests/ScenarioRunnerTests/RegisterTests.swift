import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Registers, offsets and parameters.
@Suite struct RegisterTests {
    @Test func aRegisterPlusAnOffsetAddressesInsideAnObject() {
        let b = ScenarioBuilder("test_offsets").expecting(.kmsan(.uninitValue, in: "test_offsets", bytes: ByteRange(first: 4, last: 7, size: 8)))
            .with(
                op(0, "local", lit(8), str("buf"), line: 2),
                op("store32", r(0), lit(0), line: 3),
                op("kmsan_check_memory", r(0), lit(8), line: 4))
        #expect(run(b).verdict == .pass)
        let clean = ScenarioBuilder("test_offsets_clean").expecting(nil).with(
            op(0, "local", lit(8), str("buf"), line: 2),
            op("store32", r(0), lit(0), line: 3),
            op("store32", r(0, 4), lit(0), line: 4),
            op("kmsan_check_memory", r(0), lit(8), line: 5))
        #expect(run(clean).verdict == .pass)
    }

    @Test func registersAreLocalToAFuncCallAndParametersTakeOffsets() {
        let f = FunctionDecl(
            name: "init_second", parameters: ["buf"],
            body: [op(0, "add", p("buf", 4), lit(0), line: 21), op("store32", r(0), lit(7), line: 22)],
            returnValue: r(0), returnPosition: SourcePosition(line: 23, column: 3), position: SourcePosition(line: 20, column: 1))
        let b = ScenarioBuilder("test_params_offset").expecting(nil).function(f).with(
            op(0, "local", lit(8), str("buf"), line: 2),
            op("store32", r(0), lit(0), line: 3),
            call(1, "init_second", r(0), line: 4),
            op(2, "load32", r(1), line: 5),
            op(3, "sub", r(2), lit(7), line: 6),
            op("kmsan_check_memory", r(0), lit(8), line: 7),
            op("kunit_expect_eq", r(3), lit(0), line: 8))
        #expect(run(b).verdict == .pass)
    }

    @Test func aRegisterUsedBeforeItIsAssignedIsMisuseNotACrash() {
        let b = ScenarioBuilder("test_unassigned").expecting(.harness(.misuse, in: "test_unassigned"))
            .with(op("use", r(9), line: 2))
        let result = run(b)
        #expect(result.verdict == .pass)
        #expect(result.reports.first?.message.first?.contains("r9") == true)
    }

    @Test func opErrorsBecomeMisuseInTheCurrentFunctionAndTheResultIsZero() {
        let b = ScenarioBuilder("test_op_error").expecting(.harness(.misuse, in: "test_op_error"))
            .with(op(0, "this_cpu_ptr", lit(0x1234), line: 2), op("kunit_expect_eq", r(0), lit(0), line: 3))
        #expect(run(b).verdict == .pass)
    }

    /// Ops are resolved when the tree is built, so only a hand-built call of a func the file
    /// does not define is left to fail at run time: a HARNESS misuse, not a crash.
    @Test func anUnknownFuncIsMisuse() {
        let b = ScenarioBuilder("test_unknown").expecting(.harness(.misuse, in: "test_unknown"))
            .with(call("no_such_func", line: 3))
        #expect(run(b).verdict == .pass)
    }

    /// Twin: a func the file defines runs without a report.
    @Test func aDefinedFuncRuns() {
        let b = ScenarioBuilder("test_known").expecting(nil)
            .function(FunctionDecl(name: "helper", parameters: [], body: [op("use", lit(1), line: 11)], position: SourcePosition(line: 10, column: 1)))
            .with(call("helper", line: 3))
        #expect(run(b).verdict == .pass)
    }
}
