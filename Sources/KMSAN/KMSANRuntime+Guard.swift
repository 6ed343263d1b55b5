extension KMSANRuntime {
    /// Whether the current context on `cpu` is inside the runtime (`kmsan_in_runtime()`):
    /// nested hard interrupts and NMIs always count as inside.
    package func isInRuntime(_ cpu: KernelCPU) -> Bool {
        cpu.hardirqCount > 1 || cpu.nmiCount > 0 || cpu.context.inRuntime != 0
    }

    /// `kmsan_enter_runtime()`; nesting is an inconsistency.
    package func enterRuntime(_ cpu: KernelCPU) {
        let ctx = cpu.context
        warnOn(ctx.inRuntime != 0, "kmsan_enter_runtime: already in the runtime", on: cpu)
        ctx.inRuntime += 1
    }

    /// `kmsan_leave_runtime()`.
    package func leaveRuntime(_ cpu: KernelCPU) { leave(cpu.context, on: cpu) }

    /// Leaves the runtime on a context the caller already holds; unbalanced nesting warns.
    @inline(__always)
    private func leave(_ ctx: KMSANContext, on cpu: KernelCPU) {
        ctx.inRuntime -= 1
        warnOn(ctx.inRuntime != 0, "kmsan_leave_runtime: unbalanced runtime nesting", on: cpu)
    }

    /// The shape of every public hook: nothing if KMSAN is off or the context is already in
    /// the runtime; else enter, push the hook's own frame, run the primitive, pop, leave.
    /// (The guard and the entry are inlined so the context is fetched once.)
    @inline(__always)
    package func hook(_ cpu: KernelCPU, _ site: CallSite, _ body: () -> Void) {
        guard isEnabled, cpu.hardirqCount <= 1, cpu.nmiCount == 0 else { return }
        let ctx = cpu.context
        guard ctx.inRuntime == 0 else { return }
        ctx.inRuntime = 1
        cpu.call(site, body)
        leave(ctx, on: cpu)
    }

    /// `kmsan_disable_current()`: stop reports for the current task (nests).
    ///
    /// Under `ReportGate.allowReportingFlag` (RFC v3) it clears the task's `allow_reporting`
    /// flag instead: no nesting, as the seed's `kmsan_report()` clears it.
    public func disableCurrent(on cpu: KernelCPU) {
        switch policy.reportGate {
        case .taskDepth: cpu.current.kmsan.depth += 1
        case .allowReportingFlag: cpu.current.kmsan.allowReporting = false
        }
    }

    /// `kmsan_enable_current()`: undo one `disableCurrent`; an underflow is a runtime warning.
    ///
    /// Under `ReportGate.allowReportingFlag` (RFC v3) it sets the task's `allow_reporting` flag,
    /// whatever happened before: one enable undoes any number of disables, and an enable
    /// without a disable is not a warning (the seed's `kmsan_report()` sets it the same way).
    public func enableCurrent(on cpu: KernelCPU) {
        let ctx = cpu.current.kmsan
        switch policy.reportGate {
        case .taskDepth:
            if warnOn(ctx.depth == 0, "kmsan_enable_current: reporting depth underflow", on: cpu) { return }
            ctx.depth -= 1
        case .allowReportingFlag:
            ctx.allowReporting = true
        }
    }
}
