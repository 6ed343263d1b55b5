import KernelMemory

extension KernelReport {
    /// The kernel's separator line: 53 '='.
    public static let separator = String(repeating: "=", count: 53)

    /// The report in the kernel's console layout (mm/kmsan/report.c), ending with a newline.
    /// A KMSAN report whose `layout` is `.dumpStackAfterHeader` uses RFC v3's layout instead
    /// (`dumpStackLayoutText`).
    public var kernelText: String {
        if tool == .kmsan, layout == .dumpStackAfterHeader { return dumpStackLayoutText }
        if tool == .kasan { return kasanText }
        var out: [String] = []
        if tool == .warning {
            out.append("------------[ cut here ]------------")
            out.append("WARNING: CPU: \(cpu) PID: \(pid) at \(headerFrame?.location ?? "mm/kmsan/kmsan.h") \(headerFrame?.symbol ?? "kmsan_warn")")
            out.append(contentsOf: message)
            out.append("Modules linked in:")
            out.append(contentsOf: dumpStackPrintInfo)
            out.append("Call Trace:")
            out.append(contentsOf: stack.map { " " + $0.description })
            out.append("---[ end trace 0000000000000000 ]---")
            return out.joined(separator: "\n") + "\n"
        }
        out.append(Self.separator)
        out.append("BUG: \(tool.rawValue): \(bugType) in \(headerFrame?.symbol ?? "(unknown)")")
        if tool == .harness { out.append(contentsOf: message) }
        out.append(contentsOf: stack.map { " " + $0.description })
        out.append("")
        for block in origin {
            if block.truncatedBefore {
                out.append("<Zero or more stacks not recorded to save memory>")
                out.append("")
            }
            switch block.kind {
            case .storedAt:
                out.append("Uninit was stored to memory at:")
                out.append(contentsOf: block.frames.map { " " + $0.description })
                out.append("")
            case .createdAt:
                out.append("Uninit was created at:")
                if block.frames.isEmpty { out.append("(stack is not available)") }
                out.append(contentsOf: block.frames.map { " " + $0.description })
            case .localVariable:
                out.append("Local variable \(block.variable ?? "") created at:")
                out.append(contentsOf: block.frames.map { " " + $0.description })
            }
        }
        if let r = byteRange {
            if !origin.isEmpty { out.append("") }
            out.append(Self.byteRangeLine(r))
            if let a = accessAddress { out.append("Memory access of size \(r.size) starts at \(hex16(a))") }
        }
        if let u = userAddress { out.append("Data copied to user address \(hex16(u))") }
        if tool != .harness { out.append("") }
        out.append(contentsOf: dumpStackPrintInfo)
        out.append(Self.separator)
        out.append(contentsOf: panicLines)
        return out.joined(separator: "\n") + "\n"
    }

    /// `Byte 3 of 4 is uninitialized` or `Bytes 0-3 of 8 are uninitialized`, as both the
    /// mainline and the RFC v3 `kmsan_report()` print the range of a check.
    static func byteRangeLine(_ r: ByteRange) -> String {
        r.first == r.last ? "Byte \(r.first) of \(r.size) is uninitialized" : "Bytes \(r.first)-\(r.last) of \(r.size) are uninitialized"
    }

    /// `dump_stack_print_info()`: the CPU line, the verbose taint line when the kernel is
    /// tainted (mainline, since Linux 6.10), and the `Hardware name:` line.
    var dumpStackPrintInfo: [String] { dumpStackPrintInfo(taint: taint) }

    /// `dump_stack_print_info()` with the kernel tainted by `taint`.
    func dumpStackPrintInfo(taint: TaintFlags) -> [String] {
        var lines = [cpuLine(taint: taint)]
        if !taint.isEmpty, layout != .dumpStackAfterHeader { lines.append(taint.printedVerbose) }
        lines.append("Hardware name: \(Self.hardwareName)")
        return lines
    }

    /// The CPU line as `dump_stack_print_info()` prints it. Linux 6.18 (lib/dump_stack.c):
    /// `CPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s %s ` and the build ID (empty without
    /// CONFIG_STACKTRACE_BUILD_ID): taint, release, the version up to its first space (`#1`),
    /// then the preemption model (`PREEMPT(full)`) and a trailing space. RFC v3's kernels
    /// (5.x) printed `CPU: %d PID: %d Comm: %.20s %s %s %.*s`, with neither UID nor model.
    func cpuLine(taint: TaintFlags) -> String {
        if layout == .dumpStackAfterHeader {
            return "CPU: \(cpu) PID: \(pid) Comm: \(comm) \(taint.printed) \(release) #1"
        }
        return "CPU: \(cpu) UID: 0 PID: \(pid) Comm: \(comm) \(taint.printed) \(release) #1 PREEMPT(full) "
    }

    /// What the `Hardware name:` line says.
    static let hardwareName = "kmsan-harness simulated machine"
}
