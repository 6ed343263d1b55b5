// The scenario interpreter's cost per statement: the peer workload (kmalloc 64, six stores,
// kmalloc 64, memcpy, eight loads with six branches, two kfree) as Swift API calls and as a
// scenario `func` called once per iteration, both on one machine with the bundled plugins.
import Benchmark
import HarnessCore
import KMSAN
import KernelMemory
import ScenarioLanguage
import ScenarioRunner

/// Statements of one iteration of the peer workload (the `func` body) plus the call itself.
let peerStatementsPerIteration = 26

/// The peer workload as a `func`, and a scenario calling it `iterations` times.
func peerScenarioText(iterations: Int) -> String {
    var text = "func peer()\n  r0 = kmalloc(64, GFP_KERNEL)\n"
    for i in 0..<6 { text += "  store64(r0+\(8 * i), \(i + 1))\n" }
    text += "  r1 = kmalloc(64, GFP_KERNEL)\n  memcpy(r1, r0, 48)\n"
    for i in 0..<8 { text += "  r\(2 + i) = load64(r1+\(8 * i))\n" }
    for i in 0..<6 { text += "  use(r\(2 + i))\n" }
    text += "  kfree(r0)\n  kfree(r1)\nend\n\nscenario peer_workload\n  expect no-report\n"
    text += String(repeating: "  peer()\n", count: iterations)
    return text + "end\n"
}

/// One iteration of the peer workload through the Swift API, in a frame named `peer`.
func peerIteration(_ machine: Machine, _ cpu: KernelCPU, _ site: CallSite) {
    let runtime = machine.runtime
    guard let slab = machine.slab else { return }
    cpu.call(site) {
        guard let p0 = slab.kmalloc(64, gfp: .kernel, on: cpu) else { return }
        for i in 0..<6 { runtime.store(.initialized(UInt64(i + 1), width: .bits64), to: p0 + 8 * i, on: cpu) }
        guard let p1 = slab.kmalloc(64, gfp: .kernel, on: cpu) else { return }
        runtime.memcpy(p1, p0, count: 48, on: cpu)
        var values: [ShadowedValue] = []
        for i in 0..<8 { values.append(runtime.load(.bits64, from: p1 + 8 * i, on: cpu)) }
        for i in 0..<6 { runtime.branch(on: values[i], on: cpu) }
        slab.kfree(p0, on: cpu)
        slab.kfree(p1, on: cpu)
    }
}

/// Metrics of the interpreter benchmark, in ns per iteration of the peer workload.
enum InterpreterMetric {
    static let swiftAPI = metric("peer workload, Swift API (ns/iteration)")
    static let scenario = metric("peer workload, scenario (ns/iteration)")
    static let reused = metric("peer workload, scenario, reused machine (ns/iteration)")
    static let all = [swiftAPI, scenario, reused]
}

/// Registers benchmark 6.
func registerInterpreterBenchmark() {
    let iterations = 2000
    let runner = try? PeerScenarioRunner(iterations: iterations)
    registerBenchmark("6 interpreter: peer workload", metrics: InterpreterMetric.all, maxDuration: .seconds(4)) { benchmark, _, context in
        let m = AllocatorMachines.get().on
        let site = m.machine.runtime.symbols.site(in: "peer", file: "bench", line: 1)
        context.record(nanosecondsPerRun(iterations) { peerIteration(m.machine, m.cpu, site) }, InterpreterMetric.swiftAPI, in: benchmark)
        guard let runner else { return }
        context.record(runner.nanosecondsPerIteration(), InterpreterMetric.scenario, in: benchmark)
        context.record(runner.nanosecondsPerIterationOnAReusedMachine(), InterpreterMetric.reused, in: benchmark)
    } summary: { context in
        let api = context.median(InterpreterMetric.swiftAPI), scenario = context.median(InterpreterMetric.scenario)
        let reused = context.median(InterpreterMetric.reused)
        let perStatement = (scenario - api) / Double(peerStatementsPerIteration)
        return summaryTable("peer workload (\(peerStatementsPerIteration) statements), \(context.sampleCount(InterpreterMetric.scenario)) samples", [
            SummaryRow(label: "Swift API, one iteration", nanoseconds: api),
            SummaryRow(label: "scenario, one iteration", nanoseconds: scenario, ratio: scenario / api),
            SummaryRow(label: "scenario on a reused machine", nanoseconds: reused, ratio: reused / api),
            SummaryRow(label: "interpreter overhead per statement", nanoseconds: perStatement),
        ])
    }
}
