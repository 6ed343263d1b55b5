import Foundation
import HarnessCommandLine
import Testing
@testable import kmsan_harness

/// Inputs that once took the host down, each run through `kmsan-harness run` in a child
/// process beside a canary scenario: the child must exit with the contract's status (never a
/// signal, never a Swift runtime failure), and the canary's verdict must be in its output.
@Suite struct CrasherTests {
    /// One class of crasher: a scenario file, and what the run must end with.
    struct Crasher: Sendable, Codable, CustomTestStringConvertible {
        var name: String
        var text: String
        var status: Int32 = 0
        var lines: [String] = []
        var testDescription: String { name }
    }

    static let canary = """
        scenario canary
          expect KMSAN uninit-value in canary
          r0 = local(4, "c")
          r1 = load32(r0)
          use(r1)
        end
        """

    static let crashers: [Crasher] = [
        Crasher(name: "a local of 2^63 - 1 bytes", text: """
            scenario crash_local
              expect HARNESS misuse in crash_local
              r0 = local(0x7fffffffffffffff, "x")
            end
            """, lines: ["PASS crash_local"]),
        Crasher(name: "accesses whose last byte is 2^64 - 1", text: """
            scenario crash_last_byte
              expect HARNESS bad-access in crash_last_byte
              expect HARNESS bad-access in crash_last_byte
              expect HARNESS bad-access in crash_last_byte
              expect HARNESS bad-access in crash_last_byte
              r0 = load8(0xffffffffffffffff)
              store64(0xfffffffffffffff8, 1)
              memset(0xffffffffffffffff, 0, 1)
              memmove(0xfffffffffffffff0, 0xffff888000000000, 16)
            end
            scenario crash_nofault
              expect no-report
              r0 = local(16, "dst")
              r1 = copy_from_kernel_nofault(r0, 0xfffffffffffffff8, 15)
              kunit_expect_eq(r1, 0xfffffffffffffff2)
            end
            """, lines: ["PASS crash_last_byte", "PASS crash_nofault"]),
        Crasher(name: "annotations over 2^63 bytes, unmapped or across the direct map", text: """
            scenario crash_huge_ranges
              expect no-report
              kmsan_poison_memory(0x10000, 0x7fffffffffffffff)
              kmsan_unpoison_memory(0x10000, 0x7fffffffffffffff)
              kmsan_check_memory(0x10000, 0x7fffffffffffffff)
              kmsan_unpoison_memory(0xffff888000000001, 0x7ffffffffffffff0)
              kmsan_poison_memory(0xffff888000000003, 0xfffffffffffffff0)
            end
            """, lines: ["PASS crash_huge_ranges"]),
        Crasher(name: "the stack depot at the last qword and with 2^63 - 1 entries", text: """
            scenario crash_depot
              expect HARNESS bad-access in stack_depot_save
              expect HARNESS misuse in crash_depot
              expect HARNESS bad-access in stack_depot_save
              r0 = local(16, "e")
              r1 = stack_depot_save(0xfffffffffffffff8, 1, GFP_KERNEL)
              r2 = stack_depot_save(r0, 0x7fffffffffffffff, GFP_KERNEL)
              r3 = stack_depot_save(r0, 0x100000000000, GFP_KERNEL)
            end
            """, lines: ["PASS crash_depot"]),
        Crasher(name: "a memory size the host cannot give", text: """
            scenario crash_memory
              config memory=16384M
              expect no-report
              use(1)
            end
            """, status: 2, lines: ["for config key 'memory'; expected a positive multiple of 4096 bytes up to 4G"]),
        Crasher(name: "14,000 expect lines", text: "scenario crash_expects\n"
            + String(repeating: "  expect KMSAN uninit-value in crash_expects\n", count: 14_000) + "  use(1)\nend\n",
            status: 1, lines: ["FAIL crash_expects: expectation 1 (line 2: KMSAN uninit-value in crash_expects): got no report"]),
        Crasher(name: "funcs fanning out exponentially", text: (0..<40).map { i in
            "func fan\(i)(x)\n  fan\(i + 1)(x)\n  fan\(i + 1)(x)\nend\n"
        }.joined() + """
            func fan40(x)
              use(x)
            end
            scenario crash_fanout
              expect HARNESS timeout in fan40
              fan0(1)
            end
            """, lines: ["PASS crash_fanout"]),
        Crasher(name: "2,000 scenarios in one file", text: (0..<2000).map { i in
            "scenario many_\(i)\n  expect no-report\n  r0 = kmalloc(8, GFP_KERNEL)\n  kfree(r0)\nend\n"
        }.joined(), lines: ["PASS many_1999"]),
    ]

    /// What the child process does: writes the crasher and the canary to a fresh folder, runs
    /// `kmsan-harness run` on it in-process, prints what it printed, exits with its status.
    static func runInChild(_ text: String) throws -> Never {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmsan-harness-crasher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try text.write(to: dir.appendingPathComponent("a_crasher.scenario"), atomically: true, encoding: .utf8)
        try canary.write(to: dir.appendingPathComponent("z_canary.scenario"), atomically: true, encoding: .utf8)
        guard let command = try HarnessCommand<KMSANHarness>.parseAsRoot(["run", dir.path]) as? RunCommand<KMSANHarness> else { exit(99) }
        let output = try command.execute()
        let printed = output.standardOutput + output.standardError
        FileHandle.standardOutput.write(Data(printed.utf8))
        exit(output.status)
    }

    @Test(arguments: crashers)
    func theHostSurvivesAndTheCanaryIsJudged(_ crasher: Crasher) async throws {
        let result = await #expect(processExitsWith: .exitCode(crasher.status), observing: [\.standardOutputContent]) { [crasher] in
            try CrasherTests.runInChild(crasher.text)
        }
        let output = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? ""
        #expect(output.contains("PASS canary"))
        for line in crasher.lines { #expect(output.contains(line), "missing: \(line)") }
    }
}
