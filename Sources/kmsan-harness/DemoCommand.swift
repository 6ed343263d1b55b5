import Foundation
import KMSAN
import KernelMemory

/// `kmsan-harness`: the command-line tool. Until the scenario runner lands, its one
/// subcommand is `demo`, which runs small programs on fresh simulated machines and prints
/// the KMSAN reports they produce in the kernel's own layout.
let usage = """
    usage: kmsan-harness demo     run the demo programs and print their KMSAN reports
           kmsan-harness --help   show this help
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "demo", nil:
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
    exit(failures == 0 ? 0 : 1)
case "--help", "-h", "help":
    print(usage)
default:
    FileHandle.standardError.write(Data("error: unknown command '\(arguments[0])'\n\(usage)\n".utf8))
    exit(2)
}
