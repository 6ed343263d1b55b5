import BundledPlugins
import Foundation
import HarnessCore
import HarnessTesting
import ScenarioLanguage
import ScenarioRunner
import Testing

/// A seeded mutation test over the bundled scenarios: 10,000 variants (line swaps, deletions,
/// duplications, numbers pushed to 0, -1, 2^31, 2^63 - 1, 2^64 - 1, odd offsets) are parsed and
/// run in a child process, then a canary scenario; the child must exit cleanly and judge the
/// canary. Whatever a variant does, it is a located error, a verdict or a HARNESS report.
@Suite struct MutationTests {
    /// The variants run per seed.
    static let variants = 10_000

    /// The numbers a mutation pushes a literal to.
    static let extremes = ["0", "-1", "0x80000000", "0x7fffffffffffffff", "0xffffffffffffffff", "1"]

    /// One to three mutations of `lines`.
    static func mutate(_ lines: [String], _ rng: inout SeededGenerator) -> [String] {
        var lines = lines
        for _ in 0...rng.below(3) where !lines.isEmpty {
            let i = rng.below(lines.count)
            switch rng.below(5) {
            case 0: lines.swapAt(i, rng.below(lines.count))
            case 1: lines.remove(at: i)
            case 2: lines.insert(lines[i], at: i)
            case 3:
                let extreme = extremes[rng.below(extremes.count)]
                lines[i] = lines[i].replacing(/\b(0x[0-9a-fA-F]+|[0-9]+)\b/) { _ in extreme }
            default:
                lines[i] = lines[i].replacing(/\b(r[0-9]+)\b/) { "\($0.1)+\(1 + 2 * rng.below(4))" }
            }
        }
        return lines
    }

    /// Each bundled scenario with the funcs of its file, as the unit a variant mutates.
    static func units() throws -> [[String]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Harnesses")
        var units: [[String]] = []
        for path in ScenarioSuite.scenarioPaths(under: [root.path]) {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var blocks: [(isScenario: Bool, lines: [String])] = []
            for line in lines {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("scenario ") || trimmed.hasPrefix("func ") {
                    blocks.append((trimmed.hasPrefix("scenario "), [line]))
                } else if !blocks.isEmpty {
                    blocks[blocks.count - 1].lines.append(line)
                }
            }
            let funcs = blocks.filter { !$0.isScenario }.flatMap(\.lines)
            units += blocks.filter(\.isScenario).map { funcs + $0.lines }
        }
        return units
    }

    /// The child's work: every variant, then the canary; prints a summary and exits 0.
    static func runVariants(seed: UInt64) throws -> Never {
        let plugins = try BundledPlugins.pluginSet()
        var base = MachineConfiguration()
        base.memorySize = 16 << 20
        base.statementBudget = 20_000
        let options = ScenarioRunOptions(configuration: base, plugins: plugins)
        let units = try Self.units()
        var rng = SeededGenerator(seed: seed)
        var batch: [ResolvedScenario] = [], runs = 0, errors = 0
        for v in 0..<variants {
            let text = mutate(units[rng.below(units.count)], &rng).joined(separator: "\n")
            let parsed = ScenarioParser.parse(text, path: "variant_\(v).scenario", plugins: plugins)
            if !parsed.diagnostics.isEmpty { errors += 1 }
            batch += parsed.file.scenarios.map(ResolvedScenario.init)
            if batch.count >= 256 || v == variants - 1 {
                runs += ScenarioSuite.run(batch, options: options).count
                batch = []
            }
        }
        let canary = ScenarioParser.parse(CrasherTests.canary, path: "canary.scenario", plugins: plugins).file.scenarios
        let verdicts = ScenarioSuite.run(canary.map(ResolvedScenario.init), options: options)
        print("\(variants) variants, \(errors) with located errors, \(runs) scenarios run")
        for result in verdicts { print(result.passed ? "PASS \(result.name)" : "FAIL \(result.name)") }
        exit(0)
    }

    @Test(arguments: [UInt64(0x6b6d_7361_6e00)])
    func tenThousandVariantsNeverTakeTheHostDown(seed: UInt64) async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) { [seed] in
            try MutationTests.runVariants(seed: seed)
        }
        let output = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? ""
        #expect(output.contains("\(Self.variants) variants"))
        #expect(output.contains("PASS canary"))
    }
}
