import KernelMemory

/// Kinds of HARNESS findings: misuse of a simulated API, reported, never crashing the host.
public enum HarnessErrorKind: String, Sendable, CaseIterable {
    /// Freeing an object or page twice.
    case doubleFree = "double-free"
    /// Freeing what the allocator never returned, an interior pointer, or with the wrong cache or order.
    case invalidFree = "invalid-free"
    /// An access to simulated memory that is not mapped.
    case badAccess = "bad-access"
    /// Memory still allocated at the end (leak checking on).
    case leak
    /// Any other misuse of a harness API (bad arguments, no stack left, ...).
    case misuse
    /// A test's own expectation did not hold (`kunit_expect_eq` with different values).
    case expectationFailed = "expectation-failed"
    /// A scenario ran past its execution budget (`config max-statements`) and was stopped.
    case timeout
}

extension KMSANRuntime {
    /// `kmsan_report()`: reports unless KMSAN is off, reporting is disabled for the current
    /// task, or the origin is 0. `size` 0 means no byte range (a conditional use).
    ///
    /// Reporting is disabled when the current task's depth is nonzero (mainline) or, under
    /// `ReportGate.allowReportingFlag`, when the task's `allow_reporting` flag is clear (RFC v3
    /// reads `current->kmsan.allow_reporting`, the task's flag even inside an interrupt). The
    /// report is laid out as `KMSANPolicy.reportLayout` says.
    package func report(
        origin: OriginHandle, address: KernelAddress?, size: Int, firstOffset: Int, lastOffset: Int,
        userAddress: KernelAddress?, reason: KMSANReportReason, on cpu: KernelCPU
    ) {
        guard isEnabled, !origin.isNone else { return }
        switch policy.reportGate {
        case .taskDepth: guard cpu.current.kmsan.depth == 0 else { return }
        case .allowReportingFlag: guard cpu.current.kmsan.allowReporting else { return }
        }
        let stack = printableStack(cpu.current.frames.reversed())
        var report = KernelReport(
            tool: .kmsan,
            bugType: KMSANBugType(reason: reason, useAfterFree: origin.isUseAfterFree).rawValue,
            headerFrame: headerFrame(in: stack), stack: stack, origin: describeOrigin(origin), originHandle: origin.raw,
            byteRange: size > 0 ? ByteRange(first: firstOffset, last: lastOffset, size: size) : nil,
            accessAddress: size > 0 ? address?.raw : nil,
            userAddress: reason == .copyToUser ? userAddress?.raw : nil,
            cpu: cpu.id, pid: cpu.current.pid, comm: cpu.current.comm, release: options.kernelRelease,
            panicked: options.panicOnReport, layout: policy.reportLayout)
        if options.panicOnReport {
            halt()
            let path = policy.reportLayout == .dumpStackAfterHeader ? hookSites.rfcPanicPath : hookSites.panicPath
            report.panicTrace = panicTrace(path + hookSites.kmsanReport, on: cpu)
        }
        emit(report)
    }

    /// The stack `panic()` dumps: the panic path and the reporter (`sites`), then every frame
    /// of the current stack, runtime frames included, innermost first.
    func panicTrace(_ sites: [CallSite], on cpu: KernelCPU) -> [SymbolizedFrame] {
        sites.map { symbols.symbolize($0.address) } + cpu.current.frames.reversed().map { symbols.symbolize($0) }
    }

    /// Raises a HARNESS finding on `cpu`. The header names the caller of the misused API: the
    /// first frame outside the innermost run of subsystem entry frames (`FrameRole`), or the
    /// innermost frame (after runtime frames) when no entry frame is on the stack.
    public func reportHarnessFinding(
        _ kind: HarnessErrorKind, _ message: String, on cpu: KernelCPU, address: KernelAddress? = nil
    ) {
        let addresses = Array(cpu.current.frames.reversed())
        let all = printableStack(addresses)
        let skipped = addresses.count - all.count
        let caller = min(callerOfSubsystemEntry(addresses, from: skipped), addresses.count - 1) - skipped
        let header = all.isEmpty ? nil : headerFrame(in: all, from: caller)
        emit(KernelReport(
            tool: .harness, bugType: kind.rawValue, headerFrame: header, stack: all,
            accessAddress: address?.raw, message: [message],
            cpu: cpu.id, pid: cpu.current.pid, comm: cpu.current.comm, release: options.kernelRelease))
    }

    /// The index, in `addresses` (innermost first), of the frame a HARNESS header names: the
    /// first frame at or after `start` outside the innermost run of subsystem entry frames, or
    /// `start` itself when there is no entry frame above the first context entry (an interrupt
    /// or a kworker: what lies below is the interrupted code's).
    func callerOfSubsystemEntry(_ addresses: [UInt64], from start: Int) -> Int {
        guard start < addresses.count else { return start }
        let context = addresses[start...].firstIndex(where: symbols.isContextEntry) ?? addresses.count
        guard let entry = addresses[start..<context].firstIndex(where: symbols.isSubsystemEntry) else { return start }
        var caller = entry
        while caller < addresses.count, symbols.isSubsystemEntry(addresses[caller]) { caller += 1 }
        return caller
    }

    /// Prints a kernel warning that is not a KMSAN finding (e.g. `warn_alloc`'s "page
    /// allocation failure"): a `WARNING` report named `kind`, with `lines` as its message. It
    /// does not change KMSAN's state.
    public func reportWarning(_ kind: WarningKind, _ lines: [String], on cpu: KernelCPU) {
        let stack = printableStack(cpu.current.frames.reversed())
        var header = headerFrame(in: stack)
        // `__warn` prints the WARN's own file:line with the real function's name: a WARN in an
        // inlined function keeps the inlined frame's location.
        if let first = stack.first, first.isInlined { header?.location = first.location }
        emit(KernelReport(
            tool: .warning, bugType: kind.rawValue, headerFrame: header, stack: stack, message: lines,
            cpu: cpu.id, pid: cpu.current.pid, comm: cpu.current.comm, release: options.kernelRelease))
    }

    /// Reports a memory fault as a HARNESS `bad-access`.
    package func reportFault(_ fault: MemoryFault, on cpu: KernelCPU) {
        reportHarnessFinding(.badAccess, fault.description, on: cpu, address: fault.address)
    }
}
