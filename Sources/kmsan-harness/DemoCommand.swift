import ArgumentParser
import Foundation
import KMSAN
import KernelMemory

/// `kmsan-harness demo`: runs small Swift programs on fresh simulated machines and prints the
/// KMSAN reports they produce in the kernel's own layout, with the host memory each machine
/// used. A tour of the runtime without the scenario language.
struct DemoCommand: ParsableCommand {
    /// Name and help.
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run the built-in demo programs and print their KMSAN reports.")

    /// Runs every demo program; exits 1 if one could not run.
    func run() throws {
        var failures = 0
        for program in Demo.programs {
            print("### \(program.name): \(program.summary)")
            do {
                let outcome = try Demo.run(program) { print($0, terminator: "") }
                let titles = outcome.reports.map(\.title).joined(separator: "; ")
                let mib = Double(outcome.hostWhileRunning.allocatedBytes) / Double(1 << 20)
                let left = outcome.hostAfterTeardown.map { "\($0.allocatedBytes) bytes" } ?? "unknown"
                print("--- \(program.name): \(outcome.reports.count) report(s): \(titles)")
                print("--- host memory: \(mib) MiB in arena \(outcome.arena) while running, \(left) left after teardown\n")
            } catch {
                FileHandle.standardError.write(Data("error: \(program.name): \(error)\n".utf8))
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
