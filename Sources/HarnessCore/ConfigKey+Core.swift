import KMSAN
import KernelMemory

extension ConfigKey {
    /// The keys the core reads, in the order listings show them.
    ///
    /// | key            | values                  | default  | sets                           |
    /// |----------------|-------------------------|----------|--------------------------------|
    /// | `profile`      | `mainline`, `rfc-v3`    | mainline | `kmsan.policy`                 |
    /// | `eager-checks` | `on`, `off`             | on       | `kmsan.eagerChecks`            |
    /// | `panic`        | `on`, `off`             | off      | `kmsan.panicOnReport`          |
    /// | `memory`       | bytes, `K`/`M` suffixes | 64M      | `memorySize`                   |
    /// | `leak-check`   | `on`, `off`             | off      | `leakCheck`                    |
    /// | `max-statements` | a positive integer    | 1000000  | `statementBudget`              |
    /// | `irq-contexts` | `shared`, `separate`    | shared   | `kmsan.separateIRQContexts`    |
    /// | `interleave`   | `completion`, `statement` | completion | `interleave`                |
    public static let core: [ConfigKey] = [profile, eagerChecks, panic, memory, leakCheck, maxStatements, irqContexts, interleave]

    /// `interleave`: when the CPUs of a program switch (`CPUInterleave`).
    public static let interleave = ConfigKey.choice(
        "interleave", CPUInterleave.allCases.map(\.rawValue), default: CPUInterleave.completion.rawValue,
        help: "CPUs switch only at yield points (yield, flush_cpu, a func's return) or also after every statement"
    ) { $0.interleave = CPUInterleave(rawValue: $1) ?? .completion }

    /// `irq-contexts`: whether hardirq code shares softirq's per-CPU KMSAN context (mainline)
    /// or has its own (google/kmsan#92's proposed fix).
    public static let irqContexts = ConfigKey.choice(
        "irq-contexts", ["shared", "separate"], default: "shared",
        help: "hardirq code shares softirq's per-CPU KMSAN context (mainline) or gets its own (google/kmsan#92)"
    ) { $0.kmsan.separateIRQContexts = $1 == "separate" }

    /// `max-statements`: the execution budget of a scenario.
    public static let maxStatements = ConfigKey(
        "max-statements", values: "a positive integer", default: "\(MachineConfiguration().statementBudget)",
        help: "statements a scenario may execute before it is stopped as a HARNESS timeout"
    ) { value in
        guard let n = IntegerLiteral.value(Substring(value)), n > 0, n <= UInt64(Int.max) else {
            return .failure(ConfigValueError(expected: "a positive integer (decimal or 0x hex)"))
        }
        return .success { $0.statementBudget = Int(n) }
    }

    /// `profile`: which kernel's KMSAN runs.
    public static let profile = ConfigKey.choice(
        "profile", KMSANPolicy.all.map(\.name), default: KMSANPolicy.mainline.name,
        help: "the KMSAN runtime: mainline (Linux 6.1+) or rfc-v3 (the 2019 RFC)"
    ) { configuration, name in
        if let policy = KMSANPolicy.all.first(where: { $0.name == name }) { configuration.kmsan.policy = policy }
    }

    /// `eager-checks`: CONFIG_KMSAN_CHECK_PARAM_RETVAL.
    public static let eagerChecks = ConfigKey.onOff(
        "eager-checks", default: KMSANOptions().eagerChecks,
        help: "check uninitialized arguments and return values at calls (CONFIG_KMSAN_CHECK_PARAM_RETVAL)"
    ) { $0.kmsan.eagerChecks = $1 }

    /// `panic`: kmsan.panic.
    public static let panic = ConfigKey.onOff(
        "panic", default: KMSANOptions().panicOnReport, help: "kmsan.panic: stop the scenario after its first report"
    ) { $0.kmsan.panicOnReport = $1 }

    /// `leak-check`: report what is still allocated at the end.
    public static let leakCheck = ConfigKey.onOff(
        "leak-check", default: MachineConfiguration().leakCheck,
        help: "report memory still allocated at the end as HARNESS leak"
    ) { $0.leakCheck = $1 }

    /// `memory`: the simulated physical memory (`mem=`).
    public static let memory = ConfigKey(
        "memory", values: "a size in bytes up to 4G (64M, 16384K, 1G, 0x4000000)", default: "\(PhysicalMemory.defaultSize >> 20)M",
        help: "simulated physical memory, a multiple of the page size (mem=)"
    ) { value in
        let limit = UInt64(MachineConfiguration.maxMemorySize)
        guard let size = IntegerLiteral.size(value), size > 0, size <= limit, size % UInt64(PAGE_SIZE) == 0 else {
            return .failure(ConfigValueError(
                expected: "a positive multiple of \(PAGE_SIZE) bytes up to \(limit >> 30)G, decimal or 0x hex with an optional K, M or G suffix (e.g. 64M)"))
        }
        return .success { $0.memorySize = Int(size) }
    }
}
