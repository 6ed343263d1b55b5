import KMSAN
import KernelMemory

/// KMSAN's one-off annotations (include/linux/kmsan-checks.h) and the per-task reporting switch.
extension CoreOps {
    /// `kmsan_check_memory`, `kmsan_poison_memory`, `kmsan_unpoison_memory`,
    /// `kmsan_disable_current`, `kmsan_enable_current`.
    public static let annotations: [ScenarioOp] = [
        ScenarioOp(
            "kmsan_check_memory", [.init("addr", .pointer, resource: .address), .init("n", .integer, range: 0...65536)], returnsValue: false,
            help: "report each run of uninitialized bytes (one report per origin), in the caller"
        ) { inv throws(OpError) in
            let n = try inv.size(1)
            inv.runtime.checkMemory(try inv.pointer(0), size: n, on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "kmsan_poison_memory", [.init("addr", .pointer, resource: .address), .init("n", .integer, range: 0...65536)], returnsValue: false,
            help: "mark n bytes uninitialized, with an origin of the current stack"
        ) { inv throws(OpError) in
            let n = try inv.size(1)
            inv.runtime.poisonMemory(try inv.pointer(0), size: n, on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "kmsan_unpoison_memory", [.init("addr", .pointer, resource: .address), .init("n", .integer, range: 0...65536)], returnsValue: false,
            help: "mark n bytes initialized (a partly unpoisoned origin slot keeps its origin)"
        ) { inv throws(OpError) in
            let n = try inv.size(1)
            inv.runtime.unpoisonMemory(try inv.pointer(0), size: n, on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "kmsan_disable_current", [], returnsValue: false,
            help: "stop reports for the current task (nests)"
        ) { inv throws(OpError) in
            inv.runtime.disableCurrent(on: inv.cpu)
            return nil
        },
        ScenarioOp(
            "kmsan_enable_current", [], returnsValue: false,
            help: "undo one kmsan_disable_current; an underflow is a KMSAN warning"
        ) { inv throws(OpError) in
            inv.runtime.enableCurrent(on: inv.cpu)
            return nil
        },
    ]
}
