import HarnessCore
import KMSAN

/// Runs each program under two KMSAN profiles and reports how their reports differ: a report
/// only one profile prints, or the same title with another byte range. Differences between
/// two versions of the runtime are the bugs one of them has (google/kmsan#70 is such a pair:
/// RFC v3 lost the origin of a partly unpoisoned slot, so mainline reports what it misses).
public final class DifferentialOracle {
    /// The two profiles, in the order they are named.
    public let profiles: (KMSANPolicy, KMSANPolicy)
    let first: FuzzExecutor
    let second: FuzzExecutor

    /// An oracle running `table`'s programs on machines of `configuration` under each profile.
    public init(table: OpTable, configuration: MachineConfiguration, profiles: (KMSANPolicy, KMSANPolicy)) throws(MachineError) {
        self.profiles = profiles
        var a = configuration, b = configuration
        a.kmsan.policy = profiles.0
        b.kmsan.policy = profiles.1
        first = try FuzzExecutor(table: table, configuration: a)
        second = try FuzzExecutor(table: table, configuration: b)
    }

    /// The outcome under each profile, and the difference, if any.
    public func run(_ program: FuzzProgram) -> (FuzzExecutor.Outcome, FuzzExecutor.Outcome, Difference?) {
        let a = first.run(program), b = second.run(program)
        return (a, b, Self.difference(a.reports, b.reports, profiles: (profiles.0.name, profiles.1.name)))
    }

    /// How two runs' reports differ.
    public struct Difference: Sendable, Equatable {
        /// A bucket title: `DIFF mainline/rfc-v3: only under mainline: KMSAN: uninit-value in fuzz_prog`.
        public var title: String
        /// The report the difference is about (from the profile that printed it).
        public var report: KernelReport
        /// Which profile printed it (0 or 1), or nil for a byte-range difference (both did).
        public var printedBy: Int?
    }

    /// The first difference of two report lists, compared by title and byte range in order.
    static func difference(_ a: [KernelReport], _ b: [KernelReport], profiles: (String, String)) -> Difference? {
        let prefix = "DIFF \(profiles.0)/\(profiles.1): "
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : nil, y = i < b.count ? b[i] : nil
            switch (x, y) {
            case (let x?, let y?) where x.title != y.title:
                let xInB = b.contains { $0.title == x.title }
                return xInB ? Difference(title: prefix + "only under \(profiles.1): \(y.title)", report: y, printedBy: 1)
                            : Difference(title: prefix + "only under \(profiles.0): \(x.title)", report: x, printedBy: 0)
            case (let x?, let y?) where x.byteRange != y.byteRange:
                return Difference(title: prefix + "other bytes: \(x.title)", report: x, printedBy: nil)
            case (let x?, nil):
                return Difference(title: prefix + "only under \(profiles.0): \(x.title)", report: x, printedBy: 0)
            case (nil, let y?):
                return Difference(title: prefix + "only under \(profiles.1): \(y.title)", report: y, printedBy: 1)
            default:
                continue
            }
        }
        return nil
    }
}
