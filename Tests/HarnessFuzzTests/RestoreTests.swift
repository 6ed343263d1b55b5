import HarnessCore
import HarnessFuzz
import KMSAN
import ScenarioRunner
import Testing

/// A reused, restored machine prints byte for byte what a freshly booted one prints (FuzzExecutor).
@Suite struct RestoreTests {
    /// The report texts of `program` on a machine booted for it alone.
    static func fresh(_ program: FuzzProgram, _ executor: FuzzExecutor) throws -> [String] {
        let sink = InMemoryReportSink()
        let machine = try executor.table.plugins.makeMachine(configuration: executor.configuration, sink: sink)
        defer { machine.shutdown() }
        ResolvedScenario(executor.scenario(program)).run(on: machine)
        return sink.drain().map(\.kernelText)
    }

    @Test func aCorpusRunOnOneRestoredMachineMatchesFreshBoots() throws {
        let executor = try FuzzExecutor(table: FuzzFixture.bundled)
        #expect(executor.restoresMachines)
        var reported = 0
        for program in FuzzFixture.programs(150, seed: 31) {
            let expected = try Self.fresh(program, executor)
            let actual = executor.run(program).reports.map(\.kernelText)
            #expect(actual == expected)
            reported += actual.isEmpty ? 0 : 1
        }
        #expect(reported > 10)
    }

    @Test func aPluginThatCannotSaveItsStateGetsFreshMachines() throws {
        struct Unsaveable: HarnessPlugin {
            final class State: Subsystem {}
            var name: String { "unsaveable" }
            var provides: SubsystemKind? { nil }
            func makeSubsystem(_ context: PluginContext) throws(MachineError) -> (any Subsystem)? { State() }
        }
        let table = OpTable(try PluginSet(FuzzFixture.bundled.plugins.plugins + [Unsaveable()]))
        let executor = try FuzzExecutor(table: table)
        #expect(!executor.restoresMachines)
        for program in FuzzFixture.programs(20, seed: 32, maxLength: 6).map({ translate($0, to: table) }) {
            #expect(executor.run(program).reports.map(\.kernelText) == (try Self.fresh(program, executor)))
        }
    }

    /// `program` (of the bundled table) with its op indices in `table`.
    func translate(_ program: FuzzProgram, to table: OpTable) -> FuzzProgram {
        FuzzProgram(program.calls.map { FuzzCall(op: table.index(of: FuzzFixture.bundled.ops[$0.op].name)!, arguments: $0.arguments) })
    }
}
