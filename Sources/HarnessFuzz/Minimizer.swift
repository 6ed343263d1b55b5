import KMSAN

/// Shrinks a program while a predicate keeps holding (the same title stays): drops calls, last
/// first, then shrinks arguments (a literal to 0, 1 or half, an offset to 0), as syzkaller's
/// prog/minimization.go does. At most `budget` runs.
public struct Minimizer {
    /// Runs a candidate and says whether it still shows the finding, with the report that shows it.
    public typealias Predicate = (FuzzProgram) -> KernelReport?

    /// The most candidate runs.
    public var budget: Int

    /// A minimizer of at most `budget` runs.
    public init(budget: Int = 2000) { self.budget = budget }

    /// The smallest program found that keeps `holds`, and its report; `program` itself (with
    /// `report`) if nothing smaller does.
    public func minimize(_ program: FuzzProgram, report: KernelReport, holds: Predicate) -> (FuzzProgram, KernelReport) {
        var best = program, bestReport = report, runs = 0
        func attempt(_ candidate: FuzzProgram) -> Bool {
            guard runs < budget else { return false }
            runs += 1
            guard let r = holds(candidate) else { return false }
            best = candidate
            bestReport = r
            return true
        }
        // Calls: try dropping each, from the last to the first; repeat while something goes.
        var changed = true
        while changed, runs < budget {
            changed = false
            var i = best.count - 1
            while i >= 0, runs < budget {
                var candidate = best
                ProgramMutator.remove(at: i, from: &candidate)
                if attempt(candidate) { changed = true }
                i = min(i, best.count) - 1
            }
        }
        // Arguments: simpler literals, no offsets.
        for i in best.calls.indices {
            for j in best.calls[i].arguments.indices {
                switch best.calls[i].arguments[j] {
                case .literal(let v) where v > 1:
                    for smaller in [0, 1, v / 2] where smaller < v {
                        var candidate = best
                        candidate.calls[i].arguments[j] = .literal(smaller)
                        if attempt(candidate) { break }
                    }
                case .result(let r, let offset) where offset != 0:
                    var candidate = best
                    candidate.calls[i].arguments[j] = .result(r, offset: 0)
                    _ = attempt(candidate)
                default:
                    break
                }
            }
        }
        return (best, bestReport)
    }
}
