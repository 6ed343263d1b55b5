import BundledPlugins
import HarnessCore
import KMSAN
import ScenarioRunner
import Testing

/// `Machine.restoreState` returns a machine to the state it was saved in: every bundled scenario
/// run on one machine restored between runs prints byte for byte what it prints on a machine
/// booted for it alone (reports, origin handles, taint), in file order and in reverse.
@Suite struct RestoreEqualsBootTests {
    /// The bundled scenarios, grouped by the configuration they run with.
    static func groups() throws -> [(MachineConfiguration, [ResolvedScenario])] {
        let options = ScenarioRunOptions(plugins: try PluginSet(BundledPlugins.all))
        var groups: [(MachineConfiguration, [ResolvedScenario])] = []
        for resolved in BundledSuite.folder.suite.scenarios {
            let configuration = options.configuration(for: resolved.scenario)
            if let i = groups.firstIndex(where: { $0.0 == configuration }) {
                groups[i].1.append(resolved)
            } else {
                groups.append((configuration, [resolved]))
            }
        }
        return groups
    }

    /// The text of every report `resolved` prints on `machine`, drained from `sink`.
    static func texts(_ resolved: ResolvedScenario, on machine: Machine, _ sink: InMemoryReportSink) -> [String] {
        resolved.run(on: machine)
        return sink.drain().map { $0.kernelText + ($0.jsonLine) }
    }

    static func fresh(_ resolved: ResolvedScenario, _ configuration: MachineConfiguration) throws -> [String] {
        let sink = InMemoryReportSink()
        let machine = try PluginSet(BundledPlugins.all).makeMachine(configuration: configuration, sink: sink)
        defer { machine.shutdown() }
        return texts(resolved, on: machine, sink)
    }

    @Test(arguments: [false, true]) func aRestoredMachinePrintsWhatAFreshOnePrints(reversed: Bool) throws {
        for (configuration, scenarios) in try Self.groups() {
            let sink = InMemoryReportSink()
            let machine = try PluginSet(BundledPlugins.all).makeMachine(configuration: configuration, sink: sink)
            defer { machine.shutdown() }
            let snapshot = try #require(machine.saveState())
            for resolved in reversed ? scenarios.reversed() : scenarios {
                let expected = try Self.fresh(resolved, configuration)
                machine.restoreState(snapshot)
                #expect(Self.texts(resolved, on: machine, sink) == expected, "\(resolved.scenario.name)")
            }
        }
    }

    @Test func withoutARestoreTheMachineRemembersTheLastRun() throws {
        let (configuration, scenarios) = try #require(try Self.groups().first { $0.1.count >= 2 })
        let sink = InMemoryReportSink()
        let machine = try PluginSet(BundledPlugins.all).makeMachine(configuration: configuration, sink: sink)
        defer { machine.shutdown() }
        let differing = scenarios.contains { resolved in
            let expected = (try? Self.fresh(resolved, configuration)) ?? []
            return !expected.isEmpty && Self.texts(resolved, on: machine, sink) != expected
        }
        #expect(differing, "some scenario must print differently on a machine that ran others before it")
    }
}
