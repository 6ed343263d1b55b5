import HarnessTesting
import ScenarioLanguage
import Testing

@Suite("Robustness: no input crashes or hangs")
struct RobustnessTests {
    static let valid = """
    # a valid file with every construct
    scenario a
      config profile=mainline
      config memory=64M
      expect KMSAN uninit-value in a bytes 0-3 of 4 created-at kmalloc local buf stored-at f
      expect KASAN vmalloc-out-of-bounds in a read 1
      expect HARNESS double-free in a
      r0 = kmalloc(4, GFP_KERNEL|__GFP_ZERO)
      r1 = local(8, "b\\"u\\\\f\\n")
      r2 = f(r0+4, -1)
      memcpy(r1, r0-0x2, PAGE_SIZE)
      printk(r2, NULL, 0)
    end
    func f(p, q)
      r0 = load32(p+8)
      store32(p, q)
      ret r0
    end
    scenario b
      expect no-report
      r0 = kmem_cache_create("c", 32, 0, SLAB_CTOR_ZERO)
    end

    """

    /// Parses `bytes`; every diagnostic must point at a real line and column.
    private func check(_ bytes: [UInt8]) -> Bool {
        let parsed = ScenarioParser.parse(bytes: bytes, path: "f.scenario", plugins: TestOps.plugins)
        return parsed.diagnostics.allSatisfy { $0.position.line >= 1 && $0.position.column >= 1 }
    }

    @Test func validFileParsesCleanly() {
        let expectedNames = ["a", "b"]
        let parsed = parse(Self.valid)
        #expect(parsed.diagnostics.map(\.description) == [])
        #expect(parsed.file.scenarios.map(\.name) == expectedNames)
    }

    @Test func everyTruncationOfAValidFileParses() {
        let bytes = Array(Self.valid.utf8)
        var bad = 0
        for n in 0...bytes.count where !check(Array(bytes[..<n])) { bad += 1 }
        #expect(bad == 0)
    }

    @Test func twentyThousandRandomAndMutatedInputsParse() {
        var rng = SeededGenerator(seed: 0x5EED)
        let base = Array(Self.valid.utf8)
        let alphabet = Array("()|,=+-#\"\\ \t\r\nr0x1Kkmallocendfuncscenarioexpect".utf8)
        var bad = 0
        for i in 0..<20_000 {
            var input: [UInt8]
            switch i % 4 {
            case 0:
                input = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                input = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            default:
                input = base
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let at = Int.random(in: 0..<input.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: input[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1: input.remove(at: at)
                    default: input.insert(alphabet.randomElement(using: &rng) ?? 0, at: at)
                    }
                }
            }
            if !check(input) { bad += 1 }
        }
        #expect(bad == 0)
    }

    @Test func hugeAndDegenerateInputsParse() {
        let megabyteLine = "scenario s\n  expect no-report\n  printk(" + String(repeating: "1,", count: 500_000) + "1)\nend\n"
        let expectedArguments = 500_001
        #expect(body(megabyteLine).first?.arguments.count == expectedArguments)

        let inputs: [String] = [
            String(repeating: "(", count: 100_000),
            "scenario s\n  expect no-report\n  use(" + String(repeating: "(", count: 100_000) + ")\nend\n",
            String(repeating: "scenario s\n", count: 10_000),
            String(repeating: "func f()\n  f()\n", count: 5_000),
            String(repeating: "a", count: 1_000_000),
            String(repeating: "\"", count: 100_001),
            String(repeating: "\0", count: 10_000),
            String(repeating: "\r", count: 10_000),
            String(repeating: "GFP_KERNEL|", count: 50_000),
            "scenario s\n expect no-report\n r0 = kmalloc(" + String(repeating: "9", count: 100_000) + ", 0)\nend\n",
        ]
        for input in inputs {
            #expect(check(Array(input.utf8)))
        }
    }

    @Test func longFuncCallChainIsLinear() {
        // f0 calls f1 calls ... f4999, the last of which has an error: every func is excluded.
        var text = scenario("  f0()")
        for i in 0..<5_000 { text += "func f\(i)()\n  \(i == 4_999 ? "nope" : "f\(i + 1)")()\nend\n" }
        let parsed = parse(text)
        #expect(parsed.file.scenarios.isEmpty)
        #expect(parsed.file.functions.isEmpty)
        #expect(parsed.diagnostics.count == 5_001)
    }
}
