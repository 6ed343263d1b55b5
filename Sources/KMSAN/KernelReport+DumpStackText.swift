import KernelMemory

extension KernelReport {
    /// A KMSAN report in RFC v3's console layout (the seed's `kmsan_report()` and
    /// `kmsan_print_origin()`), ending with a newline:
    ///
    /// ```
    /// =====================================================
    /// BUG: KMSAN: <bug-type> in <func>+0x<off>/0x<size>
    /// CPU: <cpu> PID: <pid> Comm: <comm> ...            dump_stack()
    /// Hardware name: ...
    /// Call Trace:
    ///  <frame>
    ///
    /// Uninit was stored to memory at:                    (one block per chain link)
    ///  <frame>
    ///
    /// Uninit was created at:                             (or "No stack")
    ///  <frame>
    ///                                                    (or: Local variable description: <name>
    ///                                                         Variable was created at:
    ///                                                          <frame> <frame>)
    ///
    /// Byte(s) ... of <n> ... uninitialized               (range checks only)
    /// Memory access of size <n> starts at <address>      (range checks only)
    /// Data copied to user address <address>              (copy to user only)
    /// =====================================================
    /// ```
    /// Unlike mainline there is no CPU line at the end and no "stacks not recorded to save
    /// memory" line (the seed's chaining has a TODO for it); `kmsan.panic` reads
    /// `panic_on_warn`, which is what the seed tests. Frame lines start with one space, so
    /// syzkaller's frame rule parses them; the CPU, hardware and `Call Trace:` lines do not
    /// match it, and the first stack still ends at the first origin block.
    ///
    /// Syzkaller of the RFC's era (2019-2021) parsed KMSAN reports as a `Call Trace:` line
    /// followed by the stack, which is this layout. Today's parser (google/syzkaller
    /// pkg/report/linux.go) expects mainline's layout and treats `Call Trace` as the start of
    /// another stack, so it titles these reports by the origin block instead.
    var dumpStackLayoutText: String {
        var out: [String] = []
        out.append(Self.separator)
        out.append("BUG: \(tool.rawValue): \(bugType) in \(headerFrame?.symbol ?? "(unknown)")")
        // dump_stack()
        out.append(contentsOf: dumpStackPrintInfo)
        out.append("Call Trace:")
        out.append(contentsOf: stack.map { " " + $0.description })
        out.append("")
        for block in origin {
            switch block.kind {
            case .storedAt:
                out.append("Uninit was stored to memory at:")
                out.append(contentsOf: block.frames.map { " " + $0.description })
                out.append("")
            case .createdAt:
                out.append("Uninit was created at:")
                if block.frames.isEmpty { out.append("No stack") }
                out.append(contentsOf: block.frames.map { " " + $0.description })
            case .localVariable:
                out.append("Local variable description: \(block.variable ?? "")")
                out.append("Variable was created at:")
                out.append(contentsOf: block.frames.map { " " + $0.description })
            }
        }
        if let r = byteRange {
            out.append("")
            out.append(Self.byteRangeLine(r))
        }
        if let a = accessAddress, let r = byteRange { out.append("Memory access of size \(r.size) starts at \(hex16(a))") }
        if let u = userAddress { out.append("Data copied to user address \(hex16(u))") }
        out.append(Self.separator)
        out.append(contentsOf: panicLines)
        return out.joined(separator: "\n") + "\n"
    }
}
