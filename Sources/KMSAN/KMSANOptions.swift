/// KMSAN's options, with their defaults in one place.
///
/// | option             | kernel equivalent                        | default                 |
/// |--------------------|------------------------------------------|-------------------------|
/// | `enabled`          | KMSAN initialised at boot (`kmsan_enabled`) | `true`               |
/// | `panicOnReport`    | `kmsan.panic` (`panic_on_kmsan`)         | `false`                 |
/// | `eagerChecks`      | CONFIG_KMSAN_CHECK_PARAM_RETVAL           | `true`                  |
/// | `policy`           | which kernel's semantics (mainline, RFC v3) | `.mainline`          |
/// | `bootMemoryFrames` | frames reserved for the core (stacks, per-CPU) | 256 (1 MiB)       |
/// | `kernelRelease`    | `uname -r` printed in the CPU/PID/Comm line | `6.18.0-kmsan-harness` |
/// | `separateIRQContexts` | none: the fix google/kmsan#92 proposes (a per-CPU context for hardirq/NMI apart from softirq's) | `false` |
///
/// With `panicOnReport`, the first report halts the machine (and a KMSAN_WARN_ON is fatal
/// instead of merely disabling KMSAN). Halting never stops the host process: the machine
/// refuses further work and callers check `KMSANRuntime.isHalted`.
public struct KMSANOptions: Sendable, Equatable {
    /// Whether KMSAN is on at boot.
    public var enabled = true
    /// `kmsan.panic`: halt after the first report; warnings become fatal.
    public var panicOnReport = false
    /// CONFIG_KMSAN_CHECK_PARAM_RETVAL: check call arguments and return values eagerly.
    public var eagerChecks = true
    /// Give hardirq (and NMI) code a per-CPU KMSAN context of its own instead of sharing
    /// softirq's, as google/kmsan#92 proposes; mainline shares one (`false`).
    public var separateIRQContexts = false
    /// Which kernel's runtime semantics to follow where they differ.
    public var policy = KMSANPolicy.mainline
    /// Frames reserved at the top of memory for the core's own boot allocations.
    public var bootMemoryFrames = 256
    /// The kernel release printed in reports.
    public var kernelRelease = "6.18.0-kmsan-harness"

    /// The defaults above.
    public init() {}
}
