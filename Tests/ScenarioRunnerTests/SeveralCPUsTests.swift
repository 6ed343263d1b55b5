import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner
import Testing

/// Scenarios on several CPUs: the same program gives the same interleaving and text on every
/// run, and a run that stops early (a panic, the statement budget) still ends, with every CPU's
/// thread stopped.
@Suite struct SeveralCPUsTests {
    /// Four CPUs, each storing its number twice around a yield, then CPU 0 using what is left:
    /// the interleaving decides the last store.
    static let racers = """
        func racer(buf, n)
          store64(buf, n)
          yield()
          r0 = local(8, "late")
          r1 = load64(r0)
          r2 = and(r1, 0)
          r3 = or(r2, n)
          store64(buf, r3)
        end

        scenario four_cpus_race
          config interleave=INTERLEAVE
          expect EXPECT
          r0 = kmalloc(8, GFP_KERNEL)
          on_cpu(1, "racer", r0, 1)
          on_cpu(2, "racer", r0, 2)
          on_cpu(3, "racer", r0, 3)
          flush_cpu(1)
          flush_cpu(2)
          flush_cpu(3)
          r1 = load64(r0)
          kunit_expect_eq(r1, 3)
          r2 = local(8, "never_written")
          r3 = load64(r2)
          use(r3)
          kfree(r0)
        end

        """

    /// A func that yields once before its store: work still pending when CPU 0 goes on.
    static let waits = """
        func waits(buf, unused)
          yield()
          store64(buf, 1)
        end

        """

    private func run(_ text: String) throws -> ScenarioResult {
        let parsed = ScenarioParser.parse(text, path: "cpus.scenario", plugins: standardPlugins)
        let scenario = try #require(parsed.file.scenarios.first, "\(parsed.diagnostics)")
        return ScenarioInterpreter(options: standardOptions).run(scenario)
    }

    private func run(interleave: CPUInterleave, expect: String) throws -> ScenarioResult {
        try run(Self.racers.replacingOccurrences(of: "INTERLEAVE", with: interleave.rawValue).replacingOccurrences(of: "EXPECT", with: expect))
    }

    @Test func theSameProgramPrintsTheSameTextEveryRun() throws {
        let expect = "KMSAN uninit-value in four_cpus_race local never_written cpu 0"
        let first = try run(interleave: .statement, expect: expect)
        #expect(first.verdict == .pass)
        for _ in 0..<10 { #expect(try run(interleave: .statement, expect: expect).text == first.text) }
    }

    /// Twin: the other interleaving is its own schedule, as stable.
    @Test func anotherInterleavingIsAnotherStableSchedule() throws {
        let expect = "KMSAN uninit-value in four_cpus_race local never_written cpu 0"
        let completion = try run(interleave: .completion, expect: expect)
        #expect(completion.verdict == .pass)
        #expect(try run(interleave: .completion, expect: expect).text == completion.text)
    }

    /// A panic on CPU 0 while CPU 1 waits at its yield point: the run ends there, CPU 1's func
    /// never finishes, and its thread is stopped.
    @Test func aPanicWhileAnotherCPUWaitsEndsTheRun() throws {
        let text = Self.waits + """
            scenario panic_with_work_pending
              config panic=on
              expect KMSAN uninit-value in panic_with_work_pending cpu 0
              r0 = kmalloc(8, GFP_KERNEL)
              on_cpu(1, "waits", r0, 0)
              r1 = load64(r0)
              use(r1)
              flush_cpu(1)
            end

            """
        let result = try run(text)
        #expect(result.verdict == .pass)
        #expect(result.reports.count == 1)
    }

    /// Twin: without the panic CPU 1 finishes, and its store is what CPU 0 reads after the flush.
    @Test func withoutThePanicTheWaitingCPUFinishes() throws {
        let text = Self.waits + """
            scenario work_pending_finishes
              expect no-report
              r0 = kmalloc(8, GFP_KERNEL)
              on_cpu(1, "waits", r0, 0)
              flush_cpu(1)
              r1 = load64(r0)
              kunit_expect_eq(r1, 1)
              kfree(r0)
            end

            """
        #expect(try run(text).verdict == .pass)
    }

    /// A statement budget spent on two CPUs stops both.
    @Test func theBudgetStopsEveryCPU() throws {
        let text = """
            func spin(buf, unused)
              on_cpu(2, "spin", buf, 0)
              yield()
              on_cpu(1, "spin", buf, 0)
            end

            scenario spinning_cpus
              config max-statements=3000
              config interleave=statement
              expect HARNESS timeout in spin
              on_cpu(1, "spin", 0, 0)
            end

            """
        let result = try run(text)
        #expect(result.verdict == .pass, "\(result.text)")
    }
}
