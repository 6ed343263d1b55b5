import ArgumentParser
import HarnessCore

/// `kmsan-harness ops`: every op a scenario may call, with its signature and one line of help,
/// grouped by plugin (the core's own ops first), and the named constants each plugin adds.
struct OpsCommand: ParsableCommand {
    /// Name and help.
    static let configuration = CommandConfiguration(
        commandName: "ops", abstract: "List every scenario op with its signature and help, grouped by plugin.")

    /// Prints the listing.
    func run() throws {
        print(Self.listing(core: CoreOps.all, plugins: KMSANHarnessCommand.plugins), terminator: "")
    }

    /// The listing text: one block per group, `signature  help` lines aligned.
    static func listing(core: [ScenarioOp], plugins: [any HarnessPlugin]) -> String {
        var groups: [(title: String, ops: [ScenarioOp], constants: [NamedConstant])] = [("core (the KMSAN runtime)", core, [])]
        for plugin in plugins {
            let provides = plugin.provides.map { ", provides the \($0) subsystem" } ?? ""
            groups.append(("plugin \(plugin.name)\(provides)", plugin.ops, plugin.constants))
        }
        let width = groups.flatMap(\.ops).map(\.signatureWithResult.count).max() ?? 0
        var out = ""
        for group in groups {
            out += "\(group.title):\n"
            for op in group.ops {
                let sig = op.signatureWithResult
                out += "  " + sig + String(repeating: " ", count: width - sig.count + 2) + op.help + "\n"
            }
            if !group.constants.isEmpty {
                out += "  constants: " + group.constants.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ") + "\n"
            }
            out += "\n"
        }
        return out
    }
}

extension ScenarioOp {
    /// `r = kmalloc(size, gfp)` for ops that return a value, `kfree(p)` for the others.
    var signatureWithResult: String { returnsValue ? "r = \(signature)" : signature }
}
