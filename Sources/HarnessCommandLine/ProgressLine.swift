import Foundation
import KernelMemory

#if canImport(Glibc)
import Glibc
#endif

/// `[12/70] scenarios, 3 s` on standard error while a long run goes on (only when standard
/// error is a terminal, and only after the first two seconds): redrawn in place, and cleared
/// before anything else is written so that it never mixes with the output.
final class ProgressLine: Sendable {
    private struct State {
        var done = 0
        var shown = false
        var lastDrawn: UInt64 = 0
    }

    /// Whether standard error is a terminal.
    static var standardErrorIsATerminal: Bool { isatty(2) != 0 }

    private let total: Int
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private let write: @Sendable (String, Bool) -> Void
    private let state = Locked(State())

    init(total: Int, enabled: Bool, write: @escaping @Sendable (String, Bool) -> Void) {
        self.total = total
        self.enabled = enabled
        self.write = write
    }

    /// One more scenario done; redraws at most five times a second once two seconds passed.
    func advance() {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        state.withLock { s in
            s.done += 1
            guard now - start > 2_000_000_000, now - s.lastDrawn > 200_000_000 else { return }
            s.lastDrawn = now
            s.shown = true
            write("\r[\(s.done)/\(total)] scenarios, \((now - start) / 1_000_000_000) s", true)
        }
    }

    /// Erases the line if it is shown.
    func clear() {
        guard enabled else { return }
        state.withLock { s in
            guard s.shown else { return }
            s.shown = false
            write("\r\u{1B}[K", true)
        }
    }
}
