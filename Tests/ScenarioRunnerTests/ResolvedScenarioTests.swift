import Dispatch
import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Resolve once, run many times: a resolved scenario depends on no machine.
@Suite struct ResolvedScenarioTests {
    static let text = """
        func copy_word(dst, src)
          r0 = load32(src)
          store32(dst, r0)
        end

        scenario test_resolved
          expect KMSAN uninit-value in test_resolved created-at kmalloc stored-at copy_word
          r0 = kmalloc(16, GFP_KERNEL)
          r1 = kmalloc(16, GFP_KERNEL)
          copy_word(r1, r0)
          r3 = load32(r1)
          use(r3)
          kfree(r0)
          kfree(r1)
        end
        """

    private func resolved() throws -> ResolvedScenario {
        let parsed = ScenarioParser.parse(Self.text, path: "resolved.scenario", plugins: standardPlugins)
        return ResolvedScenario(try #require(parsed.file.scenarios.first))
    }

    @Test func twoFreshMachinesPrintTheSameText() throws {
        let scenario = try resolved()
        let interpreter = ScenarioInterpreter(options: standardOptions)
        let first = interpreter.run(scenario), second = interpreter.run(scenario)
        #expect(first.verdict == .pass)
        #expect(first.text == second.text)
        #expect(first.reports.map(\.originHandle) == second.reports.map(\.originHandle))
    }

    /// Twin: resolving again gives the same text as the resolved form reused.
    @Test func resolvingAgainChangesNothing() throws {
        let interpreter = ScenarioInterpreter(options: standardOptions)
        #expect(interpreter.run(try resolved()).text == interpreter.run(try resolved().scenario).text)
    }

    @Test func machinesRunningAtOnceShareNothing() throws {
        let scenario = try resolved()
        let interpreter = ScenarioInterpreter(options: standardOptions)
        let expected = interpreter.run(scenario).text
        let texts = Locked([String](repeating: "", count: 4))
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let text = interpreter.run(scenario).text
            texts.withLock { $0[i] = text }
        }
        #expect(texts.withLock { $0 } == Array(repeating: expected, count: 4))
    }

    /// One machine, many runs: each run reports again (a new task each time) and, once the slab
    /// has its page for the size class, every run gives back all it took.
    @Test func oneMachineRunsItManyTimes() throws {
        let scenario = try resolved()
        let sink = InMemoryReportSink()
        let machine = try standardPlugins.makeMachine(sink: sink)
        defer { machine.shutdown() }
        scenario.run(on: machine)
        let free = machine.pageAllocator?.freeFrames
        for _ in 0..<2 { scenario.run(on: machine) }
        #expect(sink.reports.map(\.title) == Array(repeating: "KMSAN: uninit-value in test_resolved", count: 3))
        #expect(machine.pageAllocator?.freeFrames == free)
    }
}
