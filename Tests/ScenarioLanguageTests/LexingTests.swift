import ScenarioLanguage
import Testing

@Suite("Lexing and literals")
struct LexingTests {
    @Test func decimalHexAndNegativeIntegersAreLiterals() {
        let expected: [Operand] = [.literal(16), .literal(0x1F), .literal(UInt64(bitPattern: -1)), .literal(0)]
        let statements = body(scenario("  printk(16, 0x1F, -1, 0)"))
        #expect(statements.first?.arguments == expected)
    }

    @Test func malformedIntegerIsAnError() {
        let expected = ["t.scenario:3:10: error: invalid integer '12abc'; expected decimal digits or 0x and hex digits"]
        #expect(errors(scenario("  printk(12abc)")) == expected)
    }

    @Test func integerTooLargeIsAnError() {
        let expected = ["t.scenario:3:10: error: integer '18446744073709551616' does not fit in 64 bits"]
        #expect(errors(scenario("  printk(18446744073709551616)")) == expected)
    }

    @Test func largestIntegerFits() {
        let expected: [Operand] = [.literal(UInt64.max), .literal(1 << 63)]
        #expect(body(scenario("  printk(18446744073709551615, -9223372036854775808)")).first?.arguments == expected)
    }

    @Test func stringEscapesAreResolved() {
        let expected: [Operand] = [.literal(8), .string("a \"b\" \\ c\n#d")]
        #expect(body(scenario(#"  r0 = local(8, "a \"b\" \\ c\n#d")"#)).first?.arguments == expected)
    }

    @Test func unknownEscapeIsAnError() {
        let expected = [#"t.scenario:3:19: error: unknown escape in a string: expected \", \\ or \n after '\', got character 't'"#]
        #expect(errors(scenario(#"  r0 = local(8, "a\tb")"#)) == expected)
    }

    @Test func unterminatedStringIsAnError() {
        let expected = [#"t.scenario:3:17: error: unterminated string: expected a closing '"' before the end of the line"#]
        #expect(errors(scenario(#"  r0 = local(8, "abc)"#)) == expected)
    }

    @Test func commentsBlankLinesAndIndentationAreIgnored() {
        let text = "# header\n\n\tscenario s   # trailing\n expect no-report # why\n\n      use(1)#x\n  end\n"
        #expect(parse(text).diagnostics.isEmpty)
        #expect(parse(text).file.scenarios.map(\.name) == ["s"])
    }

    @Test func hashInsideStringIsNotAComment() {
        let expected: [Operand] = [.literal(4), .string("a#b")]
        #expect(body(scenario(#"  r0 = local(4, "a#b") # comment"#)).first?.arguments == expected)
    }

    @Test func crlfLineEndingsWork() {
        let text = "scenario s\r\n  expect no-report\r\n  r0 = kmalloc(4, GFP_KERNEL)\r\n  kfree(r0)\r\nend\r\n"
        #expect(parse(text).diagnostics.isEmpty)
        #expect(parse(text).file.scenarios.first?.body.count == 2)
    }

    @Test func crlfErrorColumnsIgnoreTheCarriageReturn() {
        let expected = ["t.scenario:3:12: error: expected ')' or ',' after an argument, got the end of the line"]
        #expect(errors("scenario s\r\n  expect no-report\r\n  kfree(r0 \r\nend\r\n") == expected)
    }

    @Test func unexpectedCharacterIsAnError() {
        let expected = ["t.scenario:3:10: error: unexpected character '@'"]
        #expect(errors(scenario("  printk(@)")) == expected)
    }

    @Test func nulAndNonASCIIBytesAreErrorsNotCrashes() {
        let expected = ["t.scenario:3:10: error: unexpected byte 0x00", "t.scenario:4:10: error: unexpected byte 0xC3"]
        #expect(errors(scenario("  printk(\0)\n  printk(é)")) == expected)
    }

    @Test func invalidUTF8InAStringIsReplaced() {
        var bytes = Array("scenario s\n  expect no-report\n  r0 = local(4, \"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\")\nend\n".utf8)
        let expected: [Operand] = [.literal(4), .string("\u{FFFD}\u{FFFD}")]
        let parsed = ScenarioParser.parse(bytes: bytes, path: "t.scenario", plugins: TestOps.plugins)
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.file.scenarios.first?.body.first?.arguments == expected)
    }

    @Test func columnsCountUTF8Bytes() {
        // "é" is two bytes, so the '@' after `"é", ` stands at byte column 23, not 22.
        let expected = ["t.scenario:3:23: error: unexpected character '@'"]
        #expect(errors(scenario(#"  r0 = local(4, "é", @)"#)) == expected)
    }
}
