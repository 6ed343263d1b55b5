import KernelMemory

extension KernelReport {
    /// KASAN's separator line: 66 '=' (mm/kasan/report.c `start_report`/`end_report`).
    public static let kasanSeparator = String(repeating: "=", count: 66)

    /// A KASAN report in the layout of mm/kasan/report.c `print_report`: the header, the access
    /// line, a blank line, `dump_stack_lvl` (the CPU and hardware lines, then the call trace
    /// between `<TASK>` markers as x86 prints it), a blank line, then the description lines the
    /// reporting plugin gave (the "buggy address belongs to" block and the memory state).
    var kasanText: String {
        var out = [Self.kasanSeparator]
        out.append("BUG: KASAN: \(bugType) in \(headerFrame?.symbol ?? "(unknown)")")
        let address = hex16(accessAddress ?? 0)
        let by = "at addr \(address) by task \(comm)/\(pid)"
        if let access = kasanAccess {
            out.append(access.size > 0 ? "\(access.direction.rawValue) of size \(access.size) \(by)" : "\(access.direction.rawValue) \(by)")
        }
        out.append("")
        out.append(contentsOf: dumpStackPrintInfo)
        out.append("Call Trace:")
        out.append(" <TASK>")
        out.append(contentsOf: stack.map { " " + $0.description })
        out.append(" </TASK>")
        out.append("")
        out.append(contentsOf: message)
        out.append(Self.kasanSeparator)
        out.append(contentsOf: panicLines)
        return out.joined(separator: "\n") + "\n"
    }
}
