import ScenarioLanguage
import Testing

@Suite("Arity and argument kinds")
struct ArityAndKindTests {
    @Test func rightArityParses() {
        let expected = ["kmalloc", "kfree", "printk", "printk", "kmsan_disable_current"]
        let lines = "  r0 = kmalloc(4, 0)\n  kfree(r0)\n  printk(1)\n  printk(1, 2, r0)\n  kmsan_disable_current()"
        #expect(body(scenario(lines)).map(\.callee) == expected)
    }

    @Test func wrongArityNamesTheSignature() {
        let expected = [
            "t.scenario:3:3: error: kfree takes 1 argument (p), got 2",
            "t.scenario:4:8: error: kmalloc takes 2 arguments (size, gfp), got 1",
            "t.scenario:5:3: error: printk takes at least 1 argument (value, ...), got 0",
            "t.scenario:6:3: error: kmsan_disable_current takes no arguments, got 1",
        ]
        let lines = "  kfree(0, 0)\n  r0 = kmalloc(4)\n  printk()\n  kmsan_disable_current(1)"
        #expect(errors(scenario(lines)) == expected)
    }

    @Test func shortFormOfAnOpParsesBesideTheFullForm() {
        let expected = [5, 6]
        let lines = "  usb_fill_bulk_urb(1, 2, 3, 4, 5)\n" + #"  usb_fill_bulk_urb(1, 2, 3, 4, 5, "")"#
        #expect(body(scenario(lines)).map(\.arguments.count) == expected)
    }

    @Test func wrongArityOfAnOpWithAShortFormNamesBoth() {
        let expected = [
            "t.scenario:3:3: error: usb_fill_bulk_urb takes 6 arguments (urb, dev, pipe, buf, len, complete), got 4 "
                + "(or usb_fill_bulk_urb(urb, dev, pipe, buf, len))",
        ]
        #expect(errors(scenario("  usb_fill_bulk_urb(1, 2, 3, 4)")) == expected)
    }

    @Test func wrongFuncArityNamesItsParameters() {
        let expected = ["t.scenario:3:3: error: func 'f' takes 2 arguments (a, b), got 1"]
        #expect(errors(scenario("  f(1)") + "func f(a, b)\n  use(a)\nend\n") == expected)
    }

    @Test func stringWhereNumberExpectedIsAnError() {
        let expected = [
            #"t.scenario:3:16: error: argument 1 of kmalloc must be an integer, got a string"#,
            #"t.scenario:4:5: error: argument 1 of func 'f' must be a value, got a string"#,
        ]
        #expect(errors(scenario(#"  r0 = kmalloc("4", 0)"# + "\n" + #"  f("x")"#) + "func f(a)\nend\n") == expected)
    }

    @Test func numberOrRegisterWhereStringExpectedIsAnError() {
        let expected = [
            "t.scenario:3:26: error: argument 1 of kmem_cache_create must be a string, got 7 (an integer)",
            "t.scenario:6:17: error: argument 2 of local must be a string, got parameter 'p'",
        ]
        let text = scenario("  r0 = kmem_cache_create(7, 32, 0, 0)") + "func f(p)\n  r0 = local(4, p)\nend\n"
        #expect(errors(text) == expected)
    }

    @Test func stringParameterTakesAString() {
        let expected: [Operand] = [.string("cache"), .literal(32), .literal(0), .literal(0)]
        #expect(body(scenario(#"  r0 = kmem_cache_create("cache", 32, 0, 0)"#)).first?.arguments == expected)
    }

    @Test func variadicExtraArgumentsTakeTheLastKind() {
        let expected = [#"t.scenario:3:13: error: argument 2 of printk must be a value, got a string"#]
        #expect(errors(scenario(#"  printk(1, "s")"#)) == expected)
    }

    @Test func callingAFuncWithErrorsExcludesTheScenario() {
        let expected = [
            "t.scenario:3:3: error: call of func 'f', which has errors (see its diagnostics)",
            "t.scenario:6:3: error: unknown op 'nope'",
            "t.scenario:9:3: error: call of func 'f', which has errors (see its diagnostics)",
        ]
        let text = scenario("  f()") + "func f()\n  nope()\nend\nfunc g()\n  f()\nend\n"
        let parsed = parse(text)
        #expect(parsed.diagnostics.map(\.description) == expected)
        #expect(parsed.file.scenarios.isEmpty)
        #expect(parsed.file.functions.isEmpty)
    }

    @Test func callingAGoodFuncKeepsTheScenario() {
        let expected = ["s"]
        let parsed = parse(scenario("  g()") + "func f()\n  use(1)\nend\nfunc g()\n  f()\nend\n")
        #expect(parsed.file.scenarios.map(\.name) == expected)
        #expect(parsed.diagnostics.isEmpty)
    }
}
