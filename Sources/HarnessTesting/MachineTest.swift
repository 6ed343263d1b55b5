import HarnessCore
import KMSAN
import KernelMemory

/// Runs `body` on a fresh machine and returns what it reported. The machine is torn down after
/// `body`, with the leak check first when the configuration asks for it.
///
/// The building block of `expectReports` (Swift Testing) and `XCTAssertReports` (XCTest).
public func runOnFreshMachine(
    plugins: [any HarnessPlugin], configuration: MachineConfiguration = MachineConfiguration(),
    function: String, _ body: (Machine, KernelCPU) throws -> Void
) throws -> [KernelReport] {
    let sink = InMemoryReportSink()
    let machine = try Machine(configuration: configuration, plugins: plugins, sink: sink)
    defer { machine.shutdown() }
    let cpu = machine.makeCPU(comm: "kunit_try_catch")
    let site = machine.runtime.symbols.site(in: function, file: "test", line: 1)
    try cpu.call(site) {
        try body(machine, cpu)
        // Leaks belong to the function that ran, as a scenario's do to the scenario.
        machine.checkLeaks(on: cpu)
    }
    return sink.reports
}

/// The text a failed report comparison shows: the mismatch, then every report in full.
func failureText(_ mismatch: String, _ reports: [KernelReport]) -> String {
    ([mismatch] + reports.map(\.kernelText)).joined(separator: "\n")
}
