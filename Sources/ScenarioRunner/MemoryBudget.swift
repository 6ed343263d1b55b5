import Foundation

/// The simulated memory a run may have booted at once: a scenario's machine waits until its
/// `memory` fits beside the machines already running, so a suite of large machines runs them
/// one after another instead of swapping the host (each simulated byte may cost three host
/// bytes: data, shadow and origin). A machine larger than the whole budget runs alone.
final class MemoryBudget: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var inUse = 0

    /// A budget of `limit` bytes.
    init(limit: Int) { self.limit = max(limit, 1) }

    /// Runs `body` once `bytes` fit, then gives them back.
    func withReservation<R>(_ bytes: Int, _ body: () -> R) -> R {
        let wanted = min(max(bytes, 0), limit)
        condition.lock()
        while inUse + wanted > limit { condition.wait() }
        inUse += wanted
        condition.unlock()
        defer {
            condition.lock()
            inUse -= wanted
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }
}
