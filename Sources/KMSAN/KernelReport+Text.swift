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
            out.append(cpuLine)
            out.append("Hardware name: \(Self.hardwareName)")
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
        out.append(cpuLine)
        out.append("Hardware name: \(Self.hardwareName)")
        out.append(Self.separator)
        if panicked { out.append("Kernel panic - not syncing: kmsan.panic set ...") }
        return out.joined(separator: "\n") + "\n"
    }

    /// `Byte 3 of 4 is uninitialized` or `Bytes 0-3 of 8 are uninitialized`, as both the
    /// mainline and the RFC v3 `kmsan_report()` print the range of a check.
    static func byteRangeLine(_ r: ByteRange) -> String {
        r.first == r.last ? "Byte \(r.first) of \(r.size) is uninitialized" : "Bytes \(r.first)-\(r.last) of \(r.size) are uninitialized"
    }

    /// `CPU: 0 PID: 1 Comm: name Not tainted 6.18.0 #1`, as `dump_stack_print_info` prints it.
    var cpuLine: String {
        "CPU: \(cpu) PID: \(pid) Comm: \(comm) \(tainted ? "Tainted: G    B             " : "Not tainted") \(release) #1"
    }

    /// What the `Hardware name:` line says.
    static let hardwareName = "kmsan-harness simulated machine"
}
