import KernelMemory

extension KMSANRuntime {
    /// Raises a KASAN report on `cpu`, for a plugin that keeps KASAN shadow (the vmalloc
    /// shadow): `BUG: KASAN: <bug> in <func>` naming the innermost frame outside the runtime,
    /// the `Read|Write of size N at addr ... by task ...` line, the call trace, then
    /// `description`: the lines mm/kasan/report.c prints after it ("The buggy address belongs to
    /// the virtual mapping at", the memory state rows), each as the kernel prints it.
    ///
    /// KASAN's own gates are the caller's: `report_enabled()` (only the first report per boot
    /// unless multi-shot) and `kasan_disable_current()`. With `kmsan.panic` the machine halts,
    /// as `kasan.fault=panic` would.
    public func reportKASAN(
        _ bug: KASANBugType, _ access: KASANAccess, at address: KernelAddress, description: [String], on cpu: KernelCPU
    ) {
        let stack = printableStack(cpu.current.frames.reversed())
        var report = KernelReport(
            tool: .kasan, bugType: bug.rawValue, headerFrame: headerFrame(in: stack), stack: stack,
            accessAddress: address.raw, kasanAccess: access, message: description,
            cpu: cpu.id, pid: cpu.current.pid, comm: cpu.current.comm, release: options.kernelRelease,
            panicked: options.panicOnReport)
        if options.panicOnReport {
            halt()
            report.panicTrace = panicTrace(hookSites.panicPath + hookSites.kasanReport, on: cpu)
        }
        emit(report)
    }
}
