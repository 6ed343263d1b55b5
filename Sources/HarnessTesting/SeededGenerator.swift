import HarnessCore

/// The generator of the project's randomized tests (and yours): `SplitMix64`, so that a
/// failure reproduces from the seed its test takes as an argument.
public typealias SeededGenerator = SplitMix64
