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
        cpu.call(site) {
            if cpu.pendingInterrupt != nil { deliverPendingInterrupt(at: site, on: cpu) }
            body()
        }
        leave(ctx, on: cpu)
    }

    /// Runs the interrupt armed for this hook, inside it (the hook has entered the runtime):
    /// a hardirq only where one may arrive (not inside another hardirq or an NMI), an NMI
    /// anywhere but inside an NMI. Anything else stays armed.
    private func deliverPendingInterrupt(at site: CallSite, on cpu: KernelCPU) {
        guard let pending = cpu.pendingInterrupt, symbols.functionName(of: site) == pending.hook else { return }
        switch pending.kind {
        case .hardirq: guard cpu.hardirqCount == 0, cpu.nmiCount == 0 else { return }
        case .nmi: guard cpu.nmiCount == 0 else { return }
        case .softirq: return
        }
        cpu.pendingInterrupt = nil
        cpu.withInterrupt(pending.kind, pending.handler)
    }

    /// A hook under `gate`: `.runtime` is `hook(_:_:_:)`; the other gates skip the runtime
    /// entry (and `.ungated` the enabled check too) but still push the hook's frame.
    package func hook(_ cpu: KernelCPU, _ site: CallSite, gate: HookGate, _ body: () -> Void) {
        switch gate {
        case .runtime: hook(cpu, site, body)
        case .enabledOnly: if isEnabled { cpu.call(site, body) }
        case .ungated: cpu.call(site, body)
        }
    }

    /// `kmsan_disable_current()`: stop reports for the current task (nests).
    ///
    /// Under `ReportGate.allowReportingFlag` (RFC v3) it clears the task's `allow_reporting`
    /// flag instead: no nesting, as the seed's `kmsan_report()` clears it.
    public func disableCurrent(on cpu: KernelCPU) {
        switch policy.reportGate {
        case .taskDepth:
            // The kernel's depth is unsigned: after an enable underflowed it to -1 (UINT_MAX),
            // this increment wraps it to 0, which the kernel's KMSAN_WARN_ON catches.
            cpu.current.kmsan.depth += 1
            warnOn(cpu.current.kmsan.depth == 0, "kmsan_disable_current: reporting depth overflow", on: cpu)
        case .allowReportingFlag: cpu.current.kmsan.allowReporting = false
        }
    }

    /// `kmsan_enable_current()`: undo one `disableCurrent`. An underflow is a runtime warning,
    /// and the depth is decremented anyway, as the kernel does (`KMSAN_WARN_ON(depth == 0)`
    /// then `depth--`): the task's depth is then nonzero, so it reports nothing more.
    ///
    /// Under `ReportGate.allowReportingFlag` (RFC v3) it sets the task's `allow_reporting` flag,
    /// whatever happened before: one enable undoes any number of disables, and an enable
    /// without a disable is not a warning (the seed's `kmsan_report()` sets it the same way).
    public func enableCurrent(on cpu: KernelCPU) {
        let ctx = cpu.current.kmsan
        switch policy.reportGate {
        case .taskDepth:
            warnOn(ctx.depth == 0, "kmsan_enable_current: reporting depth underflow", on: cpu)
            ctx.depth -= 1
        case .allowReportingFlag:
            ctx.allowReporting = true
        }
    }
}
