import HarnessCore
import ScenarioLanguage

/// The funcs every fuzz program has, for the ops that run a func by name (`hardirq`, `nmi`,
/// `softirq`, `raise_irq_in_hook`, `on_cpu`): a program is a flat list of calls, so its
/// handlers come from this fixed library, each taking the pointer the op passes it. The
/// generator names them (`ResourceKind.programFunction`); a reproducer lists them after its
/// scenario, so `kmsan-harness run` runs it as the fuzzer did.
public enum FuzzHandlers {
    /// The library, in the scenario language: reads, writes and a memset through the pointer,
    /// and funcs that nest another context or start work on another CPU.
    public static let source = """
        func fuzz_read(p)
          r0 = load8(p)
          use(r0)
        end

        func fuzz_write(p)
          store8(p, 1)
        end

        func fuzz_memset(p)
          memset(p, 0, 8)
        end

        func fuzz_yield(p)
          yield()
          r0 = load8(p)
          use(r0)
        end

        func fuzz_hardirq(p)
          hardirq("fuzz_write", p)
        end

        func fuzz_nmi(p)
          nmi("fuzz_read", p)
        end

        func fuzz_on_cpu(p)
          on_cpu(2, "fuzz_memset", p)
          yield()
        end

        """

    /// The funcs' names, in the library's order.
    public static let names = ["fuzz_read", "fuzz_write", "fuzz_memset", "fuzz_yield", "fuzz_hardirq", "fuzz_nmi", "fuzz_on_cpu"]

    /// Whether `program` names one of the funcs (so its text needs the library).
    static func used(by program: FuzzProgram) -> Bool {
        program.calls.contains { call in
            call.arguments.contains { if case .string(let s) = $0 { names.contains(s) } else { false } }
        }
    }

    /// The library parsed against `plugins`, its lines starting at `firstLine` of `path`.
    /// Empty if the plugins lack an op it calls (a table built without the core's).
    static func functions(plugins: PluginSet, path: String, firstLine: Int) -> [String: FunctionDecl] {
        let padded = String(repeating: "\n", count: max(0, firstLine - 1)) + source
        let parsed = ScenarioParser.parse(padded, path: path, plugins: plugins)
        return parsed.diagnostics.isEmpty ? parsed.file.functions : [:]
    }
}
