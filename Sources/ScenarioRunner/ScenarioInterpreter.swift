import HarnessCore
import KMSAN
import ScenarioLanguage

/// Runs one scenario on a fresh `Machine` and judges its reports.
///
/// A `Scenario` is resolved (`ResolvedScenario`) before it runs; callers that run one scenario
/// many times resolve it once and call `run(_:)` with the resolved form.
///
/// Each run boots a machine from `options` (reports go to an `InMemoryReportSink`), creates one
/// CPU whose task is `kunit_try_catch` (as KUnit's test thread), pushes the scenario's frame
/// (its name, at its `scenario` line) and executes the statements, each at its own call site.
/// With `leak-check`, the machine's leak check runs in the scenario's frame at the end. The
/// machine is shut down on every path. A machine that cannot boot (a bad `memory` size, a
/// plugin list that does not fit together) is a FAIL verdict naming the error.
public struct ScenarioInterpreter: Sendable {
    /// How scenarios run.
    public var options: ScenarioRunOptions
    /// The deepest `func` nesting allowed; a deeper call is a HARNESS `misuse` that ends the
    /// scenario (the host stack is never at risk).
    public static let maxCallDepth = 64

    /// Creates an interpreter.
    public init(options: ScenarioRunOptions) { self.options = options }

    /// Resolves `scenario` and runs it on a fresh machine.
    public func run(_ scenario: Scenario) -> ScenarioResult { run(ResolvedScenario(scenario)) }

    /// Runs a resolved scenario on a fresh machine.
    public func run(_ resolved: ResolvedScenario) -> ScenarioResult {
        let scenario = resolved.scenario
        let sink = InMemoryReportSink()
        let machine: Machine
        do {
            machine = try options.plugins.makeMachine(configuration: options.configuration(for: scenario), sink: sink)
        } catch {
            return ScenarioResult(name: scenario.name, path: scenario.path, position: scenario.position, reports: [],
                                  verdict: .fail("machine: \(error)"))
        }
        defer { machine.shutdown() }
        ScenarioExecution(machine: machine, resolved: resolved).run()
        let reports = sink.reports
        return ScenarioResult(name: scenario.name, path: scenario.path, position: scenario.position, reports: reports,
                              verdict: ScenarioVerdict.judge(scenario.expectations, reports))
    }
}

extension ResolvedScenario {
    /// Runs the scenario once on `machine`, which must have been built from the plugin set the
    /// scenario was parsed with: a new CPU whose task is `kunit_try_catch`, the scenario's
    /// frame, its statements, and the leak check if the machine's configuration asks for it.
    /// Reports go to the machine's sink; nothing is judged. For callers that reuse one machine
    /// (benchmarks, fuzz loops).
    public func run(on machine: Machine) {
        ScenarioExecution(machine: machine, resolved: self).run()
    }

    /// Interns the scenario's call sites in `machine`'s symbol table, as a run does first:
    /// for a machine about to be saved (a fuzz executor's), so that runs after each restore
    /// find them rather than copy the symbol table to add them.
    public func internSites(on machine: Machine) {
        let symbols = machine.runtime.symbols, path = scenario.path
        for site in sites { _ = symbols.site(in: site.function, file: path, line: site.line) }
    }

    /// `run(on:)`, calling `observe` after each statement of the scenario's own body with the
    /// statement's index and its value (nil for none): what a fuzzer's coverage signal reads.
    public func run(on machine: Machine, observe: @escaping (Int, ShadowedValue?) -> Void) {
        let execution = ScenarioExecution(machine: machine, resolved: self)
        execution.observer = observe
        execution.run()
    }
}
