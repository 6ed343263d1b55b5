// Runs the peer workload scenario through the scenario runner's public API.
import Benchmark
import BundledPlugins
import HarnessCore
import KMSAN
import ScenarioLanguage
import ScenarioRunner

/// The peer workload scenario, resolved once, and the same file with no iterations: one run of
/// each on a fresh machine, the difference divided by the iterations is one iteration's cost
/// (the machine's boot and teardown cancel out). `reusedMachine` runs the resolved scenario on
/// one machine booted once, as a fuzz loop would.
struct PeerScenarioRunner {
    let iterations: Int
    let full: ResolvedScenario
    let empty: ResolvedScenario
    let interpreter: ScenarioInterpreter
    let machine: Machine

    init(iterations: Int) throws {
        let plugins = try BundledPlugins.pluginSet()
        func resolve(_ n: Int) throws -> ResolvedScenario {
            let parsed = ScenarioParser.parse(peerScenarioText(iterations: n), path: "peer.scenario", plugins: plugins)
            guard let scenario = parsed.file.scenarios.first else { throw OpError("the peer scenario does not parse: \(parsed.diagnostics)") }
            return ResolvedScenario(scenario)
        }
        self.iterations = iterations
        full = try resolve(iterations)
        empty = try resolve(0)
        interpreter = ScenarioInterpreter(options: ScenarioRunOptions(plugins: plugins))
        machine = try plugins.makeMachine(sink: InMemoryReportSink())
    }

    /// ns per iteration of one run on a fresh machine.
    func nanosecondsPerIteration() -> Double {
        let start = monotonicNanoseconds()
        let result = interpreter.run(full)
        let middle = monotonicNanoseconds()
        blackHole(interpreter.run(empty))
        let end = monotonicNanoseconds()
        precondition(result.passed, "the peer workload must not report")
        return (Double(middle - start) - Double(end - middle)) / Double(iterations)
    }

    /// ns per iteration of one run on the machine booted once.
    func nanosecondsPerIterationOnAReusedMachine() -> Double {
        let start = monotonicNanoseconds()
        full.run(on: machine)
        return Double(monotonicNanoseconds() - start) / Double(iterations)
    }
}
