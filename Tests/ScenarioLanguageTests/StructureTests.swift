import ScenarioLanguage
import Testing

@Suite("Structure: scenario, func, end")
struct StructureTests {
    @Test func scenarioHasNamePositionAndBody() {
        let text = "\n# c\nscenario test_uninit_kmalloc\n  expect KMSAN uninit-value in test_uninit_kmalloc created-at kmalloc\n  r0 = kmalloc(4, GFP_KERNEL)\n  r1 = load32(r0)\n  use(r1)\n  kfree(r0)\nend\n"
        let expectedCallees = ["kmalloc", "load32", "use", "kfree"]
        let parsed = parse(text)
        #expect(parsed.diagnostics.isEmpty)
        let s = parsed.file.scenarios.first
        #expect(s?.name == "test_uninit_kmalloc")
        #expect(s?.position == SourcePosition(line: 3, column: 1))
        #expect(s?.path == "t.scenario")
        #expect(s?.body.map(\.callee) == expectedCallees)
        #expect(s?.body.map(\.result) == [0, 1, nil, nil])
        #expect(s?.body.first?.position == SourcePosition(line: 5, column: 3))
    }

    @Test func missingEndAtEndOfFileIsAnError() {
        let expected = ["t.scenario:3:9: error: missing 'end' for scenario 's' (opened at line 1); expected 'end' before the end of the file"]
        #expect(errors("scenario s\n  expect no-report\n  use(1)") == expected)
    }

    @Test func funcsMayBeDefinedAfterUseAndRecurse() {
        let text = "scenario s\n  expect no-report\n  r0 = f(1)\n  use(r0)\nend\nfunc f(x)\n  r0 = g(x+1)\n  ret r0\nend\nfunc g(y)\n  r0 = f(y)\n  ret y-1\nend\n"
        let parsed = parse(text)
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.file.functions.keys.sorted() == ["f", "g"])
        #expect(parsed.file.scenarios.first?.body.first?.calleeKind == .function)
        #expect(parsed.file.functions["f"]?.body.first?.arguments == [.parameter("x", offset: 1)])
        #expect(parsed.file.functions["g"]?.returnValue == .parameter("y", offset: -1))
        #expect(parsed.file.functions["g"]?.returnPosition == SourcePosition(line: 12, column: 3))
        #expect(parsed.file.scenarios.first?.functions.count == 2)
    }

    @Test func missingEndBeforeNextScenarioIsReportedAndNextScenarioSurvives() {
        let expected = ["t.scenario:4:1: error: missing 'end' for scenario 'a' (opened at line 1); expected 'end' before 'scenario'"]
        let text = "scenario a\n  expect no-report\n  use(1)\nscenario b\n  expect no-report\nend\n"
        let parsed = parse(text)
        #expect(parsed.diagnostics.map(\.description) == expected)
        #expect(parsed.file.scenarios.map(\.name) == ["b"])
    }

    @Test func endWithoutBlockIsAnError() {
        let expected = ["t.scenario:1:1: error: 'end' without an open scenario or func"]
        #expect(errors("end\n") == expected)
    }

    @Test func statementOutsideBlockIsAnError() {
        let expected = ["t.scenario:1:3: error: statement outside a scenario or func; expected 'scenario' or 'func'"]
        #expect(errors("  use(1)\n") == expected)
    }

    @Test func duplicateScenarioNameIsAnError() {
        let expected = ["t.scenario:5:10: error: duplicate scenario 's' (first defined at line 1); scenario names must be unique in a file"]
        let parsed = parse(scenario("") + scenario(""))
        #expect(parsed.diagnostics.map(\.description) == expected)
        #expect(parsed.file.scenarios.count == 1)
    }

    @Test func duplicateFuncNameIsAnError() {
        let expected = ["t.scenario:3:6: error: duplicate func 'f' (first defined at line 1); func names must be unique in a file"]
        #expect(errors("func f()\nend\nfunc f()\nend\n") == expected)
    }

    @Test func funcNamedLikeAnOpIsAnError() {
        let expected = ["t.scenario:1:6: error: func 'kfree' has the name of an op; expected a name that is not an op"]
        #expect(errors("func kfree(p)\nend\n") == expected)
    }

    @Test func funcHeaderErrorsNameWhatWasExpected() {
        let expected = [
            "t.scenario:1:7: error: expected '(' after the func name, got the end of the line",
            "t.scenario:3:10: error: expected ')' or ',' after a parameter, got 'b'",
            "t.scenario:5:11: error: duplicate parameter 'a'",
        ]
        #expect(errors("func f\nend\nfunc g(a b)\nend\nfunc h(a, a)\nend\n") == expected)
    }

    @Test func scenarioWithoutExpectIsAnError() {
        let expected = ["t.scenario:1:1: error: scenario 's' has no 'expect' line; expected at least one (or 'expect no-report') before its first statement"]
        #expect(errors("scenario s\n  use(1)\nend\n") == expected)
    }

    @Test func retOnlyInFuncAndOnlyOnceAndLast() {
        let expected = [
            "t.scenario:3:3: error: 'ret' is only allowed in a func",
            "t.scenario:7:3: error: statement after 'ret' (line 6); 'ret' must be the last line of a func",
            "t.scenario:8:3: error: second 'ret' in func 'f' (first at line 6); expected one 'ret' at most",
        ]
        #expect(errors(scenario("  ret 1") + "func f(a)\n  ret a\n  use(a)\n  ret 2\nend\n") == expected)
    }

    @Test func emptyFileHasNoScenariosAndNoErrors() {
        let parsed = parse("")
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.file.scenarios.isEmpty)
        #expect(parsed.file.path == "t.scenario")
    }

    @Test func scenarioNameMustBeAnIdentifier() {
        let expected = ["t.scenario:1:10: error: expected a scenario name (a C identifier) after 'scenario', got '1abc'"]
        #expect(errors("scenario 1abc\n  expect no-report\nend\n") == expected)
    }
}
