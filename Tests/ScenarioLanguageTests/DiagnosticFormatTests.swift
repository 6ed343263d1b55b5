import ScenarioLanguage
import Testing

@Suite("Diagnostic format")
struct DiagnosticFormatTests {
    @Test func printsPathLineColumnErrorMessage() {
        let expected = "Harnesses/slab/a.scenario:3:8: error: unknown op 'kmaloc' (did you mean 'kmalloc'?)"
        let parsed = parse(scenario("  r0 = kmaloc(4, GFP_KERNEL)"), path: "Harnesses/slab/a.scenario")
        #expect(parsed.diagnostics.map(\.description) == [expected])
        #expect(parsed.hasErrors)
    }

    @Test func cleanFileHasNoDiagnostics() {
        let expected: [ScenarioDiagnostic] = []
        let parsed = parse(scenario("  r0 = kmalloc(4, GFP_KERNEL)\n  kfree(r0)"), path: "Harnesses/slab/a.scenario")
        #expect(parsed.diagnostics == expected)
        #expect(!parsed.hasErrors)
    }

    @Test func diagnosticsAreSortedByPosition() {
        let expected = [SourcePosition(line: 3, column: 3), SourcePosition(line: 4, column: 8), SourcePosition(line: 7, column: 3)]
        // The call of the bad func (line 3) is found after the func's own error (line 7).
        let text = scenario("  f()\n  r0 = nope()") + "func f()\n  nope()\nend\n"
        #expect(parse(text).diagnostics.map(\.position) == expected)
    }

    @Test func messagesCutVeryLongNamesAndEscapeControlCharacters() {
        let long = String(repeating: "a", count: 500)
        let expected = "t.scenario:3:3: error: unknown op '\(String(repeating: "a", count: 48))...'"
        #expect(errors(scenario("  \(long)()")) == [expected])
    }
}
