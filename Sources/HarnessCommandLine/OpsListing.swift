import Foundation
import HarnessCore

/// What `ops` prints, derived from a plugin set alone.
public enum OpsListing {
    /// One block per group: `signature  help` lines aligned, then the group's config keys and
    /// constants. A parameter shows the resource it takes (`p: slab-object`) and its range
    /// (`order 0...10`); a result shows its resource (`-> slab-object`).
    public static func text(_ plugins: PluginSet) -> String {
        var out = ""
        for group in plugins.groups {
            let forms = group.ops.flatMap { [$0] + $0.shortForms }
            let width = forms.map { signature(of: $0).count }.max() ?? 0
            out += "\(title(of: group)):\n"
            for op in forms {
                let sig = signature(of: op)
                out += "  " + sig + String(repeating: " ", count: width - sig.count + 2) + op.help + "\n"
            }
            for key in group.settings {
                out += "  config \(key.name)=\(key.values.replacingOccurrences(of: ", ", with: "|")) (default \(key.defaultValue)): \(key.help)\n"
            }
            if !group.constants.isEmpty {
                out += "  constants: " + group.constants.map { "\($0.name) (\($0.kind.name))" }.joined(separator: ", ") + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// `core (the KMSAN runtime)` or `plugin slub, provides the slab subsystem`.
    static func title(of group: PluginSet.Group) -> String {
        guard let plugin = group.plugin else { return "core (the KMSAN runtime)" }
        return "plugin \(plugin.name)" + (plugin.provides.map { ", provides the \($0) subsystem" } ?? "")
    }

    /// `r = kmalloc(size 0...4194304, gfp) -> slab-object`, `kfree(p: slab-object)`.
    public static func signature(of op: ScenarioOp) -> String {
        let parameters = op.parameters.map { p in
            p.name + (p.resource.map { ": \($0)" } ?? "") + (p.range.map { " \($0.lowerBound)...\($0.upperBound)" } ?? "")
        }
        let call = "\(op.name)(\((parameters + (op.isVariadic ? ["..."] : [])).joined(separator: ", ")))"
        guard op.returnsValue else { return call }
        return "r = " + call + (op.result.map { " -> \($0)" } ?? "")
    }

    /// One JSON object per line: `{"type":"op",...}` for each op, then `config`, `constant`
    /// and `resource` objects; keys sorted.
    public static func jsonLines(_ plugins: PluginSet) -> [String] {
        var lines: [String] = []
        var resources: [ResourceKind] = []
        func note(_ r: ResourceKind?) { if let r, !resources.contains(r) { resources.append(r) } }
        for group in plugins.groups {
            for full in group.ops {
                for op in [full] + full.shortForms {
                    op.parameters.forEach { note($0.resource) }
                    note(op.result)
                    lines.append(encode(OpLine(op, owner: group.owner, shortForm: op.parameters.count != full.parameters.count)))
                }
            }
            for key in group.settings {
                lines.append(encode(ConfigLine(name: key.name, owner: group.owner, values: key.values.components(separatedBy: ", "),
                                               defaultValue: key.defaultValue, help: key.help)))
            }
            for c in group.constants {
                lines.append(encode(ConstantLine(name: c.name, owner: group.owner, kind: c.kind.name, value: "0x" + String(c.value, radix: 16))))
            }
        }
        lines += resources.map { encode(ResourceLine(name: $0.name, refines: $0.parentName)) }
        return lines
    }

    private struct OpLine: Encodable {
        struct Parameter: Encodable {
            var name: String
            var kind: String
            var resource: String?
            var range: [Int64]?
            var choices: [String]?
        }
        var type = "op"
        var name: String
        var owner: String
        var parameters: [Parameter]
        var variadic: Bool
        var returnsValue: Bool
        var result: String?
        var checksArgumentsEagerly: Bool
        var help: String
        /// A short form of the op (`ScenarioOp.shortForms`), listed after its full form.
        var shortForm: Bool

        init(_ op: ScenarioOp, owner: String, shortForm: Bool) {
            self.shortForm = shortForm
            name = op.name
            self.owner = owner
            parameters = op.parameters.map {
                Parameter(name: $0.name, kind: $0.kind.name, resource: $0.resource?.name,
                          range: $0.range.map { [$0.lowerBound, $0.upperBound] }, choices: $0.choices)
            }
            variadic = op.isVariadic
            returnsValue = op.returnsValue
            result = op.result?.name
            checksArgumentsEagerly = op.checksArgumentsEagerly
            help = op.help
        }
    }

    private struct ConfigLine: Encodable {
        var type = "config"
        var name: String
        var owner: String
        var values: [String]
        var defaultValue: String
        var help: String
        enum CodingKeys: String, CodingKey { case type, name, owner, values, defaultValue = "default", help }
    }

    private struct ConstantLine: Encodable {
        var type = "constant"
        var name: String
        var owner: String
        var kind: String
        var value: String
    }

    private struct ResourceLine: Encodable {
        var type = "resource"
        var name: String
        var refines: String?
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let line = String(data: data, encoding: .utf8) else {
            return #"{"type":"error","message":"unencodable"}"#
        }
        return line
    }
}
