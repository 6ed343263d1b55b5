// Runs the peer workload scenario through the scenario runner's public API.
import Benchmark
import HarnessCore
import KMSAN
import PageAllocatorPlugin
import ScenarioLanguage
import ScenarioRunner
import SlabPlugin

/// The peer workload scenario, parsed once, and the same file with no iterations: one run of
/// each on a fresh machine, the difference divided by the iterations is one iteration's cost
/// (the machine's boot and teardown cancel out).
struct PeerScenarioRunner {
    let iterations: Int
    let full: Scenario
    let empty: Scenario
    let interpreter: ScenarioInterpreter

    init(iterations: Int) {
        let plugins: [any HarnessPlugin] = [PageAllocatorPlugin(), SlabPlugin()]
        let vocabulary = ScenarioVocabulary(coreOps: CoreOps.all, plugins: plugins)
        func parse(_ n: Int) -> Scenario {
            ScenarioParser.parse(peerScenarioText(iterations: n), path: "peer.scenario", vocabulary: vocabulary).file.scenarios[0]
        }
        self.iterations = iterations
        full = parse(iterations)
        empty = parse(0)
        interpreter = ScenarioInterpreter(options: ScenarioRunOptions(plugins: plugins))
    }

    /// ns per iteration of one run.
    func nanosecondsPerIteration() -> Double {
        let start = monotonicNanoseconds()
        let result = interpreter.run(full)
        let middle = monotonicNanoseconds()
        blackHole(interpreter.run(empty))
        let end = monotonicNanoseconds()
        precondition(result.passed, "the peer workload must not report")
        return (Double(middle - start) - Double(end - middle)) / Double(iterations)
    }
}
