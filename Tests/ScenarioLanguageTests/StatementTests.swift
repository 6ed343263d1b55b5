import ScenarioLanguage
import Testing

@Suite("Statements, registers and offsets")
struct StatementTests {
    @Test func registersWithOffsetsAndResults() {
        let expected: [[Operand]] = [[.literal(64), .literal(0x400CC0)], [.register(0, offset: 8), .register(0, offset: -4), .literal(4)], [.register(0, offset: 4096)]]
        let statements = body(scenario("  r0 = kmalloc(64, 0x400CC0)\n  memcpy(r0+8, r0 - 4, 4)\n  use(r0+PAGE_SIZE)"))
        #expect(statements.map(\.arguments) == expected)
        #expect(statements.map(\.result) == [0, nil, nil])
        #expect(statements.map(\.calleeKind) == [.op, .op, .op])
    }

    @Test func registerUsedBeforeAssignmentIsAnError() {
        let expected = ["t.scenario:3:15: error: register r3 is used before it is assigned"]
        #expect(errors(scenario("  r3 = load32(r3)")) == expected)
    }

    @Test func registerAssignedTwiceIsAnError() {
        let expected = ["t.scenario:4:3: error: register r1 is assigned twice"]
        #expect(errors(scenario("  r1 = kmalloc(4, 0)\n  r1 = kmalloc(4, 0)")) == expected)
    }

    @Test func opWithoutValueCannotBeAssigned() {
        let expected = ["t.scenario:4:3: error: kfree returns no value; expected no 'r1 ='"]
        #expect(errors(scenario("  r0 = kmalloc(4, 0)\n  r1 = kfree(r0)")) == expected)
    }

    @Test func funcWithoutRetCannotBeAssigned() {
        let expected = ["t.scenario:3:3: error: func 'f' has no 'ret' value"]
        #expect(errors(scenario("  r0 = f()") + "func f()\n  use(1)\nend\n") == expected)
    }

    @Test func registersAreScopedToTheirBlock() {
        let expected = ["t.scenario:4:3: error: call of func 'f', which has errors (see its diagnostics)", "t.scenario:7:7: error: register r0 is used before it is assigned"]
        let text = scenario("  r0 = kmalloc(4, 0)\n  f(r0)") + "func f(p)\n  use(r0)\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func funcParametersAreLocalToTheFunc() {
        let expected = ["t.scenario:3:7: error: unknown name 'p'; expected a register or named constant"]
        #expect(errors(scenario("  use(p)") + "func f(p)\n  use(p)\nend\n") == expected)
    }

    @Test func onlyRegistersCanBeAssigned() {
        let expected = ["t.scenario:3:3: error: expected a register (r0, r1, ...) before '=', got 'x'"]
        #expect(errors(scenario("  x = kmalloc(4, 0)")) == expected)
    }

    @Test func outOfRangeRegisterIsAnError() {
        let expected = ["t.scenario:3:3: error: register 'r65536' is out of range; expected r0 to r65535"]
        #expect(errors(scenario("  r65536 = kmalloc(4, 0)")) == expected)
    }

    @Test func syntaxErrorsNameWhatWasExpected() {
        let expected = [
            "t.scenario:3:10: error: expected '(' after 'kmalloc', got the end of the line",
            "t.scenario:4:18: error: expected ')' or ',' after an argument, got '4'",
            "t.scenario:5:22: error: unexpected 'x' after ')'; expected the end of the line",
            "t.scenario:6:10: error: expected an argument (a number, string, constant, register or parameter), got ','",
            "t.scenario:7:13: error: expected a byte offset (a number or an integer constant such as PAGE_SIZE) after '+', got ')'",
            "t.scenario:8:3: error: expected an op or func name or 'rN =', got '('",
        ]
        let lines = "  kmalloc\n  r0 = kmalloc(4 4)\n  r1 = kmalloc(4, 0) x\n  printk(,)\n  printk(r1+)\n  (1)"
        #expect(errors(scenario(lines)) == expected)
    }

    @Test func failedAssignmentDoesNotCascade() {
        let expected = ["t.scenario:3:18: error: expected ')' or ',' after an argument, got '4'"]
        #expect(errors(scenario("  r0 = kmalloc(4 4)\n  kfree(r0)")) == expected)
    }

    @Test func unknownOpSuggestsTheClosestName() {
        let expected = [
            "t.scenario:3:8: error: unknown op 'kmaloc' (did you mean 'kmalloc'?)",
            "t.scenario:4:3: error: unknown op 'frobnicate'",
        ]
        #expect(errors(scenario("  r0 = kmaloc(4, GFP_KERNEL)\n  frobnicate()")) == expected)
    }
}
