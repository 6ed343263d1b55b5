import KMSAN

/// Which findings are the harness's own inconsistencies rather than what a program may
/// trigger: a plugin's broken invariant (`WARNING: plugin-invariant`), and a KMSAN_WARN_ON (`WARNING: kmsan-disabled`) other than the three a caller can cause
/// in the kernel too (an unbalanced `kmsan_enable_current`, a `kmsan_disable_current` nested too
/// deep, a range whose metadata is not contiguous). A fuzz campaign that finds one has found a
/// bug in the runtime or a plugin; CI fails on it (`fuzz --fail-on-internal-warning`).
public enum InternalWarnings {
    /// Message prefixes of the KMSAN_WARN_ONs a caller's arguments can trigger.
    public static let callerTriggered = [
        "KMSAN: kmsan_enable_current:", "KMSAN: kmsan_disable_current:", "KMSAN: kmsan_metadata_is_contiguous:",
    ]

    /// Whether `report` is a KMSAN_WARN_ON no caller can trigger.
    public static func isInternal(_ report: KernelReport) -> Bool {
        if report.tool == .warning, report.bugType == WarningKind.pluginInvariant.rawValue { return true }
        guard report.tool == .warning, report.bugType == WarningKind.kmsanDisabled.rawValue else { return false }
        let first = report.message.first ?? ""
        return !callerTriggered.contains { first.hasPrefix($0) }
    }
}
