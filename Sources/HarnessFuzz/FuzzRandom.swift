import HarnessCore

/// The fuzzer's random source: `SplitMix64`, so a seed gives the same programs everywhere.
public typealias FuzzRandom = SplitMix64
