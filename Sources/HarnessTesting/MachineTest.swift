import HarnessCore
import KMSAN
import KernelMemory

/// Runs `body` on a fresh machine (a `MachineFixture` of `plugins` and `configuration`) as the
/// function `function`, then the leak check when the configuration asks for it, and returns
/// what it reported. The machine is torn down before it returns.
///
/// The building block of `expectReports` (Swift Testing) and `XCTAssertReports` (XCTest).
public func runOnFreshMachine(
    plugins: [any HarnessPlugin], configuration: MachineConfiguration = MachineConfiguration(),
    function: String, _ body: (Machine, KernelCPU) throws -> Void
) throws -> [KernelReport] {
    let m = try MachineFixture(plugins: plugins, memory: configuration.memorySize) { $0 = configuration }
    defer { m.shutdown() }
    try m.run(function) {
        try body(m.machine, m.cpu)
        // Leaks belong to the function that ran, as a scenario's do to the scenario.
        m.machine.checkLeaks(on: m.cpu)
    }
    return m.reports
}

/// The text a failed report comparison shows: the mismatch, then every report in full.
func failureText(_ mismatch: String, _ reports: [KernelReport]) -> String {
    ([mismatch] + reports.map(\.kernelText)).joined(separator: "\n")
}
