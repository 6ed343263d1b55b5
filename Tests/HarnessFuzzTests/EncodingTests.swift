import HarnessCore
import HarnessFuzz
import ScenarioLanguage
import ScenarioRunner
import Testing

/// The binary and text forms of a program (ProgramBinaryEncoding, ProgramText).
@Suite struct EncodingTests {
    @Test func anyBytesDecodeToAValidProgram() {
        let encoding = ProgramBinaryEncoding(table: FuzzFixture.bundled)
        var random = FuzzRandom(seed: 7)
        for length in [0, 1, 2, 3, 17, 100, 1000, 5000] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let program = encoding.decode(bytes)
                #expect(FuzzFixture.bundled.validate(program) == nil)
                #expect(program.count <= encoding.maxCalls)
            }
        }
        #expect(encoding.decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).count <= 1)
    }

    @Test func aHandBuiltProgramWithAForwardReferenceIsInvalid() {
        let table = FuzzFixture.bundled
        let kfree = table.index(of: "kfree")!
        #expect(table.validate(FuzzProgram([FuzzCall(op: kfree, arguments: [.result(0, offset: 0)])])) != nil)
        #expect(table.validate(FuzzProgram([FuzzCall(op: kfree, arguments: [.literal(0)])])) == nil)
        #expect(table.validate(FuzzProgram([FuzzCall(op: kfree, arguments: [])])) != nil)
    }

    @Test func encodeThenDecodeGivesTheProgramBack() {
        let encoding = ProgramBinaryEncoding(table: FuzzFixture.bundled)
        for program in FuzzFixture.programs(500, seed: 11) {
            #expect(encoding.decode(encoding.encode(program)) == program)
        }
    }

    @Test func aTruncatedEncodingIsAnotherValidProgram() {
        let encoding = ProgramBinaryEncoding(table: FuzzFixture.bundled)
        for program in FuzzFixture.programs(100, seed: 12) where program.count > 1 {
            let bytes = encoding.encode(program)
            let cut = encoding.decode(Array(bytes.prefix(bytes.count / 2)))
            #expect(FuzzFixture.bundled.validate(cut) == nil)
            #expect(cut != program)
        }
    }

    @Test func textThenParseGivesTheProgramBack() throws {
        let table = FuzzFixture.bundled
        let text = ProgramText(table: table)
        var random = FuzzRandom(seed: 14)
        let decoded = (0..<200).map { _ in
            ProgramBinaryEncoding(table: table).decode((0..<200).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        for program in FuzzFixture.programs(300, seed: 13) + decoded {
            let source = text.scenario(program, name: "p", header: ["expect no-report"])
            let parsed = ScenarioParser.parse(source, path: "p.scenario", plugins: table.plugins)
            #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.first.map(String.init(describing:)) ?? "")\n\(source)")
            let scenario = try #require(parsed.file.scenarios.first)
            let back = try text.program(from: scenario).get()
            #expect(back == program)
            #expect(text.scenario(back, name: "p", header: ["expect no-report"]) == source)
        }
    }

    /// A program naming a func of the handler library: its text carries the library, and that
    /// text reports what the executor's run of the program reported.
    @Test func aProgramNamingAHandlerCarriesTheLibrary() throws {
        let table = FuzzFixture.bundled
        let kmalloc = try #require(table.index(of: "kmalloc")), hardirq = try #require(table.index(of: "hardirq"))
        let program = FuzzProgram([
            FuzzCall(op: kmalloc, arguments: [.literal(8), .literal(0xcc0)]),
            FuzzCall(op: hardirq, arguments: [.string("fuzz_read"), .result(0, offset: 0)]),
        ])
        let titles = try FuzzExecutor(table: table).run(program).reports.map(\.title)
        #expect(titles == ["KMSAN: uninit-value in fuzz_read"])
        let source = ProgramText(table: table).scenario(program, name: "p", header: ["expect KMSAN uninit-value in fuzz_read"])
        #expect(source.hasSuffix(FuzzHandlers.source))
        let parsed = ScenarioParser.parse(source, path: "p.scenario", plugins: table.plugins)
        let scenario = try #require(parsed.file.scenarios.first, "\(parsed.diagnostics)")
        let result = ScenarioInterpreter(options: ScenarioRunOptions(plugins: table.plugins)).run(scenario)
        #expect(result.reports.map(\.title) == titles)
    }

    /// Twin: a program naming no handler has no library in its text.
    @Test func aProgramNamingNoHandlerHasNoLibrary() throws {
        let table = FuzzFixture.bundled
        let kmalloc = try #require(table.index(of: "kmalloc"))
        let program = FuzzProgram([FuzzCall(op: kmalloc, arguments: [.literal(8), .literal(0xcc0)])])
        #expect(!ProgramText(table: table).scenario(program, name: "p").contains("func "))
    }

    @Test func textWithAFuncCallIsNotAProgram() throws {
        let table = FuzzFixture.bundled
        let source = "func f()\nend\nscenario s\n  expect no-report\n  f()\nend\n"
        let parsed = ScenarioParser.parse(source, path: "s.scenario", plugins: table.plugins)
        let scenario = try #require(parsed.file.scenarios.first)
        #expect(throws: FuzzError.self) { try ProgramText(table: table).program(from: scenario).get() }
    }

    @Test func flagsPrintAsNamedConstants() {
        let table = FuzzFixture.bundled
        let kmalloc = table.index(of: "kmalloc")!
        let gfp = table.plugins.constant(named: "GFP_KERNEL")!.value | table.plugins.constant(named: "__GFP_ZERO")!.value
        let program = FuzzProgram([FuzzCall(op: kmalloc, arguments: [.literal(24), .literal(gfp)])])
        #expect(ProgramText(table: table).statements(program) == ["  r0 = kmalloc(0x18, GFP_KERNEL|__GFP_ZERO)"])
    }
}
