extension KMSANRuntime {
    /// KMSAN_WARN_ON: if `condition` holds, print a warning and disable KMSAN for good;
    /// with `kmsan.panic` the warning is fatal and halts the machine. Returns `condition`.
    @discardableResult
    package func warnOn(
        _ condition: Bool, _ message: @autoclosure () -> String, on cpu: KernelCPU?,
        file: String = #fileID, line: Int = #line
    ) -> Bool {
        guard condition else { return false }
        let wasEnabled = isEnabled
        disable()
        if options.panicOnReport { halt() }
        guard wasEnabled else { return true }
        let site = symbols.site(in: "kmsan_warn_on", file: file, line: line)
        var stack: [SymbolizedFrame] = []
        if let cpu { stack = printableStack(cpu.current.frames.reversed()) }
        let report = KernelReport(
            tool: .warning, bugType: WarningKind.kmsanDisabled.rawValue, headerFrame: symbols.symbolize(site.address),
            stack: stack,
            message: ["KMSAN: \(message())", options.panicOnReport ? "kmsan.panic set: halting" : "KMSAN disabled"],
            cpu: cpu?.id ?? 0, pid: cpu?.current.pid ?? 0, comm: cpu?.current.comm ?? "swapper/0",
            release: options.kernelRelease, panicked: options.panicOnReport)
        emit(report)
        return true
    }

    /// Hands a report to the sink under the report lock, with the taint earlier reports set,
    /// then adds its own (`KernelReport.addedTaint`).
    func emit(_ report: KernelReport) {
        reportState.withLock { state in
            var r = report
            r.taint = state.taint
            state.taint.formUnion(r.addedTaint)
            state.count += 1
            sink.receive(r)
        }
    }

    /// Number of reports and warnings raised so far.
    public var reportCount: Int { reportState.withLock { $0.count } }
}
