import Foundation
import KMSAN
import KernelMemory

// Until the scenario runner lands, `kmsan-harness` runs a short demo of real KMSAN reports.
var failures = 0
for program in Demo.programs {
    print("### \(program.name): \(program.summary)")
    do {
        let reports = try Demo.run(program) { print($0, terminator: "") }
        print("--- \(program.name): \(reports.count) report(s): \(reports.map(\.title).joined(separator: "; "))\n")
    } catch {
        print("error: \(program.name): \(error)")
        failures += 1
    }
}
exit(failures == 0 ? 0 : 1)
