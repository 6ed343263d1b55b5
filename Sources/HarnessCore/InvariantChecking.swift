/// A subsystem that can check its own bookkeeping: what the fuzzer asks after every run (and
/// a plugin may ask itself after every operation in debug builds). A violation is a bug in the
/// plugin, reported as `WARNING: plugin-invariant`.
public protocol InvariantChecking: Subsystem {
    /// What is broken, one line each; empty when every invariant holds.
    func invariantViolations() -> [String]
}
