import KMSAN

/// The frames code runs in when it runs on top of other code: each interrupt kind's entry code
/// (arch/x86 and kernel/softirq.c) and a kworker's (kernel/workqueue.c), outermost first. Each
/// is a `FrameRole.contextEntry`: a HARNESS header never looks past one for a subsystem entry.
public enum ContextFrames {
    /// The entry frames of an interrupt of `kind`.
    public static func interrupt(_ kind: InterruptKind) -> [String] {
        switch kind {
        case .softirq: ["__do_softirq", "handle_softirqs"]
        case .hardirq: ["handle_irq_event", "__handle_irq_event_percpu"]
        case .nmi: ["default_do_nmi", "nmi_handle"]
        }
    }

    /// The frames a kworker runs a work item in.
    public static let kworker = ["ret_from_fork_asm", "ret_from_fork", "kthread", "worker_thread", "process_one_work"]

    /// `frames` interned in `symbols` as context entries.
    public static func sites(_ frames: [String], in symbols: SymbolTable) -> [CallSite] {
        frames.map { symbols.site(in: $0, role: .contextEntry) }
    }

    /// Interns every context's frames (what a machine about to be saved does, so that runs
    /// after each restore find them rather than copy the symbol table to add them).
    public static func intern(in symbols: SymbolTable) {
        for kind in [InterruptKind.softirq, .hardirq, .nmi] { _ = sites(interrupt(kind), in: symbols) }
        _ = sites(kworker, in: symbols)
    }
}
