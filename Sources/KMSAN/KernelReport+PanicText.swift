import KernelMemory

extension KernelReport {
    /// The string a report that panics passes to `panic()`, without its newline: mainline's
    /// `kmsan_report` calls `panic("kmsan.panic set ...\n")`, RFC v3's
    /// `panic("panic_on_warn set ...\n")`, and KASAN's `end_report` with `kasan.fault=panic`
    /// `panic("kasan.fault=panic set ...\n")`.
    var panicMessage: String {
        switch tool {
        case .kmsan: layout == .dumpStackAfterHeader ? "panic_on_warn set ..." : "kmsan.panic set ..."
        case .kasan: "kasan.fault=panic set ..."
        case .warning, .harness: "kmsan.panic set: halting"
        }
    }

    /// The taint the kernel adds once this report is printed: BAD_PAGE for KMSAN and KASAN
    /// reports (`add_taint` at the end of `kmsan_report` and of KASAN's `end_report`), the
    /// warning's own (`WarningKind.taint`) for a warning, nothing for a HARNESS finding.
    public var addedTaint: TaintFlags {
        switch tool {
        case .kmsan, .kasan: .badPage
        case .warning: WarningKind(rawValue: bugType)?.taint ?? .warn
        case .harness: []
        }
    }

    /// What `vpanic()` prints after the report (kernel/panic.c): `Kernel panic - not syncing:`
    /// and the message, `dump_stack()` (the CPU and hardware lines, then `panicTrace`; the
    /// kernel is tainted by now), the `Kernel Offset:` line x86's panic notifier prints, and
    /// the end marker. RFC v3's kernels (5.x) printed no `<TASK>` markers around the trace.
    /// Empty unless the report panicked; a warning's panic is its message line only.
    var panicLines: [String] {
        guard panicked else { return [] }
        var lines = ["Kernel panic - not syncing: \(panicMessage)"]
        guard !panicTrace.isEmpty else { return lines }
        lines.append(contentsOf: dumpStackPrintInfo(taint: taint.union(addedTaint)))
        lines.append("Call Trace:")
        let markers = layout != .dumpStackAfterHeader
        if markers { lines.append(" <TASK>") }
        lines.append(contentsOf: panicTrace.map { " " + $0.description })
        if markers { lines.append(" </TASK>") }
        lines.append("Kernel Offset: disabled")
        lines.append("---[ end Kernel panic - not syncing: \(panicMessage) ]---")
        return lines
    }
}
