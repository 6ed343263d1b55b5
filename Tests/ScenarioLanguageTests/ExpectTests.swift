import HarnessCore
import KMSAN
import ScenarioLanguage
import Testing

@Suite("expect lines")
struct ExpectTests {
    private func reports(_ lines: String) -> [ReportExpectation?]? {
        parse("scenario s\n\(lines)\n  use(1)\nend\n").file.scenarios.first?.expectations.map(\.report)
    }

    @Test func kmsanWithEveryClause() {
        let expected: [ReportExpectation?] = [
            .kmsan(.uninitValue, in: "s", bytes: ByteRange(first: 3, last: 3, size: 4), createdAt: "kmalloc", local: "buf", storedAt: "f"),
        ]
        #expect(reports("  expect KMSAN uninit-value in s bytes 3-3 of 4 created-at kmalloc local buf stored-at f") == expected)
    }

    @Test func kasanAccessClauseBecomesTheAccessLine() {
        let expected: [ReportExpectation?] = [
            ReportExpectation(.kasan, "vmalloc-out-of-bounds", in: "s", access: "Read of size 1"),
            ReportExpectation(.kasan, "use-after-free", in: "f", access: "Write of size 8"),
            ReportExpectation(.kasan, "slab-out-of-bounds", in: "g"),
        ]
        let lines = "  expect KASAN vmalloc-out-of-bounds in s read 1\n  expect KASAN use-after-free in f write 8\n  expect KASAN slab-out-of-bounds in g"
        #expect(reports(lines) == expected)
    }

    @Test func cpuClauseOnEveryTool() {
        let expected: [ReportExpectation?] = [
            ReportExpectation(.kmsan, "uninit-value", in: "s", cpu: 1), ReportExpectation(.harness, "misuse", in: "s", cpu: 3),
        ]
        #expect(reports("  expect KMSAN uninit-value in s cpu 1\n  expect HARNESS misuse in s cpu 3") == expected)
    }

    @Test func cpuClauseNeedsAPossibleCPU() {
        let expected = ["t.scenario:2:38: error: expected a CPU number (0-3) after 'cpu', got '4'"]
        #expect(errors("scenario s\n  expect KMSAN uninit-value in s cpu 4\n  use(1)\nend\n") == expected)
    }

    @Test func harnessKinds() {
        let expected: [ReportExpectation?] = [.harness(.doubleFree, in: "s"), .harness(.leak, in: "s")]
        #expect(reports("  expect HARNESS double-free in s\n  expect HARNESS leak in s") == expected)
    }

    @Test func noReportIsANilReport() {
        let expected: [ReportExpectation?] = [nil]
        #expect(reports("  expect no-report") == expected)
        #expect(parse(scenario("")).file.scenarios.first?.expectedReports == [])
    }

    @Test func expectationsKeepTheirPosition() {
        let expected = [SourcePosition(line: 2, column: 3), SourcePosition(line: 3, column: 5)]
        let s = parse("scenario s\n  expect HARNESS leak in s\n    expect HARNESS leak in s\n  use(1)\nend\n").file.scenarios.first
        #expect(s?.expectations.map(\.position) == expected)
    }

    @Test func unknownBugTypesNameTheValidOnes() {
        let kmsan = KMSANBugType.allCases.map(\.rawValue).joined(separator: ", ")
        let harness = HarnessErrorKind.allCases.map(\.rawValue).joined(separator: ", ")
        let expected = [
            "t.scenario:2:16: error: unknown KMSAN bug type 'uninit-valu' (did you mean 'uninit-value'?); expected one of \(kmsan)",
            "t.scenario:3:18: error: unknown HARNESS error kind 'oops'; expected one of \(harness)",
            "t.scenario:4:16: error: unknown KASAN bug type 'uninit-value'; expected one of \(KASANBugType.allCases.map(\.rawValue).joined(separator: ", "))",
        ]
        let text = "scenario s\n  expect KMSAN uninit-valu in s\n  expect HARNESS oops in s\n  expect KASAN uninit-value in s\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func malformedExpectLinesNameWhatWasExpected() {
        let expected = [
            "t.scenario:2:10: error: unknown tool 'KMSN'; expected KMSAN, KASAN, HARNESS, WARNING or no-report",
            "t.scenario:3:28: error: expected 'in <func>' after the bug type, got the end of the line",
            "t.scenario:4:40: error: expected 'bytes <i>-<j> of <n>', got '3'",
            "t.scenario:5:40: error: invalid byte range 3-2 of 4; expected i <= j < n",
            "t.scenario:6:47: error: expected an access size (a positive integer) after 'read', got the end of the line",
            "t.scenario:7:34: error: unexpected 'read' in an expect KMSAN line; expected 'bytes', 'created-at', 'local', 'stored-at', 'cpu' or the end of the line",
            "t.scenario:8:35: error: unexpected 'bytes' in an expect HARNESS line; expected 'cpu' or the end of the line",
            "t.scenario:9:47: error: duplicate 'created-at' clause",
            "t.scenario:10:9: error: expected KMSAN, KASAN, HARNESS, WARNING or no-report after 'expect'",
        ]
        let text = """
        scenario s
          expect KMSN uninit-value in s
          expect KMSAN uninit-value
          expect KMSAN uninit-value in s bytes 3 of 4
          expect KMSAN uninit-value in s bytes 3-2 of 4
          expect KASAN vmalloc-out-of-bounds in s read
          expect KMSAN uninit-value in s read 4
          expect HARNESS double-free in s bytes 1-1 of 2
          expect KMSAN uninit-value in s created-at a created-at b
          expect
        end

        """
        #expect(errors(text) == expected)
    }

    @Test func noReportCannotBeCombined() {
        let expected = [
            "t.scenario:3:3: error: 'expect no-report' cannot be combined with other expect lines",
            "t.scenario:7:3: error: 'expect no-report' cannot be combined with other expect lines",
        ]
        let text = "scenario a\n  expect no-report\n  expect HARNESS leak in a\nend\nscenario b\n  expect HARNESS leak in b\n  expect no-report\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func expectAfterFirstStatementIsAnError() {
        let expected = ["t.scenario:4:3: error: expect must come before the first statement"]
        #expect(errors("scenario s\n  expect no-report\n  use(1)\n  expect HARNESS leak in s\nend\n") == expected)
    }

    /// `expect WARNING <kind> in <func>` names the kernel warnings the runtime emits.
    @Test func warningsCanBeExpected() {
        let parsed = parse("scenario s\n  expect WARNING page-allocation-failure in warn_alloc\n  use(1)\nend\n")
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.file.scenarios.first?.expectedReports == [.warning(.pageAllocationFailure, in: "warn_alloc")])
    }

    /// Twin: an unknown warning kind is an error naming the known ones.
    @Test func anUnknownWarningKindIsAnError() {
        let kinds = WarningKind.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(messages("scenario s\n  expect WARNING oops in f\n  use(1)\nend\n") == ["unknown WARNING bug type 'oops'; expected one of \(kinds)"])
    }
}
