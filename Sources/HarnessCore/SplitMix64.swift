/// SplitMix64: the project's one small deterministic random source, so that the same seed
/// gives the same values on every machine and Swift version (the standard library's generator
/// promises neither). The fuzzer draws its programs from it (`FuzzRandom`), the randomized
/// tests their inputs (`SeededGenerator`): a failure reproduces from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The state; the seed to start with.
    public var state: UInt64

    /// A generator started from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A value in `0..<n` (0 when `n` <= 0).
    public mutating func below(_ n: Int) -> Int {
        n <= 0 ? 0 : Int(next() % UInt64(n))
    }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    /// An index picked by weight (`weights` must not be all zero).
    public mutating func weighted(_ weights: [Int]) -> Int {
        var r = below(weights.reduce(0, +))
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }
}
